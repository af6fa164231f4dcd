package dev.cohort.learning.algorithms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.Computation;
import dev.cohort.core.ContextStack;
import dev.cohort.core.runtime.InProcessContext;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.Loss;
import dev.cohort.learning.models.Metric;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.models.ModelWorker;
import dev.cohort.learning.models.SequentialModel;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.LearningProcess;
import dev.cohort.nn.Layers;
import dev.cohort.nn.Sequential;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FedAvgTest {
  static final StructType SPEC = StructType.named("x", TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, 4),
      "y", TensorType.of(DType.INT32, TensorType.UNKNOWN, 1));

  static FunctionalModel model() {
    return SequentialModel.of("test.fedavg.logistic", SPEC,
        () -> Sequential.builder(Shape.of(4)).seed(3).add(Layers.dense(3)).build(),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY_FROM_LOGITS, Metric.sparseCategoricalAccuracy());
  }

  /**
   * Client {@code c}'s batches: points around one of three class centres in 4 dimensions, labelled by the centre;
   * client {@code c} holds {@code 5 + 3c} examples in batches of 4, so clients have different weights.
   */
  static List<Struct> clientBatches(int client) {
    RandomStream random = RandomStream.of(20260425, client);
    int n = 5 + 3 * client;
    float[][] centres = {{2, 0, 0, -1}, {-1, 2, 1, 0}, {0, -2, 1, 2}};
    List<Struct> batches = new ArrayList<>();
    for (int start = 0; start < n; start += 4) {
      int b = Math.min(4, n - start);
      float[] x = new float[b * 4];
      int[] y = new int[b];
      for (int i = 0; i < b; i++) {
        y[i] = random.nextInt(3);
        for (int j = 0; j < 4; j++) {
          x[i * 4 + j] = centres[y[i]][j] + (float) random.nextGaussian() * 0.5f;
        }
      }
      batches.add(Struct.named("x", Tensor.wrap(x, Shape.of(b, 4)), "y", Tensor.wrap(y, Shape.of(b, 1))));
    }
    return batches;
  }

  static List<Sequence> clients(int count) {
    List<Sequence> out = new ArrayList<>();
    for (int c = 0; c < count; c++) {
      out.add(Sequence.of(clientBatches(c)));
    }
    return out;
  }

  /** The member of a SERVER-placed result. */
  static Object server(Object value) {
    return ((FederatedValue) value).value();
  }

  static Struct metrics(Struct out, String part) {
    return (Struct) ((Struct) server(out.get("metrics"))).get(part);
  }

  @Test
  void typeSignaturesAndStructuresMirrorTffs() {
    LearningProcess fedAvg = FedAvg.weighted(model(), Optimizer.sgdm(0.1));
    assertThat(fedAvg.initialize().typeSignature().toString()).isEqualTo("( -> <global_model_weights=<trainable="
        + "<float32[4,3],float32[3]>,non_trainable=<>>,distributor=<>,client_work=<>,aggregator=<value_sum_process=<>,"
        + "weight_sum_process=<>>,finalizer=<learning_rate=float32>>@SERVER)");
    assertThat(fedAvg.next().typeSignature().result().toString()).isEqualTo("<state=<global_model_weights=<trainable="
        + "<float32[4,3],float32[3]>,non_trainable=<>>,distributor=<>,client_work=<>,aggregator=<value_sum_process=<>,"
        + "weight_sum_process=<>>,finalizer=<learning_rate=float32>>@SERVER,metrics=<distributor=<>,client_work=<train="
        + "<sparse_categorical_accuracy=float32,loss=float32,num_examples=int64,num_batches=int64>,"
        + "num_non_finite_clients=int32>,aggregator=<mean_value=<>,mean_weight=<>>,finalizer=<update_non_finite=int32>>"
        + "@SERVER>");
    assertThat(fedAvg.next().typeSignature().parameter().toString()).endsWith(
        "client_data={<x=float32[?,4],y=int32[?,1]>*}@CLIENTS>");
  }

  /** What one client's model becomes after local SGD, computed without the learning process. */
  static ModelWeights trainAlone(FunctionalModel model, ModelWeights start, List<Struct> batches, float lr) {
    ModelWorker worker = model.newWorker();
    worker.setWeights(start);
    for (Struct batch : batches) {
      worker.lossAndGradients(batch, null);
      for (int i = 0; i < worker.gradients().size(); i++) {
        Tensor w = (Tensor) worker.weights().trainable().get(i);
        w.axpyInPlace(-lr, (Tensor) worker.gradients().get(i));
        List<Object> t = new ArrayList<>(worker.weights().trainable().values());
        t.set(i, w);
        worker.setWeights(new ModelWeights(Struct.of(t.toArray()), start.nonTrainable()));
      }
    }
    return worker.weights();
  }

  @Test
  void withServerSgdAtRateOneTheNewModelIsTheWeightedMeanOfTheClientModels() {
    FunctionalModel model = model();
    ModelWeights start = model.initialWeights();
    int clients = 3;
    double[][] sums = new double[2][];
    double totalWeight = 0;
    for (int c = 0; c < clients; c++) {
      ModelWeights trained = trainAlone(model, start, clientBatches(c), 0.1f);
      int examples = 5 + 3 * c;
      totalWeight += examples;
      for (int k = 0; k < 2; k++) {
        float[] w = ((Tensor) trained.trainable().get(k)).floatData();
        if (sums[k] == null) {
          sums[k] = new double[w.length];
        }
        for (int i = 0; i < w.length; i++) {
          sums[k][i] += examples * (double) w[i];
        }
      }
    }
    LearningProcess fedAvg = FedAvg.weighted(model, Optimizer.sgdm(0.1));
    Struct out = (Struct) fedAvg.next().call(fedAvg.initialize().call(), clients(clients));
    ModelWeights next = ModelWeights.fromValue(fedAvg.getModelWeights().call(server(out.get("state"))));
    for (int k = 0; k < 2; k++) {
      float[] w = ((Tensor) next.trainable().get(k)).floatData();
      for (int i = 0; i < w.length; i++) {
        assertThat((double) w[i]).isCloseTo(sums[k][i] / totalWeight, org.assertj.core.data.Offset.offset(1e-5));
      }
    }
    Struct train = (Struct) metrics(out, "client_work").get("train");
    assertThat(((Tensor) train.get("num_examples")).longValue()).isEqualTo(5 + 8 + 11);
    assertThat(((Tensor) train.get("num_batches")).longValue()).isEqualTo(2 + 2 + 3);
    assertThat(metrics(out, "finalizer").get("update_non_finite"))
        .isEqualTo(Tensor.scalar(0));
  }

  @Test
  void unweightedFedAvgAveragesClientModelsEqually() {
    FunctionalModel model = model();
    ModelWeights start = model.initialWeights();
    double[] sum = null;
    for (int c = 0; c < 2; c++) {
      float[] w = ((Tensor) trainAlone(model, start, clientBatches(c), 0.1f).trainable().get(1)).floatData();
      sum = sum == null ? new double[w.length] : sum;
      for (int i = 0; i < w.length; i++) {
        sum[i] += w[i] / 2.0;
      }
    }
    LearningProcess fedAvg = FedAvg.unweighted(model, Optimizer.sgdm(0.1));
    Struct out = (Struct) fedAvg.next().call(fedAvg.initialize().call(), clients(2));
    float[] bias = ((Tensor) ModelWeights.fromValue(fedAvg.getModelWeights().call(server(out.get("state")))).trainable()
        .get(1)).floatData();
    for (int i = 0; i < bias.length; i++) {
      assertThat((double) bias[i]).isCloseTo(sum[i], org.assertj.core.data.Offset.offset(1e-6));
    }
  }

  @SuppressWarnings("try") // the scope is the point: it installs the context
  private static Object run(LearningProcess process, int threads, int rounds) {
    try (InProcessContext context = InProcessContext.builder().threads(threads).build();
         ContextStack.Scope scope = ContextStack.install(context)) {
      Object state = process.initialize().call();
      for (int r = 0; r < rounds; r++) {
        state = ((Struct) process.next().call(state, clients(6))).get("state");
      }
      return state;
    }
  }

  @Test
  void roundsAreBitIdenticalAtOneAndTwoThreads() {
    LearningProcess fedAvg = FedAvg.weighted(model(), Optimizer.sgdm(0.1, 0.9), Optimizer.adam(0.05));
    Object one = run(fedAvg, 1, 3);
    Object two = run(fedAvg, 2, 3);
    assertThat(two).isEqualTo(one);
    assertThat(one).isNotEqualTo(run(fedAvg, 1, 2));
  }

  @Test
  void convergesOnSeparableSyntheticData() {
    LearningProcess fedAvg = FedAvg.weighted(model(), Optimizer.sgdm(0.1));
    Object state = fedAvg.initialize().call();
    List<Float> losses = new ArrayList<>();
    float accuracy = 0;
    for (int r = 0; r < 8; r++) {
      Struct out = (Struct) fedAvg.next().call(state, clients(6));
      state = out.get("state");
      Struct train = (Struct) metrics(out, "client_work").get("train");
      losses.add(((Tensor) train.get("loss")).floatValue());
      accuracy = ((Tensor) train.get("sparse_categorical_accuracy")).floatValue();
    }
    for (int i = 1; i < losses.size(); i++) {
      assertThat(losses.get(i)).as("loss of round %d after %s", i + 1, losses).isLessThan(losses.get(i - 1));
    }
    assertThat(losses.get(losses.size() - 1)).isLessThan(losses.get(0) / 3);
    assertThat(accuracy).isGreaterThan(0.9f);
  }

  @Test
  void aClientWithNonFiniteDataIsZeroedAndCounted() {
    FunctionalModel model = model();
    List<Sequence> data = clients(2);
    List<Struct> bad = new ArrayList<>(clientBatches(2));
    Tensor x = ((Tensor) bad.get(0).get("x")).copy();
    x.floatData()[0] = Float.NaN;
    bad.set(0, Struct.named("x", x, "y", bad.get(0).get("y")));
    data.add(Sequence.of(bad));
    LearningProcess fedAvg = FedAvg.weighted(model, Optimizer.sgdm(0.1));
    Object state = fedAvg.initialize().call();
    Struct withBad = (Struct) fedAvg.next().call(state, data);
    Struct without = (Struct) fedAvg.next().call(state, clients(2));
    Struct clientWork = metrics(withBad, "client_work");
    assertThat(clientWork.get("num_non_finite_clients")).isEqualTo(Tensor.scalar(1));
    assertThat(fedAvg.getModelWeights().call(server(withBad.get("state"))))
        .isEqualTo(fedAvg.getModelWeights().call(server(without.get("state"))));
  }

  /**
   * A round whose sampled clients all have zero examples (TFF: {@code 0 / 0} is NaN and the finalizer rejects it): every
   * weighted algorithm aggregates a zero update instead of failing on the division, so with the default server SGD at
   * learning rate 1 the model is unchanged and nothing is NaN.
   */
  @Test
  void weightedAlgorithmsGiveAZeroUpdateWhenEverySampledClientIsEmpty() {
    FunctionalModel model = model();
    dev.cohort.learning.optimizers.LearningRateSchedule constant =
        new dev.cohort.learning.optimizers.LearningRateSchedule("test.fedavg.constant", r -> 0.1);
    List<LearningProcess> processes = List.of(FedAvg.weighted(model, Optimizer.sgdm(0.1)),
        FedProx.weighted(model, 0.5, Optimizer.sgdm(0.1)), ScheduledFedAvg.of(model, constant, Optimizer.sgdm(0.1)),
        FedSgd.of(model, Optimizer.sgdm(1.0)), MimeLite.weighted(model, Optimizer.sgdm(0.1)));
    List<Sequence> empty = List.of(Sequence.of(List.of()), Sequence.of(List.of()));
    for (LearningProcess process : processes) {
      Object state = process.initialize().call();
      Struct out = (Struct) process.next().call(state, empty);
      Object before = process.getModelWeights().call(server(state));
      Object after = process.getModelWeights().call(server(out.get("state")));
      assertThat(after).as(process.next().typeSignature().toString()).isEqualTo(before);
      Struct train = (Struct) metrics(out, "client_work").get("train");
      assertThat(train.get("num_examples")).isEqualTo(Tensor.scalar(0L));
      assertThat(train.get("loss")).isEqualTo(Tensor.scalar(0f));
      assertThat(metrics(out, "finalizer").get("update_non_finite")).isEqualTo(Tensor.scalar(0));
    }
  }

  @Test
  void hyperParametersAndModelWeightsCanBeReadAndSet() {
    LearningProcess fedAvg = FedAvg.weighted(model(), Optimizer.sgdm(0.1), Optimizer.sgdm(1.0, 0.9));
    Object state = server(fedAvg.initialize().call());
    assertThat(fedAvg.getHparams().call(state).toString()).isEqualTo("<finalizer=<learning_rate=1.0,momentum=0.9>>");
    Object changed = fedAvg.setHparams().call(state,
        Struct.named("finalizer", Struct.named("learning_rate", Tensor.scalar(0.5f), "momentum", Tensor.scalar(0.8f))));
    assertThat(fedAvg.getHparams().call(changed).toString()).isEqualTo("<finalizer=<learning_rate=0.5,momentum=0.8>>");
    ModelWeights zeros = ModelWeights.fromValue(dev.cohort.learning.Nest.zeros(model().initialWeights().type()));
    Object reset = fedAvg.setModelWeights().call(state, zeros.toValue());
    assertThat(fedAvg.getModelWeights().call(reset)).isEqualTo(zeros.toValue());
  }

  @Test
  void aSerializedProcessRunsARoundToTheSameBits() {
    LearningProcess fedAvg = FedAvg.weighted(model(), Optimizer.sgdm(0.1), Optimizer.adam(0.05));
    Computation initialize = Computation.deserialize(fedAvg.initialize().serialize());
    Computation next = Computation.deserialize(fedAvg.next().serialize());
    assertThat(next.typeSignature()).isEqualTo(fedAvg.next().typeSignature());
    Object expected = fedAvg.next().call(fedAvg.initialize().call(), clients(3));
    assertThat(next.call(initialize.call(), clients(3))).isEqualTo(expected);
  }
}
