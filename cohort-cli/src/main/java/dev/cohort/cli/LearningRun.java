package dev.cohort.cli;

import dev.cohort.core.values.FederatedValue;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.models.ModelWorker;
import dev.cohort.privacy.DpEvent;
import dev.cohort.privacy.NeighboringRelation;
import dev.cohort.privacy.RdpAccountant;
import dev.cohort.simulation.Dataset;
import dev.cohort.simulation.training.IterativeProcess;
import dev.cohort.simulation.training.LearningProcessRun;
import dev.cohort.simulation.training.RoundOutput;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code cohort train} run as the simulation's {@link IterativeProcess}, so that cohort-simulation's
 * {@link dev.cohort.simulation.training.TrainingLoop} drives it (checkpoints, resume, TensorBoard). Round {@code r}
 * trains the clients {@code sampler.sample(r)}, each shuffling its examples keyed on (seed, r, client), and is
 * evaluated when {@link TrainConfig#evaluates} says so; its metrics hold only what the round computes, so that a
 * resumed run releases the same ones.
 *
 * <p>Metrics: {@code clients}, {@code examples}, {@code train/loss} and {@code train/accuracy} (when clients took
 * part), {@code bits_up} and {@code bits_down} (cohort-learning's {@code Communication} measurements),
 * {@code epsilon} (with DP), {@code evaluation/loss} and
 * {@code evaluation/accuracy} (evaluated rounds), then the process's own under {@code process/}.
 *
 * <p>The rounds and the state's checkpoints are cohort-simulation's {@link LearningProcessRun}'s; this adds the
 * shuffle keys, the evaluation, ε and the names the run directory uses.
 */
final class LearningRun implements IterativeProcess<Object> {
  private final TrainConfig config;
  private final TrainData data;
  private final Training.Setup setup;
  private final ModelWorker evaluator;
  private final LearningProcessRun run;
  /** The clients of the round in progress, which {@link #prepare} keys each client's shuffle on. */
  private volatile List<String> roundClients = List.of();

  LearningRun(TrainConfig config, TrainData data, Training.Setup setup) {
    this.config = config;
    this.data = data;
    this.setup = setup;
    this.evaluator = setup.model().newWorker();
    this.run = LearningProcessRun.of(setup.process(), "cohort train " + String.join(" ", rerun(config)),
        this::prepare);
  }

  /** The command line that reruns {@code config}, without {@code --threads} and {@code --checkpoint-every}. */
  private static List<String> rerun(TrainConfig config) {
    List<String> args = new ArrayList<>(config.commandLine());
    for (String free : List.of("--threads", "--checkpoint-every")) {
      int t = args.indexOf(free);
      args.subList(t, t + 2).clear();
    }
    return args;
  }

  @Override
  public Object initialize() {
    return run.initialize();
  }

  @Override
  public RoundOutput<Object> next(Object state, FederatedValue clientData, int round) {
    List<String> ids = setup.sampler().sample(round);
    if (ids.size() != clientData.size()) {
      throw new IllegalStateException("internal: round " + round + " has " + clientData.size() + " datasets for "
          + ids.size() + " sampled clients");
    }
    roundClients = ids;
    RoundOutput<Object> out = run.next(state, clientData, round);
    Map<String, Double> own = out.metrics();
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("clients", (double) ids.size());
    if (ids.isEmpty()) { // Poisson sampling can draw nobody: the round then changes nothing and sends nothing
      m.put("examples", 0.0);
      m.put("bits_up", 0.0);
      m.put("bits_down", 0.0);
    } else {
      m.put("examples", own.get("client_work/train/num_examples"));
      m.put("train/loss", own.get("client_work/train/loss"));
      m.put("train/accuracy", own.get("client_work/train/" + data.accuracyMetric().name()));
      m.put("bits_up", own.get("communication/aggregated_bits"));
      m.put("bits_down", own.get("communication/broadcasted_bits"));
    }
    if (config.noiseMultiplier() != null) {
      m.put("epsilon", epsilon(round));
    }
    if (config.evaluates(round)) {
      double[] eval = evaluate(weights(out.state()));
      m.put("evaluation/loss", eval[0]);
      m.put("evaluation/accuracy", eval[1]);
    }
    own.forEach((k, v) -> m.put("process/" + k, v));
    return new RoundOutput<>(out.state(), m);
  }

  /**
   * What a checkpoint must agree on: the simulation's fingerprint of the process (the command line that reruns the
   * run, {@code --threads} and {@code --checkpoint-every} aside as they change no bit, and the process's type
   * signature), as a digest short enough for {@code config.json}.
   */
  @Override
  public String fingerprint() {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(run.fingerprint().getBytes(StandardCharsets.UTF_8));
      return "cohort train sha256:" + HexFormat.of().formatHex(d.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  @Override
  public byte[] saveState(Object state) {
    return run.saveState(state);
  }

  @Override
  public Object loadState(byte[] bytes) {
    return run.loadState(bytes);
  }

  /** The model weights of {@code state}. */
  ModelWeights weights(Object state) {
    Object member = state instanceof FederatedValue f ? f.value() : state;
    Object w = setup.process().getModelWeights().call(member);
    return ModelWeights.fromValue(w instanceof FederatedValue f ? f.value() : w);
  }

  /** A sampled client's dataset: its examples shuffled on (seed, round, the client's place in the population). */
  private Dataset prepare(Dataset d, int round, int position) {
    if (config.shuffle()) {
      d = d.shuffle((int) Math.max(1, d.count()), config.seed(), round,
          data.train().clientIds().indexOf(roundClients.get(position)));
    }
    return d.repeat(config.epochs()).batch(config.batchSize());
  }

  /** Loss and accuracy over every test example of every client (pooled). */
  private double[] evaluate(ModelWeights weights) {
    evaluator.setWeights(weights);
    return Evaluator.pooled(Evaluator.perClient(evaluator, data, data.test()));
  }

  /** The ε of {@code round} rounds of the Gaussian mechanism, amplified by the run's sampling. */
  private double epsilon(int round) {
    int population = data.train().clientIds().size();
    DpEvent gaussian = DpEvent.gaussian(config.noiseMultiplier());
    DpEvent each = switch (config.sampling()) {
      case "uniform" -> DpEvent.sampledWithoutReplacement(population, config.clientsPerRound(), gaussian);
      case "poisson" -> DpEvent.poissonSampled((double) config.clientsPerRound() / population, gaussian);
      default -> gaussian; // a fixed cohort: no amplification by sampling
    };
    // Fixed-size sampling is accounted under replace-one neighbours, as dp_accounting requires; the others under
    // add-or-remove-one, the accountant's default.
    RdpAccountant accountant = config.sampling().equals("uniform")
        ? RdpAccountant.builder().neighboringRelation(NeighboringRelation.REPLACE_ONE).build() : RdpAccountant.create();
    return accountant.compose(each, round).epsilon(config.delta()).epsilon();
  }
}
