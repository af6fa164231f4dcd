package dev.cohort.simulation.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.ClientSampler;
import dev.cohort.simulation.Dataset;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Tensor;
import dev.cohort.testing.Fuzz;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLoopTest {
  @TempDir
  Path dir;

  /** 12 clients, client i holding the values i, i + 0.5, ..., a few each. */
  static final ClientData CLIENTS = ClientData.of(ids(12), TensorType.FLOAT32, id -> {
    int i = Integer.parseInt(id.substring(1));
    float[] v = new float[1 + i % 4];
    for (int k = 0; k < v.length; k++) {
      v[k] = i + 0.5f * k;
    }
    return Dataset.fromTensorSlices(Tensor.of(v, v.length));
  });

  static List<String> ids(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(String.format("c%02d", i));
    }
    return out;
  }

  /**
   * A toy process: the state is four floats moved toward the mean of the round's examples with a step keyed on the
   * round (so a resumed run must reproduce it from the round alone).
   */
  static final class Toy implements IterativeProcess<float[]> {
    final String fingerprint;

    Toy(String fingerprint) {
      this.fingerprint = fingerprint;
    }

    @Override
    public float[] initialize() {
      return new float[4];
    }

    @Override
    public RoundOutput<float[]> next(float[] state, FederatedValue clientData, int round) {
      double sum = 0;
      int n = 0;
      for (Object d : clientData.members()) {
        for (Object e : (Dataset) d) {
          sum += ((Tensor) e).floatValue();
          n++;
        }
      }
      float mean = (float) (sum / n);
      RandomStream r = RandomStream.of(99, round);
      float[] next = new float[4];
      double loss = 0;
      for (int j = 0; j < 4; j++) {
        next[j] = state[j] + (0.1f + 0.4f * r.nextFloat()) * (mean - state[j]);
        loss += (mean - next[j]) * (mean - next[j]);
      }
      Map<String, Double> m = new LinkedHashMap<>(Metrics.flatten(Struct.named("client_work", Struct.named("train",
          Struct.named("loss", Tensor.scalar((float) loss), "num_examples", Tensor.scalar(n))))));
      return new RoundOutput<>(next, m);
    }

    @Override
    public String fingerprint() {
      return fingerprint;
    }

    @Override
    public byte[] saveState(float[] state) {
      ByteBuffer b = ByteBuffer.allocate(4 * state.length);
      for (float v : state) {
        b.putFloat(v);
      }
      return b.array();
    }

    @Override
    public float[] loadState(byte[] bytes) {
      if (bytes.length != 16) {
        throw new IllegalArgumentException("a toy state has 16 bytes, found " + bytes.length);
      }
      ByteBuffer b = ByteBuffer.wrap(bytes);
      float[] s = new float[4];
      for (int j = 0; j < 4; j++) {
        s[j] = b.getFloat();
      }
      return s;
    }
  }

  static final Evaluation<float[]> EVAL = (state, round) -> Map.of("mean", (double) (state[0] + state[1]) / 2);

  /** A listener that "kills" the run after a round, as a crash would, and records what it hears. */
  static final class Recorder implements TrainingListener {
    final int killAfter;
    final List<String> heard = new ArrayList<>();

    Recorder(int killAfter) {
      this.killAfter = killAfter;
    }

    @Override
    public void resumed(int round, Path checkpoint) {
      heard.add("resumed after " + round + " from " + checkpoint.getFileName());
    }

    @Override
    public void checkpointSkipped(Path checkpoint, String problem) {
      heard.add("skipped " + checkpoint.getFileName() + ": " + problem);
    }

    @Override
    public void roundDone(int round, int totalRounds, Map<String, Double> metrics, java.time.Duration took) {
      if (round == killAfter) {
        throw new IllegalStateException("killed after round " + round);
      }
    }
  }

  private TrainingLoop.Result<float[]> run(Path run, Toy toy, Recorder listener) {
    return TrainingLoop.builder(toy, CLIENTS, ClientSampler.uniform(CLIENTS.clientIds(), 4, 7), 10)
        .evaluation(EVAL, 4)
        .checkpoints(run.resolve("ckpt"), 3, 2)
        .sinks(new CsvMetrics(run.resolve("metrics.csv")), new JsonLinesMetrics(run.resolve("metrics.jsonl")))
        .listener(listener)
        .build().run();
  }

  private static int[] bits(float[] state) {
    int[] out = new int[state.length];
    for (int i = 0; i < state.length; i++) {
      out[i] = Float.floatToRawIntBits(state[i]);
    }
    return out;
  }

  @Test
  void aRunKilledAfterRoundSevenAndResumedEqualsAnUninterruptedRunBitForBit() throws IOException {
    Path whole = dir.resolve("whole");
    float[] expected = run(whole, new Toy("toy"), new Recorder(-1)).state();
    assertThat(expected[0]).isNotZero();
    try (var s = Files.list(whole.resolve("ckpt"))) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("checkpoint-000000009.ckpt", "checkpoint-000000010.ckpt"); // rounds 3, 6, 9, 10; keep 2
    }

    Path killed = dir.resolve("killed");
    assertThatThrownBy(() -> run(killed, new Toy("toy"), new Recorder(7))).hasMessage("killed after round 7");
    Files.writeString(killed.resolve("ckpt").resolve("checkpoint-000000009.ckpt.tmp"), "half-written by the kill");
    Files.writeString(killed.resolve("metrics.jsonl"), "{\"round\":8,\"client_wo", StandardOpenOption.APPEND);
    Recorder second = new Recorder(-1);
    TrainingLoop.Result<float[]> resumed = run(killed, new Toy("toy"), second);
    assertThat(second.heard).containsExactly("resumed after 6 from checkpoint-000000006.ckpt");
    assertThat(resumed.resumedAfter()).isEqualTo(6);
    assertThat(bits(resumed.state())).isEqualTo(bits(expected));
    // What the killed run released for round 7 was dropped and released again: the files are the same.
    assertThat(Files.readString(killed.resolve("metrics.csv"))).isEqualTo(Files.readString(whole.resolve("metrics.csv")));
    assertThat(Files.readString(killed.resolve("metrics.jsonl")))
        .isEqualTo(Files.readString(whole.resolve("metrics.jsonl")));
  }

  @Test
  void aCorruptNewestCheckpointFallsBackToThePreviousOneAndSaysSo() throws IOException {
    Path whole = dir.resolve("whole");
    float[] expected = run(whole, new Toy("toy"), new Recorder(-1)).state();
    Path killed = dir.resolve("killed");
    assertThatThrownBy(() -> run(killed, new Toy("toy"), new Recorder(7))).hasMessage("killed after round 7");
    Path newest = killed.resolve("ckpt").resolve("checkpoint-000000006.ckpt");
    byte[] b = Files.readAllBytes(newest);
    b[b.length - 6] ^= 0x40; // a state byte
    Files.write(newest, b);
    Recorder second = new Recorder(-1);
    TrainingLoop.Result<float[]> resumed = run(killed, new Toy("toy"), second);
    assertThat(second.heard).hasSize(2);
    assertThat(second.heard.get(0)).startsWith("skipped checkpoint-000000006.ckpt: corrupt: its CRC-32 is 0x");
    assertThat(second.heard.get(1)).isEqualTo("resumed after 3 from checkpoint-000000003.ckpt");
    assertThat(bits(resumed.state())).isEqualTo(bits(expected));
    assertThat(Files.readString(killed.resolve("metrics.csv"))).isEqualTo(Files.readString(whole.resolve("metrics.csv")));

    Files.write(killed.resolve("ckpt").resolve("checkpoint-000000009.ckpt"), new byte[] {1, 2, 3});
    Files.write(killed.resolve("ckpt").resolve("checkpoint-000000010.ckpt"), new byte[0]);
    assertThatThrownBy(() -> run(killed, new Toy("toy"), new Recorder(-1)))
        .isInstanceOf(CheckpointException.class)
        .hasMessage(killed.resolve("ckpt") + ": no checkpoint can be read: checkpoint-000000010.ckpt: truncated: 0"
            + " bytes; checkpoint-000000009.ckpt: truncated: 3 bytes");
  }

  @Test
  void aCheckpointOfAnotherModelIsRefusedNamingBoth() {
    Path run = dir.resolve("run");
    run(run, new Toy("toy 4 floats, lr 0.1"), new Recorder(-1));
    assertThatThrownBy(() -> run(run, new Toy("toy 8 floats"), new Recorder(-1)))
        .isInstanceOf(CheckpointException.class)
        .hasMessage(run.resolve("ckpt").resolve("checkpoint-000000010.ckpt") + ": a checkpoint of another model or"
            + " algorithm: it is of 'toy 4 floats, lr 0.1', this run's process is 'toy 8 floats'");
  }

  @Test
  void metricsAreReleasedPerRoundWithEvaluationAtRoundZeroAndEveryKthRound() throws IOException {
    Path run = dir.resolve("run");
    run(run, new Toy("toy"), new Recorder(-1));
    List<String> csv = Files.readAllLines(run.resolve("metrics.csv"));
    assertThat(csv.get(0)).isEqualTo("round,evaluation/mean,client_work/train/loss,client_work/train/num_examples");
    assertThat(csv).hasSize(12); // header, round 0, rounds 1..10
    assertThat(csv.get(1)).isEqualTo("0,0.0,,");
    assertThat(csv.get(2)).matches("1,,[0-9.E-]+,[0-9]+\\.0");
    assertThat(csv.get(5)).matches("4,[0-9.E-]+,[0-9.E-]+,[0-9]+\\.0");
    List<String> json = Files.readAllLines(run.resolve("metrics.jsonl"));
    assertThat(json).hasSize(11);
    assertThat(json.get(0)).isEqualTo("{\"round\":0,\"evaluation/mean\":0.0}");
    assertThat(json.get(1)).startsWith("{\"round\":1,\"client_work/train/loss\":");
  }

  @Test
  void fuzzedCheckpointsAreResumedFromOrRejectedNamingTheFile() throws IOException {
    Path ckpt = dir.resolve("fuzz");
    Checkpoints writer = new Checkpoints(ckpt, "toy", "run");
    Path valid = writer.write(3, new Toy("toy").saveState(new float[] {1, 2, 3, 4}), 1);
    byte[] bytes = Files.readAllBytes(valid);
    Fuzz.Report report = Fuzz.format("checkpoint", List.of(bytes)).seed(20260506).mutations(1500)
        .budget(Duration.ofSeconds(120))
        .rejects(CheckpointException.class)
        .messagesStartWith(ckpt.toString())
        .run(candidate -> {
          Files.write(valid, candidate);
          Checkpoints.Loaded loaded = new Checkpoints(ckpt, "toy", "run").latest(new TrainingListener() {});
          if (loaded != null) {
            new Toy("toy").loadState(loaded.state());
          }
        });
    assertThat(report.rejected()).isPositive();
  }

  @Test
  void flattenJoinsNestedNamesWithSlashes() {
    Map<String, Double> m = Metrics.flatten(Struct.named("client_work", Struct.named("train", Struct.named("loss",
        Tensor.scalar(0.5f), "accuracy", Tensor.scalar(0.25f))), "finalizer", Struct.named("update_non_finite",
        Tensor.scalar(0))));
    assertThat(m).containsExactly(Map.entry("client_work/train/loss", 0.5), Map.entry("client_work/train/accuracy",
        0.25), Map.entry("finalizer/update_non_finite", 0.0));
    assertThatThrownBy(() -> Metrics.flatten(Struct.named("x", Tensor.of(new float[2], 2))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("metric 'x' must be a scalar tensor");
  }
}
