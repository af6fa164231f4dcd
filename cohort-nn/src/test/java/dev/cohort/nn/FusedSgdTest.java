package dev.cohort.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.tensor.DType;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.util.List;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/** {@link Tape#backward(Variable, float)}: one SGD step, fused into dense layers' weight-gradient GEMMs. */
class FusedSgdTest {
  private static final float LR = 0.05f;

  private static Tensor images(long seed, int n, Shape example) {
    int[] dims = new int[example.rank() + 1];
    dims[0] = n;
    System.arraycopy(example.dims(), 0, dims, 1, example.rank());
    return RandomStream.of(seed).normal(Shape.of(dims), 0f, 1f);
  }

  private static Tensor labels(long seed, int n, int classes) {
    RandomStream r = RandomStream.of(seed, 1);
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(classes);
    }
    return Tensor.wrap(y, Shape.of(n));
  }

  private static Variable loss(Sequential m, Tape tape, Tensor x, Tensor y) {
    return Losses.sparseSoftmaxCrossEntropy(m.call(tape.constant(x), new ForwardPass(tape, true, null)), y);
  }

  /** Three steps each way from the same weights; returns {separate, fused} models. */
  private static Sequential[] train(LongFunction<Sequential> build, Shape example, int classes) {
    Sequential separate = build.apply(7);
    Sequential fused = build.apply(7);
    for (int step = 0; step < 3; step++) {
      Tensor x = images(step, 20, example);
      Tensor y = labels(step, 20, classes);
      Tape a = new Tape();
      Variable la = loss(separate, a, x, y);
      a.backward(la);
      for (Parameter p : separate.trainableParameters()) {
        p.value().axpyInPlace(-LR, p.grad());
      }
      Tape b = new Tape();
      Variable lb = loss(fused, b, x, y);
      b.backward(lb, LR);
      assertThat(lb.value().floatValue()).isCloseTo(la.value().floatValue(), org.assertj.core.data.Offset.offset(1e-5f));
    }
    return new Sequential[] {separate, fused};
  }

  /** Every weight within a few float32 roundings of the separate update's (a fused multiply-add rounds once). */
  private static void assertClose(Sequential separate, Sequential fused) {
    List<Parameter> ps = separate.trainableParameters();
    List<Parameter> pf = fused.trainableParameters();
    for (int k = 0; k < ps.size(); k++) {
      float[] a = ps.get(k).value().floatData();
      float[] b = pf.get(k).value().floatData();
      for (int i = 0; i < a.length; i++) {
        assertThat(Math.abs(a[i] - b[i])).as("%s[%s]", ps.get(k).name(), i).isLessThanOrEqualTo(8 * Math.ulp(a[i]) + 1e-9f);
      }
    }
  }

  private static boolean allZero(Tensor t) {
    for (float v : t.floatData()) {
      if (v != 0f) {
        return false;
      }
    }
    return true;
  }

  @Test
  void denseKernelsAreUpdatedByTheirGemmAndMatchTheSeparateStep() {
    Sequential[] m = train(seed -> Sequential.builder(Shape.of(30)).seed(seed)
        .add(Layers.dense(16, Activation.RELU)).add(Layers.dense(12, Activation.RELU)).add(Layers.dense(5)).build(),
        Shape.of(30), 5);
    assertClose(m[0], m[1]);
    Sequential initial = Sequential.builder(Shape.of(30)).seed(7).add(Layers.dense(16, Activation.RELU))
        .add(Layers.dense(12, Activation.RELU)).add(Layers.dense(5)).build();
    for (int k = 0; k < initial.trainableParameters().size(); k++) {
      Parameter p = m[1].trainableParameters().get(k);
      assertThat(p.value().floatData()).as(p.name() + " moved").isNotEqualTo(initial.trainableParameters().get(k).value().floatData());
      // A fused kernel never writes its gradient buffer (still the zeros it was created with); biases take the
      // separate update and have a gradient.
      assertThat(allZero(p.grad())).as(p.name()).isEqualTo(p.name().endsWith("kernel"));
    }
  }

  @Test
  void convolutionsTakeTheSeparateUpdateAndDenseLayersAfterThemAreFused() {
    Sequential[] m = train(seed -> Sequential.builder(Shape.of(8, 8, 1)).seed(seed).add(Layers.conv2d(4, 3))
        .add(Layers.maxPool2d(2)).add(Layers.flatten()).add(Layers.dense(10, Activation.RELU)).add(Layers.dense(3))
        .build(), Shape.of(8, 8, 1), 3);
    assertClose(m[0], m[1]);
    for (Parameter p : m[1].trainableParameters()) {
      assertThat(allZero(p.grad())).as(p.name()).isEqualTo(p.name().startsWith("dense") && p.name().endsWith("kernel"));
    }
  }

  @Test
  void aParameterUsedTwiceTakesTheSeparateUpdateToTheBit() {
    Parameter[] w = new Parameter[2];
    Tensor init = RandomStream.of(3).normal(Shape.of(6, 6), 0f, 0.5f);
    Tensor x = RandomStream.of(4).normal(Shape.of(5, 6), 0f, 1f);
    for (int k = 0; k < 2; k++) {
      w[k] = new Parameter("shared/kernel", init, true);
      Tape tape = new Tape();
      Variable wk = tape.watch(w[k]);
      Variable h = NnOps.linear(NnOps.linear(tape.constant(x), wk, null, Activation.RELU), wk, null, Activation.LINEAR);
      Variable loss = h.mul(h).sum();
      if (k == 0) {
        tape.backward(loss);
        w[k].value().axpyInPlace(-LR, w[k].grad());
      } else {
        tape.backward(loss, LR);
      }
    }
    assertThat(w[1].value().floatData()).isEqualTo(w[0].value().floatData());
    assertThat(w[1].value().floatData()).isNotEqualTo(init.floatData());
    assertThat(w[1].grad().floatData()).isEqualTo(w[0].grad().floatData());
  }

  @Test
  void rejectsANegativeOrNonFiniteLearningRate() {
    for (float lr : new float[] {-0.1f, Float.NaN, Float.POSITIVE_INFINITY}) {
      Tape tape = new Tape();
      Variable v = tape.watch(Tensor.zeros(DType.FLOAT32, Shape.of(2)));
      assertThatThrownBy(() -> tape.backward(v.sum(), lr)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("backward: learning rate must be finite and >= 0, got " + lr);
    }
  }
}
