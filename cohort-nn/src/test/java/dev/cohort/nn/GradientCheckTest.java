package dev.cohort.nn;

import static dev.cohort.nn.GradientCheck.check;

import dev.cohort.tensor.Padding;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Every differentiable op against central finite differences. */
class GradientCheckTest {
  private final RandomStream rng = RandomStream.of(2024);

  private Tensor u(int... shape) {
    return rng.uniform(Shape.of(shape), -1, 1);
  }

  /** Uniform values kept at least {@code margin} away from 0 (for kinks at 0). */
  private Tensor away(float margin, int... shape) {
    Tensor t = u(shape);
    float[] d = t.floatData();
    for (int i = 0; i < d.length; i++) {
      d[i] = Math.copySign(margin + Math.abs(d[i]), d[i]);
    }
    return t;
  }

  private Tensor positive(int... shape) {
    return rng.uniform(Shape.of(shape), 0.5f, 2f);
  }

  @Test
  void elementwiseBinaryWithBroadcasting() {
    check("add", v -> v.get(0).add(v.get(1)), u(2, 3), u(3));
    check("sub", v -> v.get(0).sub(v.get(1)), u(2, 1), u(1, 4));
    check("mul", v -> v.get(0).mul(v.get(1)), u(2, 3), u(2, 3));
    check("mul-broadcast", v -> v.get(0).mul(v.get(1)), u(4, 1, 3), u(2, 1));
    check("div", v -> v.get(0).div(v.get(1)), u(2, 3), positive(3));
    check("add-self", v -> v.get(0).add(v.get(0)).mul(v.get(0)), u(5));
    Tensor a = u(6);
    Tensor b = a.add(away(0.2f, 6));
    check("maximum", v -> v.get(0).maximum(v.get(1)), a, b);
    check("minimum", v -> v.get(0).minimum(v.get(1)), a, b);
  }

  @Test
  void elementwiseUnary() {
    check("neg", v -> v.get(0).neg(), u(3, 2));
    check("exp", v -> v.get(0).exp(), u(3, 2));
    check("log", v -> v.get(0).log(), positive(3, 2));
    check("sqrt", v -> v.get(0).sqrt(), positive(3, 2));
    check("square", v -> v.get(0).square(), u(3, 2));
    check("abs", v -> v.get(0).abs(), away(0.1f, 3, 2));
    check("tanh", v -> v.get(0).tanh(), u(3, 2));
    check("sigmoid", v -> v.get(0).sigmoid(), u(3, 2));
    check("relu", v -> v.get(0).relu(), away(0.1f, 3, 2));
    Tensor x = away(0.1f, 10).mul(2f);
    check("clip", v -> v.get(0).clip(-0.8f, 0.8f), x.add(Tensor.scalar(0.05f)));
    check("add-scalar", v -> v.get(0).add(2f).mul(3f), u(4));
  }

  @Test
  void reductions() {
    check("sum", v -> v.get(0).sum(), u(3, 4));
    check("sum-axis", v -> v.get(0).sum(false, 1), u(3, 4, 2));
    check("sum-keep", v -> v.get(0).sum(true, 0, 2), u(3, 4, 2));
    check("mean", v -> v.get(0).mean(), u(3, 4));
    check("mean-axis", v -> v.get(0).mean(false, -1), u(3, 4));
    float[] distinct = new float[12];
    for (int i = 0; i < 12; i++) {
      distinct[i] = (i * 7 % 12) * 0.3f;
    }
    check("max-axis", v -> v.get(0).max(false, 1), Tensor.of(distinct, 3, 4));
    check("norm", v -> v.get(0).norm(), u(5));
  }

