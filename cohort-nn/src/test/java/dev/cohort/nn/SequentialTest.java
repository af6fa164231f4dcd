package dev.cohort.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SequentialTest {

  @Test
  void glorotUniformStaysWithinItsLimitAndBiasesStartAtZero() {
    Sequential m = Sequential.builder(Shape.of(300)).add(Layers.dense(100)).build();
    float limit = (float) Math.sqrt(6.0 / 400);
    Tensor k = m.weights().get("dense/kernel");
    assertThat(k.max().floatValue()).isLessThan(limit).isGreaterThan(0.95f * limit);
    assertThat(k.min().floatValue()).isGreaterThan(-limit).isLessThan(-0.95f * limit);
    assertThat(m.weights().get("dense/bias").norm().floatValue()).isZero();
  }

  @Test
  void heNormalHasTheKerasStandardDeviation() {
    Tensor t = Initializer.heNormal().initialize(Shape.of(400, 300), RandomStream.of(1));
    double var = t.square().mean().floatValue();
    // Truncated at 2 sigma of stddev s/0.8796, the variance is back to s^2 = 2/fanIn.
    assertThat(var).isCloseTo(2.0 / 400, org.assertj.core.data.Offset.offset(0.0002));
  }

  @Test
  void orthogonalInitializerGivesOrthonormalRowsOrColumns() {
    for (int[] shape : new int[][] {{6, 4}, {4, 6}, {5, 5}}) {
      Tensor q = Initializer.orthogonal(1f).initialize(Shape.of(shape), RandomStream.of(2));
      Tensor gram = shape[0] >= shape[1] ? q.transpose().matmul(q) : q.matmul(q.transpose());
      int n = Math.min(shape[0], shape[1]);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          assertThat(gram.getFloat(i, j)).isCloseTo(i == j ? 1f : 0f, org.assertj.core.data.Offset.offset(1e-5f));
        }
      }
    }
  }

  @Test
  void mlpLearnsASeparableProblem() {
    Sequential m = Sequential.builder(Shape.of(2)).seed(3)
        .add(Layers.dense(16, Activation.TANH)).add(Layers.dense(2)).build();
    RandomStream rng = RandomStream.of(4);
    Tensor x = rng.uniform(Shape.of(64, 2), -1, 1);
    int[] y = new int[64];
    for (int i = 0; i < 64; i++) {
      y[i] = x.getFloat(i, 0) * x.getFloat(i, 1) > 0 ? 1 : 0; // XOR-like quadrants
    }
    Tensor labels = Tensor.ofInts(y, 64);
    float first = 0;
    float last = 0;
    for (int step = 0; step < 400; step++) {
      Tape tape = new Tape();
      Variable loss = Losses.sparseSoftmaxCrossEntropy(m.call(tape.constant(x), new ForwardPass(tape, true, null)), labels);
      tape.backward(loss);
      for (Parameter p : m.trainableParameters()) {
        p.value().axpyInPlace(-0.5f, p.grad());
      }
      if (step == 0) {
        first = loss.value().floatValue();
      }
      last = loss.value().floatValue();
    }
    assertThat(first).isGreaterThan(0.6f);
    assertThat(last).isLessThan(0.2f);
    long correct = 0;
    Tensor pred = m.predict(x).argmax(1);
    for (int i = 0; i < 64; i++) {
      correct += pred.longData()[i] == y[i] ? 1 : 0;
    }
    assertThat(correct).isGreaterThanOrEqualTo(60);
  }

  @Test
  void dropoutIsKeyedAndOnlyActiveInTraining() {
    Sequential m = Sequential.builder(Shape.of(1000)).add(Layers.dropout(0.25)).build();
    Tensor x = Tensor.ones(2, 1000);
    assertThat(m.predict(x)).isEqualTo(x);
    Tape t1 = new Tape();
    Tensor a = m.call(t1.constant(x), new ForwardPass(t1, true, RandomStream.of(9, 1))).value();
    Tape t2 = new Tape();
    Tensor b = m.call(t2.constant(x), new ForwardPass(t2, true, RandomStream.of(9, 1))).value();
    Tape t3 = new Tape();
    Tensor c = m.call(t3.constant(x), new ForwardPass(t3, true, RandomStream.of(9, 2))).value();
    assertThat(a).isEqualTo(b).isNotEqualTo(c);
    long zeros = 0;
    for (float v : a.floatData()) {
      assertThat(v).isIn(0f, 1f / 0.75f);
      zeros += v == 0 ? 1 : 0;
    }
    assertThat(zeros).isBetween(400L, 600L);
    Tape t4 = new Tape();
    assertThatThrownBy(() -> m.call(t4.constant(x), new ForwardPass(t4, true, null)))
        .hasMessage("layer dropout needs random numbers in training: pass a RandomStream to the ForwardPass");
  }

  @Test
  void textModelWithEmbeddingAndRecurrentLayersHasKerasShapes() {
    Sequential gru = Sequential.builder(Shape.of(5)).seed(1)
        .add(Layers.embedding(86, 8))
        .add(Layers.gru(16).withReturnSequences(true))
        .add(Layers.dense(86))
        .build();
    assertThat(gru.outputShape()).isEqualTo(Shape.of(5, 86));
    // embedding 86*8, GRU 8*48 + 16*48 + 2*48, dense 16*86+86 (Keras counts for reset_after=True).
    assertThat(gru.parameterCount()).isEqualTo(86 * 8 + (8 * 48 + 16 * 48 + 96) + (16 * 86 + 86));
    Tensor tokens = Tensor.ofInts(new int[] {1, 2, 3, 4, 5, 85, 0, 0, 0, 0}, 2, 5);
    assertThat(gru.predict(tokens).shape()).isEqualTo(Shape.of(2, 5, 86));
    Sequential lstm = Sequential.builder(Shape.of(5)).add(Layers.embedding(86, 8)).add(Layers.lstm(16)).build();
    assertThat(lstm.predict(tokens).shape()).isEqualTo(Shape.of(2, 16));
    assertThat(lstm.weights().get("lstm/bias").slice(new int[] {16}, new int[] {16}).min().floatValue()).isEqualTo(1f);
    assertThatThrownBy(() -> gru.predict(Tensor.ofInts(new int[] {86, 0, 0, 0, 0}, 1, 5)))
        .hasMessage("gather: index 86 at position 0 is out of range [0, 86) for axis 0 of shape [86, 8]");
  }

  @Test
  void wrongInputShapeIsRejected() {
    Sequential m = Sequential.builder(Shape.of(784)).add(Layers.dense(10)).build();
    assertThatThrownBy(() -> m.predict(Tensor.zeros(2, 783))).hasMessage("model input has shape [2, 783], expected [batch] + [784]");
    assertThatThrownBy(() -> Layers.dense(0)).hasMessage("dense: units (0) must be > 0");
  }

  @Test
  void tapeRejectsReuseAndNonScalarLosses() {
    Tape tape = new Tape();
    Variable x = tape.watch(Tensor.vector(1, 2));
    assertThatThrownBy(() -> tape.backward(x)).hasMessage("backward: loss must be a scalar, got shape [2]");
    Variable s = x.sum();
    tape.backward(s);
    assertThat(tape.gradient(x)).isEqualTo(Tensor.vector(1, 1));
    assertThatThrownBy(() -> x.mul(2f)).hasMessage("this tape already ran backward(); record the next step on a new Tape");
  }
}
