package dev.cohort.learning.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.nn.Activation;
import dev.cohort.nn.Layers;
import dev.cohort.nn.Sequential;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SequentialModelTest {
  static final StructType SPEC = StructType.named("x", TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, 3),
      "y", TensorType.of(DType.INT32, TensorType.UNKNOWN, 1));

  static SequentialModel softmaxRegression() {
    return SequentialModel.of("test.softmax_regression", SPEC,
        () -> Sequential.builder(Shape.of(3)).seed(7).add(Layers.dense(2)).add(Layers.activation(Activation.SOFTMAX))
            .build(),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.sparseCategoricalAccuracy());
  }

  static final Tensor KERNEL = Tensor.of(new float[] {0.5f, -1f, 0.25f, 2f, -0.75f, 0.1f}, 3, 2);
  static final Tensor BIAS = Tensor.vector(0.2f, -0.3f);
  static final Struct BATCH = Struct.named("x", Tensor.of(new float[] {1, 2, 3, -1, 0.5f, 2}, 2, 3),
      "y", Tensor.ofInts(new int[] {0, 1}, 2, 1));

  /** The mean cross-entropy of softmax(xW + b), in float64 from the definition. */
  static double handLoss() {
    float[] x = ((Tensor) BATCH.get("x")).floatData();
    int[] y = ((Tensor) BATCH.get("y")).intData();
    float[] w = KERNEL.floatData();
    double total = 0;
    for (int n = 0; n < 2; n++) {
      double[] z = new double[2];
      for (int j = 0; j < 2; j++) {
        z[j] = BIAS.floatData()[j];
        for (int i = 0; i < 3; i++) {
          z[j] += x[n * 3 + i] * w[i * 2 + j];
        }
      }
      double logSum = Math.log(Math.exp(z[0]) + Math.exp(z[1]));
      total += logSum - z[y[n]];
    }
    return total / 2;
  }

  static ModelWeights handWeights() {
    return new ModelWeights(Struct.of(KERNEL, BIAS), Struct.empty());
  }

  @Test
  void weightsHaveTffsStructureAndRoundTrip() {
    SequentialModel model = softmaxRegression();
    ModelWeights initial = model.initialWeights();
    assertThat(initial.type().toString()).isEqualTo("<trainable=<float32[3,2],float32[2]>,non_trainable=<>>");
    assertThat(ModelWeights.fromValue(initial.toValue())).isEqualTo(initial);
    ModelWorker worker = model.newWorker();
    assertThat(worker.weights()).isEqualTo(initial);
    worker.setWeights(handWeights());
    assertThat(worker.weights()).isEqualTo(handWeights());
    assertThatThrownBy(() -> worker.setWeights(new ModelWeights(Struct.of(KERNEL), Struct.empty())))
        .hasMessageStartingWith("the model's weights and the weights to load differ at element [0]");
    assertThatThrownBy(() -> ModelWeights.fromValue(Struct.of(KERNEL)))
        .hasMessageStartingWith("model weights must be a struct <trainable=<...>,non_trainable=<...>>");
  }

  @Test
  void forwardPassAndGradientsMatchAHandComputation() {
    ModelWorker worker = softmaxRegression().newWorker();
    worker.setWeights(handWeights());
    BatchOutput out = worker.lossAndGradients(BATCH, null);
    assertThat(out.numExamples()).isEqualTo(2);
    assertThat((double) out.loss().floatValue()).isCloseTo(handLoss(), org.assertj.core.data.Offset.offset(1e-6));
    assertThat(out.predictions().shape()).isEqualTo(Shape.of(2, 2));
    // Central differences of the float64 hand loss in one kernel entry.
    Tensor grad = (Tensor) worker.gradients().get(0);
    double h = 1e-3;
    float saved = KERNEL.floatData()[1];
    KERNEL.floatData()[1] = (float) (saved + h);
    double plus = handLoss();
    KERNEL.floatData()[1] = (float) (saved - h);
    double minus = handLoss();
    KERNEL.floatData()[1] = saved;
    assertThat((double) grad.floatData()[1]).isCloseTo((plus - minus) / (2 * h), org.assertj.core.data.Offset.offset(1e-4));
    assertThat(worker.forwardPass(BATCH, false, null).loss()).isEqualTo(out.loss());
  }

  /** A user-written worker: everything delegated except {@link ModelWorker#sgdStep}, which keeps its default. */
  private record Delegating(ModelWorker inner) implements ModelWorker {
    @Override
    public void setWeights(ModelWeights weights) {
      inner.setWeights(weights);
    }

    @Override
    public ModelWeights weights() {
      return inner.weights();
    }

    @Override
    public BatchOutput forwardPass(Struct batch, boolean training, dev.cohort.tensor.RandomStream random) {
      return inner.forwardPass(batch, training, random);
    }

    @Override
    public BatchOutput lossAndGradients(Struct batch, dev.cohort.tensor.RandomStream random) {
      return inner.lossAndGradients(batch, random);
    }

    @Override
    public Struct gradients() {
      return inner.gradients();
    }

    @Override
    public Tensor predict(Tensor x) {
      return inner.predict(x);
    }
  }

  @Test
  void sgdStepIsTheGradientStepInPlaceAndItsDefaultIsTheSameStepToTheBit() {
    SequentialModel model = softmaxRegression();
    float lr = 0.3f;
    // By hand: gradients, then w - lr * g.
    ModelWorker hand = model.newWorker();
    hand.setWeights(handWeights());
    BatchOutput expectedOut = hand.lossAndGradients(BATCH, null);
    List<Tensor> expected = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Tensor w = (Tensor) handWeights().trainable().get(i);
      expected.add(w.copy().axpyInPlace(-lr, (Tensor) hand.gradients().get(i)));
    }
    ModelWorker user = new Delegating(model.newWorker());
    user.setWeights(handWeights());
    assertThat(user.sgdStep(BATCH, lr, null).loss()).isEqualTo(expectedOut.loss());
    assertThat(user.weights().trainable().values()).isEqualTo(expected);
    // The model's own worker fuses the kernel's update into its GEMM: the same step within float32 rounding.
    ModelWorker fused = model.newWorker();
    fused.setWeights(handWeights());
    assertThat(fused.sgdStep(BATCH, lr, null).loss()).isEqualTo(expectedOut.loss());
    for (int i = 0; i < 2; i++) {
      float[] want = expected.get(i).floatData();
      float[] got = ((Tensor) fused.weights().trainable().get(i)).floatData();
      for (int k = 0; k < want.length; k++) {
        assertThat(Math.abs(got[k] - want[k])).isLessThanOrEqualTo(4 * Math.ulp(want[k]));
        assertThat(got[k]).isNotEqualTo(((Tensor) handWeights().trainable().get(i)).floatData()[k]);
      }
    }
  }

  @Test
  void metricsAccumulateOverBatchesAndFinalizeAsKeras() {
    SequentialModel model = softmaxRegression();
    assertThat(model.metrics()).extracting(Metric::name)
        .containsExactly("sparse_categorical_accuracy", "loss", "num_examples", "num_batches");
    ModelWorker worker = model.newWorker();
    worker.setWeights(handWeights());
    Struct second = Struct.named("x", Tensor.of(new float[] {0, 0, 1}, 1, 3), "y", Tensor.ofInts(new int[] {1}, 1, 1));
    List<Object> states = new ArrayList<>();
    for (Metric m : model.metrics()) {
      states.add(m.initialState());
    }
    List<Float> losses = new ArrayList<>();
    List<Long> correct = new ArrayList<>();
    for (Struct batch : List.of(BATCH, second)) {
      BatchOutput out = worker.forwardPass(batch, false, null);
      losses.add(out.loss().floatValue() * out.numExamples());
      Tensor argmax = out.predictions().argmax(1);
      int[] y = ((Tensor) batch.get("y")).intData();
      for (int i = 0; i < y.length; i++) {
        correct.add(argmax.longData()[i] == y[i] ? 1L : 0L);
      }
      for (int i = 0; i < states.size(); i++) {
        states.set(i, model.metrics().get(i).update().apply(states.get(i), out, (Tensor) batch.get("y")));
      }
    }
    List<Object> finals = new ArrayList<>();
    for (int i = 0; i < states.size(); i++) {
      finals.add(model.metrics().get(i).finalizeState(states.get(i)));
    }
    float expectedAccuracy = correct.stream().mapToLong(Long::longValue).sum() / 3f;
    assertThat(((Tensor) finals.get(0)).floatValue()).isEqualTo(expectedAccuracy);
    assertThat(((Tensor) finals.get(1)).floatValue()).isEqualTo((losses.get(0) + losses.get(1)) / 3f);
    assertThat(((Tensor) finals.get(2)).longValue()).isEqualTo(3L);
    assertThat(((Tensor) finals.get(3)).longValue()).isEqualTo(2L);
    assertThat(((Tensor) Metric.loss().finalizeState(Metric.loss().initialState())).floatValue()).isEqualTo(0f);
  }

  @Test
  void eachThreadsWorkerComputesTheSameBitsInParallel() throws Exception {
    SequentialModel model = softmaxRegression();
    ModelWorker reference = model.newWorker();
    reference.setWeights(handWeights());
    BatchOutput expected = reference.lossAndGradients(BATCH, null);
    Struct expectedGradients = (Struct) dev.cohort.learning.Nest.map(reference.gradients(), Tensor::copy);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        results.add(pool.submit(() -> {
          ModelWorker mine = model.newWorker();
          for (int i = 0; i < 200; i++) {
            mine.setWeights(handWeights());
            BatchOutput out = mine.lossAndGradients(BATCH, null);
            if (!out.loss().equals(expected.loss()) || !mine.gradients().equals(expectedGradients)) {
              return false;
            }
          }
          return true;
        }));
      }
      for (Future<Boolean> r : results) {
        assertThat(r.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aBadInputSpecOrDuplicateMetricIsRejectedAtConstruction() {
    StructType wrong = StructType.named("x", TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, 4), "y", TensorType.INT32);
    assertThatThrownBy(() -> SequentialModel.of("m", wrong,
        () -> Sequential.builder(Shape.of(3)).add(Layers.dense(2)).build(), Loss.MEAN_SQUARED_ERROR))
        .hasMessage("input spec <x=float32[?,4],y=int32> must be <x=float32[?,3],y=labels>: the network's examples"
            + " have shape [3]");
    assertThatThrownBy(() -> SequentialModel.of("m", SPEC,
        () -> Sequential.builder(Shape.of(3)).add(Layers.dense(2)).build(), Loss.MEAN_SQUARED_ERROR, Metric.loss()))
        .hasMessageStartingWith("two metrics are named 'loss'");
    assertThatThrownBy(() -> SequentialModel.of("not ok", SPEC,
        () -> Sequential.builder(Shape.of(3)).add(Layers.dense(2)).build(), Loss.MEAN_SQUARED_ERROR))
        .hasMessageContaining("must be dotted identifiers");
  }

  @Test
  void binaryCrossEntropyFromLogitsIsKerasMeanOverLabelsAndExamples() {
    StructType spec = StructType.named("x", TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, 3),
        "y", TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, 2));
    ModelWorker worker = SequentialModel.of("test.multi_label", spec,
        () -> Sequential.builder(Shape.of(3)).add(Layers.dense(2)).build(), Loss.BINARY_CROSSENTROPY_FROM_LOGITS)
        .newWorker();
    worker.setWeights(handWeights());
    float[] targets = {1, 0, 1, 1};
    Struct batch = Struct.named("x", BATCH.get("x"), "y", Tensor.of(targets, 2, 2));
    float[] x = ((Tensor) BATCH.get("x")).floatData();
    double total = 0;
    for (int n = 0; n < 2; n++) {
      for (int j = 0; j < 2; j++) {
        double z = BIAS.floatData()[j];
        for (int i = 0; i < 3; i++) {
          z += x[n * 3 + i] * KERNEL.floatData()[i * 2 + j];
        }
        double p = 1 / (1 + Math.exp(-z));
        total -= targets[n * 2 + j] * Math.log(p) + (1 - targets[n * 2 + j]) * Math.log(1 - p);
      }
    }
    assertThat((double) worker.forwardPass(batch, false, null).loss().floatValue())
        .isCloseTo(total / 4, org.assertj.core.data.Offset.offset(1e-6));
  }
}