  @Test
  void layoutOps() {
    check("reshape", v -> v.get(0).reshape(4, 3).mul(v.get(1)), u(2, 6), u(3));
    check("transpose", v -> v.get(0).transpose(2, 0, 1), u(2, 3, 4));
    check("transpose-2d", v -> v.get(0).transpose(), u(3, 5));
    check("slice", v -> v.get(0).slice(new int[] {1, 0, 1}, new int[] {1, 3, -1}), u(2, 3, 4));
    check("gather", v -> v.get(0).gather(Tensor.ofInts(new int[] {2, 0, 2}, 3), 0), u(4, 3));
    check("gather-axis1", v -> v.get(0).gather(Tensor.ofLongs(new long[] {1, 1}, 2), 1), u(2, 3));
    check("concat", v -> Variable.concat(1, v.get(0), v.get(1)), u(2, 3), u(2, 2));
    check("stack", v -> Variable.stack(1, v.get(0), v.get(1)), u(2, 3), u(2, 3));
  }

  @Test
  void matmul() {
    check("matmul", v -> v.get(0).matmul(v.get(1)), u(3, 4), u(4, 5));
    check("matmul-batched", v -> v.get(0).matmul(v.get(1)), u(2, 3, 4), u(2, 4, 5));
    check("matmul-shared-right", v -> v.get(0).matmul(v.get(1)), u(2, 3, 4), u(4, 5));
    check("matmul-shared-left", v -> v.get(0).matmul(v.get(1)), u(3, 4), u(2, 4, 5));
  }

  @Test
  void convolutionAndPooling() {
    check("conv2d-same", v -> v.get(0).conv2d(v.get(1), 1, 1, Padding.SAME), u(2, 5, 5, 3), u(3, 3, 3, 4));
    check("conv2d-valid-strided", v -> v.get(0).conv2d(v.get(1), 2, 1, Padding.VALID), u(1, 7, 6, 2), u(3, 2, 2, 3));
    check("conv2d-bias-relu", v -> NnOps.conv2d(v.get(0), v.get(1), v.get(2), 1, 1, Padding.SAME, Activation.RELU),
        u(1, 4, 4, 2), u(3, 3, 2, 3), away(0.3f, 3));
    // 5x5, stride 1, 32 or more channels: the Winograd F(4x4, 5x5) kernel. The convolution is linear in each
    // input, so central differences are exact at any step: a step of 1 keeps the float32 rounding of the 192
    // outputs' sum (each of up to 192 products) below the tolerance.
    GradientCheck.check("conv2d-winograd-5x5", 1.0, 3e-3, v -> v.get(0).conv2d(v.get(1), 1, 1, Padding.SAME),
        u(1, 3, 2, 32), u(5, 5, 32, 32));
    float[] distinct = new float[2 * 4 * 4 * 3];
    for (int i = 0; i < distinct.length; i++) {
      distinct[i] = ((i * 37) % distinct.length) * 0.05f;
    }
    check("maxpool", v -> v.get(0).maxPool(2, 2, 2, 2, Padding.VALID), Tensor.of(distinct, 2, 4, 4, 3));
    check("maxpool-same-overlap", v -> v.get(0).maxPool(3, 3, 2, 2, Padding.SAME), Tensor.of(distinct, 2, 4, 4, 3));
  }

  @Test
  void softmaxFamily() {
    check("softmax", v -> v.get(0).softmax(-1), u(3, 5));
    check("softmax-axis0", v -> v.get(0).softmax(0), u(3, 5));
    check("log-softmax", v -> v.get(0).logSoftmax(1), u(3, 5));
  }

  @Test
  void fusedDenseForEveryActivation() {
    for (Activation a : Activation.values()) {
      check("dense-" + a, v -> NnOps.linear(v.get(0), v.get(1), v.get(2), a), u(4, 3), u(3, 5), u(5));
    }
    check("dense-rank3-nobias", v -> NnOps.linear(v.get(0), v.get(1), null, Activation.TANH), u(2, 3, 4), u(4, 2));
  }

