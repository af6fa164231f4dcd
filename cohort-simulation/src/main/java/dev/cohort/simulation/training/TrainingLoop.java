package dev.cohort.simulation.training;

import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.ClientSampler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The training driver: TFF's {@code tff.simulation.run_training_process} with program state, over an
 * {@link IterativeProcess}. Round {@code r} (from 1) trains on the clients {@code sampler.sample(r)} of
 * {@code train}; evaluation runs on round 0 (the initial state) and every {@code k}-th round; each round's metrics
 * go to every {@link MetricsSink}; a checkpoint is written every {@code k}-th round and after the last.
 *
 * <pre>{@code
 * TrainingLoop.Result<State> r = TrainingLoop.builder(process, train, ClientSampler.uniform(train.clientIds(), 10, 7), 100)
 *     .evaluation(eval, 10).checkpoints(Path.of("run/ckpt"), 5, 3)
 *     .sinks(new CsvMetrics(Path.of("run/metrics.csv")), new TensorBoardMetrics(Path.of("run/tb")))
 *     .build().run();
 * }</pre>
 *
 * <p><b>Resume.</b> With checkpoints, {@link #run()} first looks for the newest readable checkpoint in the
 * directory and continues after its round; a newer checkpoint that is corrupt or truncated is skipped and reported
 * ({@link TrainingListener#checkpointSkipped}); a checkpoint of another process ({@link IterativeProcess#fingerprint})
 * or of another run (sampler, rounds) is an error. Everything a round uses is keyed on the round (the sampler's
 * stream is {@code (seed, round)}; the process's randomness is keyed on the round too), so the checkpoint's state
 * and round are the whole position of the run, and a run killed after round {@code k} and resumed produces the same
 * states, bit for bit, as an uninterrupted one; sinks drop what the killed run released after the checkpoint.
 * Released metrics hold only what the process and the evaluation compute (no wall-clock times, which would differ
 * between the two); times go to the {@link TrainingListener}.
 *
 * @param <S> the server state
 */
public final class TrainingLoop<S> {
  private final IterativeProcess<S> process;
  private final ClientData train;
  private final ClientSampler sampler;
  private final int totalRounds;
  private final Evaluation<S> evaluation;
  private final int evaluationPeriod;
  private final Path checkpointDir;
  private final int checkpointPeriod;
  private final int keep;
  private final List<MetricsSink> sinks;
  private final TrainingListener listener;

  private TrainingLoop(Builder<S> b) {
    this.process = b.process;
    this.train = b.train;
    this.sampler = b.sampler;
    this.totalRounds = b.totalRounds;
    this.evaluation = b.evaluation;
    this.evaluationPeriod = b.evaluationPeriod;
    this.checkpointDir = b.checkpointDir;
    this.checkpointPeriod = b.checkpointPeriod;
    this.keep = b.keep;
    this.sinks = List.copyOf(b.sinks);
    this.listener = b.listener;
  }

  /**
   * A builder of a loop that trains {@code process} for {@code totalRounds} rounds on clients of {@code train}
   * drawn by {@code sampler}.
   *
   * @throws IllegalArgumentException if {@code totalRounds < 1}
   */
  public static <S> Builder<S> builder(IterativeProcess<S> process, ClientData train, ClientSampler sampler,
      int totalRounds) {
    return new Builder<>(process, train, sampler, totalRounds);
  }

  /** What a run ends with. */
  public record Result<S>(S state, int rounds, int resumedAfter) {
    /**
     * The result.
     *
     * @param state the state after the last round
     * @param rounds the rounds of the run
     * @param resumedAfter the round the run resumed after (0 for a run from the start)
     */
    public Result {
      Objects.requireNonNull(state, "state");
    }
  }

  /**
   * Runs (or resumes) the rounds.
   *
   * @throws CheckpointException if the checkpoints cannot be used
   * @throws UncheckedIOException if a checkpoint or a sink cannot be written
   */
  public Result<S> run() {
    Checkpoints checkpoints = checkpointDir == null ? null
        : new Checkpoints(checkpointDir, process.fingerprint(), runFingerprint());
    S state;
    int start = 0;
    Checkpoints.Loaded loaded = checkpoints == null ? null : checkpoints.latest(listener);
    if (loaded != null) {
      try {
        state = process.loadState(loaded.state());
      } catch (IllegalArgumentException e) {
        throw new CheckpointException(loaded.file(), "the state does not load into this process: "
            + e.getMessage(), e);
      }
      start = loaded.round();
      listener.resumed(start, loaded.file());
    } else {
      state = process.initialize();
    }
    try {
      for (MetricsSink s : sinks) {
        s.start(start == 0 ? 0 : start + 1);
      }
      if (start == 0 && evaluation != null) {
        long t0 = System.nanoTime();
        Map<String, Double> m = evaluationMetrics(state, 0);
        release(0, m);
        listener.roundDone(0, totalRounds, m, Duration.ofNanos(System.nanoTime() - t0));
      }
      for (int round = start + 1; round <= totalRounds; round++) {
        long t0 = System.nanoTime();
        List<String> clients = sampler.sample(round);
        RoundOutput<S> out = process.next(state, train.atClients(clients), round);
        state = out.state();
        Map<String, Double> metrics = new LinkedHashMap<>(out.metrics());
        if (evaluation != null && round % evaluationPeriod == 0) {
          metrics.putAll(evaluationMetrics(state, round));
        }
        release(round, metrics);
        if (checkpoints != null && (round % checkpointPeriod == 0 || round == totalRounds)) {
          Path written = checkpoints.write(round, process.saveState(state), keep);
          listener.checkpointWritten(round, written);
        }
        listener.roundDone(round, totalRounds, metrics, Duration.ofNanos(System.nanoTime() - t0));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("training: cannot write the checkpoints or metrics", e);
    }
    return new Result<>(state, totalRounds, start);
  }

  private Map<String, Double> evaluationMetrics(S state, int round) {
    Map<String, Double> out = new LinkedHashMap<>();
    evaluation.evaluate(state, round).forEach((k, v) -> out.put("evaluation/" + k, v));
    return out;
  }

  private void release(int round, Map<String, Double> metrics) throws IOException {
    for (MetricsSink s : sinks) {
      s.release(round, metrics);
    }
  }

  /** What must agree between a checkpoint and the run resuming from it: the sampler and the clients. */
  private String runFingerprint() {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(sampler.toString().getBytes(StandardCharsets.UTF_8));
      d.update(train.clientIds().toString().getBytes(StandardCharsets.UTF_8));
      return "sampler and clients sha256:" + HexFormat.of().formatHex(d.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /**
   * Configures a {@link TrainingLoop}.
   *
   * @param <S> the server state
   */
  public static final class Builder<S> {
    private final IterativeProcess<S> process;
    private final ClientData train;
    private final ClientSampler sampler;
    private final int totalRounds;
    private Evaluation<S> evaluation;
    private int evaluationPeriod = 1;
    private Path checkpointDir;
    private int checkpointPeriod = 1;
    private int keep = 5;
    private final List<MetricsSink> sinks = new ArrayList<>();
    private TrainingListener listener = new TrainingListener() {};

    private Builder(IterativeProcess<S> process, ClientData train, ClientSampler sampler, int totalRounds) {
      this.process = Objects.requireNonNull(process, "process");
      this.train = Objects.requireNonNull(train, "train");
      this.sampler = Objects.requireNonNull(sampler, "sampler");
      if (totalRounds < 1) {
        throw new IllegalArgumentException("training: totalRounds (" + totalRounds + ") must be >= 1");
      }
      this.totalRounds = totalRounds;
    }

    /**
     * Evaluates round 0 and every {@code period}-th round.
     *
     * @throws IllegalArgumentException if {@code period < 1}
     */
    public Builder<S> evaluation(Evaluation<S> evaluation, int period) {
      this.evaluation = Objects.requireNonNull(evaluation, "evaluation");
      this.evaluationPeriod = positive("evaluation period", period);
      return this;
    }

    /**
     * Checkpoints into {@code dir} every {@code period}-th round and after the last, keeping the newest {@code keep};
     * a run resumes from them.
     *
     * @throws IllegalArgumentException if {@code period < 1} or {@code keep < 1}
     */
    public Builder<S> checkpoints(Path dir, int period, int keep) {
      this.checkpointDir = Objects.requireNonNull(dir, "dir");
      this.checkpointPeriod = positive("checkpoint period", period);
      this.keep = positive("checkpoints kept", keep);
      return this;
    }

    /** Where each round's metrics are released. */
    public Builder<S> sinks(MetricsSink... sinks) {
      this.sinks.addAll(List.of(sinks));
      return this;
    }

    /** Who hears of the run's progress. */
    public Builder<S> listener(TrainingListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** The loop. */
    public TrainingLoop<S> build() {
      return new TrainingLoop<>(this);
    }

    private static int positive(String what, int n) {
      if (n < 1) {
        throw new IllegalArgumentException("training: " + what + " (" + n + ") must be >= 1");
      }
      return n;
    }
  }
}
