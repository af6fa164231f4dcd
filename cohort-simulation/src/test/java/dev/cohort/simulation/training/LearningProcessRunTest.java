package dev.cohort.simulation.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.algorithms.FedAvg;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.Loss;
import dev.cohort.learning.models.Metric;
import dev.cohort.learning.models.SequentialModel;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.LearningProcess;
import dev.cohort.nn.Layers;
import dev.cohort.nn.Sequential;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.ClientSampler;
import dev.cohort.simulation.Dataset;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training driver runs a real cohort-learning process (FedAvg of a logistic model): a run killed after round 3
 * and resumed from its round-2 checkpoint ends with the weights and metrics of a run never stopped, bit for bit, and
 * a checkpoint of another model is refused.
 */
class LearningProcessRunTest {
  private static final StructType SPEC = StructType.named("x", TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, 2),
      "y", TensorType.of(DType.INT32, TensorType.UNKNOWN, 1));
  private static final long SEED = 20261202;

  @TempDir
  Path dir;

  /** Twelve clients of 3..14 points in the plane labelled by the sign of a skewed line, one client's skew each. */
  private static final ClientData CLIENTS = clients();

  private static ClientData clients() {
    List<String> ids = new ArrayList<>();
    for (int c = 0; c < 12; c++) {
      ids.add(String.format("c%02d", c));
    }
    StructType element = StructType.named("x", TensorType.of(DType.FLOAT32, 2), "y", TensorType.of(DType.INT32, 1));
    return ClientData.of(ids, element, id -> {
      int c = Integer.parseInt(id.substring(1));
      RandomStream random = RandomStream.of(SEED, c);
      int n = 3 + c;
      float[] x = new float[2 * n];
      int[] y = new int[n];
      for (int i = 0; i < n; i++) {
        x[2 * i] = (float) random.nextGaussian() + 0.1f * c;
        x[2 * i + 1] = (float) random.nextGaussian();
        y[i] = x[2 * i] + 0.5f * x[2 * i + 1] > 0.3f * c / 12 ? 1 : 0;
      }
      return Dataset.fromTensorSlices(Struct.named("x", Tensor.wrap(x, Shape.of(n, 2)), "y",
          Tensor.wrap(y, Shape.of(n, 1))));
    });
  }

  private static LearningProcess fedAvg(int... hidden) {
    String name = "test.simulation.learning_run" + IntStream.of(hidden).mapToObj(h -> "_" + h)
        .collect(Collectors.joining());
    FunctionalModel model = SequentialModel.of(name, SPEC, () -> {
      Sequential.Builder b = Sequential.builder(Shape.of(2)).seed(3);
      for (int h : hidden) {
        b.add(Layers.dense(h));
      }
      return b.add(Layers.dense(2)).build();
    }, Loss.SPARSE_CATEGORICAL_CROSSENTROPY_FROM_LOGITS, Metric.sparseCategoricalAccuracy());
    return FedAvg.weighted(model, Optimizer.sgdm(0.1));
  }

  private static LearningProcessRun run(LearningProcess process) {
    return LearningProcessRun.of(process, "fedavg sgd 0.1, 2 epochs, batch 4",
        (d, round, client) -> d.shuffle(16, SEED, round, client).repeat(2).batch(4));
  }

  private TrainingLoop.Result<Object> train(Path at, LearningProcessRun process, TrainingLoopTest.Recorder listener) {
    return TrainingLoop.builder(process, CLIENTS, ClientSampler.uniform(CLIENTS.clientIds(), 4, SEED), 6)
        .checkpoints(at.resolve("ckpt"), 2, 2)
        .sinks(new JsonLinesMetrics(at.resolve("metrics.jsonl")))
        .listener(listener)
        .build().run();
  }

  @Test
  void aKilledAndResumedFedAvgRunEqualsAnUninterruptedOneBitForBit() throws IOException {
    Path whole = dir.resolve("whole");
    TrainingLoop.Result<Object> uninterrupted = train(whole, run(fedAvg()), new TrainingLoopTest.Recorder(-1));
    Path killed = dir.resolve("killed");
    assertThatThrownBy(() -> train(killed, run(fedAvg()), new TrainingLoopTest.Recorder(3)))
        .hasMessage("killed after round 3");
    TrainingLoopTest.Recorder second = new TrainingLoopTest.Recorder(-1);
    TrainingLoop.Result<Object> resumed = train(killed, run(fedAvg()), second);
    assertThat(second.heard).containsExactly("resumed after 2 from checkpoint-000000002.ckpt");
    assertThat(resumed.resumedAfter()).isEqualTo(2);
    assertThat(resumed.state()).isEqualTo(uninterrupted.state());
    assertThat(TensorStates.save(resumed.state())).isEqualTo(TensorStates.save(uninterrupted.state()));
    String metrics = Files.readString(whole.resolve("metrics.jsonl"));
    assertThat(Files.readString(killed.resolve("metrics.jsonl"))).isEqualTo(metrics);
    assertThat(metrics).contains("\"client_work/train/loss\"").contains("\"round\":6");
    // The process trained: the weights moved from the initial ones.
    assertThat(TensorStates.save(uninterrupted.state())).isNotEqualTo(TensorStates.save(run(fedAvg()).initialize()));
  }

  @Test
  void aCheckpointOfAnotherModelIsRefusedNamingBothFingerprints() {
    Path at = dir.resolve("run");
    train(at, run(fedAvg()), new TrainingLoopTest.Recorder(-1));
    LearningProcessRun other = run(fedAvg(3));
    assertThat(other.fingerprint()).isNotEqualTo(run(fedAvg()).fingerprint())
        .startsWith("fedavg sgd 0.1, 2 epochs, batch 4; next: (<");
    assertThatThrownBy(() -> train(at, other, new TrainingLoopTest.Recorder(-1)))
        .isInstanceOf(CheckpointException.class)
        .hasMessageStartingWith(at.resolve("ckpt").resolve("checkpoint-000000006.ckpt")
            + ": a checkpoint of another model or algorithm: it is of '" + run(fedAvg()).fingerprint() + "'")
        .hasMessageContaining("this run's process is '" + other.fingerprint() + "'");
  }

  @Test
  void stateBytesOfAnotherStructureAreRefusedSayingWhichTensor() {
    Object state = run(fedAvg()).initialize();
    byte[] bytes = TensorStates.save(state);
    assertThat(TensorStates.load(bytes, state)).isEqualTo(state);
    Object wider = run(fedAvg(3)).initialize();
    byte[] widerBytes = TensorStates.save(wider);
    assertThatThrownBy(() -> TensorStates.load(bytes, wider)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("it holds " + java.nio.ByteBuffer.wrap(bytes).getInt() + " tensors, the state of this process "
            + java.nio.ByteBuffer.wrap(widerBytes).getInt());
    Object widerStill = run(fedAvg(4)).initialize();
    assertThatThrownBy(() -> TensorStates.load(widerBytes, widerStill)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tensor 0 is FLOAT32[2, 3], expected FLOAT32[2, 4]"); // the first kernel: 2 inputs, 3 vs 4 units
    byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 3);
    assertThatThrownBy(() -> TensorStates.load(cut, state)).hasMessageStartingWith("it ends early");
    byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> TensorStates.load(longer, state)).hasMessage("bytes follow the last tensor");
  }
}