  @Test
  void losses() {
    Tensor labels = Tensor.ofInts(new int[] {2, 0, 4}, 3);
    check("sparse-softmax-ce", v -> Losses.sparseSoftmaxCrossEntropy(v.get(0), labels), u(3, 5));
    Tensor probs = rng.uniform(Shape.of(3, 5), 0.1f, 0.9f); // away from the clip at 1 - 1e-7
    check("sparse-ce-probabilities", v -> Losses.sparseCategoricalCrossEntropy(v.get(0), labels), probs);
    Tensor targets = rng.uniform(Shape.of(4, 2), 0, 1);
    check("bce-logits", v -> Losses.binaryCrossEntropyFromLogits(v.get(0), targets), u(4, 2).mul(3f));
    check("mse", v -> Losses.meanSquaredError(v.get(0), targets), u(4, 2));
  }

  @Test
  void parametersUsedSeveralTimesOnOneTapeAccumulateOneGradient() {
    // FedProx-style: loss = CE(model(x)) + mu/2 ||w - w0||^2, where the proximal term watches the same kernel.
    Sequential m = Sequential.builder(Shape.of(3)).seed(4).add(Layers.dense(2)).build();
    Parameter kernel = m.trainableParameters().get(0);
    Tensor w0 = kernel.value().copy().add(0.5f);
    Tensor x = u(4, 3);
    Tensor y = Tensor.ofInts(new int[] {0, 1, 1, 0}, 4);
    float mu = 0.7f;
    Tape tape = new Tape();
    ForwardPass pass = new ForwardPass(tape, true, null);
    Variable task = Losses.sparseSoftmaxCrossEntropy(m.call(tape.constant(x), pass), y);
    Variable again = Losses.sparseSoftmaxCrossEntropy(m.call(tape.constant(x), new ForwardPass(tape, true, null)), y);
    Variable prox = tape.watch(kernel).sub(tape.constant(w0)).square().sum().mul(mu / 2);
    tape.backward(task.add(again).add(prox));
    float[] analytic = kernel.grad().toFloatArray();
    float[] w = kernel.value().floatData();
    for (int i = 0; i < w.length; i++) {
      float saved = w[i];
      w[i] = saved + 1e-2f;
      double plus = fedProxLoss(m, x, y, w0, mu);
      w[i] = saved - 1e-2f;
      double minus = fedProxLoss(m, x, y, w0, mu);
      w[i] = saved;
      org.assertj.core.api.Assertions.assertThat((double) analytic[i])
          .isCloseTo((plus - minus) / 2e-2, org.assertj.core.data.Offset.offset(2e-3));
    }
    // The bias is reached twice through the model and never by the proximal term.
    org.assertj.core.api.Assertions.assertThat(m.trainableParameters().get(1).grad().norm().floatValue()).isPositive();
  }

  private static double fedProxLoss(Sequential m, Tensor x, Tensor y, Tensor w0, float mu) {
    double ce = 2 * Losses.sparseSoftmaxCrossEntropy(new Tape().constant(m.predict(x)), y).value().floatValue();
    Tensor d = m.trainableParameters().get(0).value().sub(w0);
    return ce + mu / 2 * d.square().sum().floatValue();
  }

  @Test
  void recurrentLayers() {
    Tensor x = u(2, 3, 4);
    Tensor k = u(4, 3 * 5).mul(0.5f);
    Tensor r = u(5, 3 * 5).mul(0.5f);
    Tensor b = u(2, 3 * 5).mul(0.1f);
    check("gru-last", v -> Recurrent.gru(v.get(0), v.get(1), v.get(2), v.get(3), 5, false), x, k, r, b);
    check("gru-sequences", v -> Recurrent.gru(v.get(0), v.get(1), v.get(2), v.get(3), 5, true), x, k, r, b);
    Tensor k4 = u(4, 4 * 3).mul(0.5f);
    Tensor r4 = u(3, 4 * 3).mul(0.5f);
    Tensor b4 = u(4 * 3).mul(0.1f);
    check("lstm-last", v -> Recurrent.lstm(v.get(0), v.get(1), v.get(2), v.get(3), 3, false), x, k4, r4, b4);
    check("lstm-sequences", v -> Recurrent.lstm(v.get(0), v.get(1), v.get(2), v.get(3), 3, true), x, k4, r4, b4);
  }
}
