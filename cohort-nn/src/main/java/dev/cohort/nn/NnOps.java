package dev.cohort.nn;

import static dev.cohort.tensor.internal.Checks.checkArgument;

import dev.cohort.tensor.Blas;
import dev.cohort.tensor.Conv2dGeometry;
import dev.cohort.tensor.Convolution;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Padding;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;

/** Neural-network ops: convolution, pooling, softmax, the fused dense layer and the fused softmax loss. */
final class NnOps {
  private NnOps() {}

  /** {@code y = activation(conv2d(x, w) + b)}, fused; {@code b} optional, activation LINEAR/RELU/SIGMOID/TANH. */
  record Conv2d(Conv2dGeometry geometry, Activation activation) implements Op {
    @Override
    public void backward(Variable out, Variable[] in) {
      Variable x = in[0];
      Variable w = in[1];
      float[] dz = out.gradArray();
      float[] y = out.value().floatData();
      if (in.length > 2 && in[2].requiresGrad()) {
        in[2].addGrad(biasGradient(activation, dz, y, geometry.f()), true);
      } else {
        activationGradientInPlace(activation, dz, y);
      }
      float[] dx = x.requiresGrad() ? out.tape().zeros(x.value().size()) : null;
      // The filter gradient is written straight into the buffer of its first contribution.
      boolean fresh = w.requiresGrad() && !w.hasGrad();
      float[] dw = fresh ? w.gemmTarget() : out.tape().uninitialized(w.value().size());
      Convolution.backward(geometry, x.value().floatData(), w.value().floatData(), dz, dx, dw);
      if (!fresh) {
        w.addGrad(dw, true);
      }
      if (dx != null) {
        x.addGrad(dx, true);
      }
    }
  }

  static Variable conv2d(Variable x, Variable w, Variable b, int strideH, int strideW, Padding padding, Activation activation) {
    x.requireFloat("conv2d");
    checkArgument(activation != Activation.SOFTMAX, "conv2d: softmax activation is not supported; apply softmax after the layer");
    Conv2dGeometry g = Convolution.geometry(x.value(), w.value(), strideH, strideW, padding);
    checkArgument(b == null || b.shape().equals(Shape.of(g.f())), "conv2d: bias shape %s, expected [%s]", b == null ? null : b.shape(), g.f());
    float[] y = x.tape().uninitialized(g.outputSize());
    // The bias and a ReLU are applied by the convolution as it writes each block of output (same bits).
    boolean relu = activation == Activation.RELU;
    Convolution.forward(g, x.value().floatData(), w.value().floatData(), b == null ? null : b.value().floatData(), relu, y);
    if (!relu) {
      applyActivationInPlace(activation, y);
    }
    Variable[] inputs = b == null ? new Variable[] {x, w} : new Variable[] {x, w, b};
    return Variable.of(Tensor.wrap(y, Shape.of(g.n(), g.outH(), g.outW(), g.f())), new Conv2d(g, activation), inputs);
  }

  /**
   * Turns the output gradient {@code g} of {@code y = activation(z + b)} into {@code d loss / d z} in place and returns
   * {@code d loss / d b} ({@code channels} sums over rows): a ReLU's mask and the sums in one pass.
   */
  static float[] biasGradient(Activation activation, float[] g, float[] y, int channels) {
    float[] db = new float[channels];
    boolean relu = activation == Activation.RELU;
    if (!relu) {
      activationGradientInPlace(activation, g, y);
    }
    Convolution.epilogueBackward(g, y, relu, db);
    return db;
  }

  /** {@code g[i] = y[i] > 0 ? g[i] : 0}, without branches (a bit mask from y's sign and zero-ness). */
  static void reluMaskInPlace(float[] g, float[] y) {
    for (int i = 0; i < g.length; i++) {
      int bits = Float.floatToRawIntBits(y[i]);
      int mask = (-bits >> 31) & ~(bits >> 31); // all ones iff bits > 0, i.e. y > 0 (or NaN)
      g[i] = Float.intBitsToFloat(Float.floatToRawIntBits(g[i]) & mask);
    }
  }

  /** Applies a pointwise activation (not SOFTMAX) in place. */
  static void applyActivationInPlace(Activation activation, float[] y) {
    switch (activation) {
      case RELU -> {
        // Math.max vectorizes; a branch per element mispredicts on half the inputs (measured 70x slower).
        for (int i = 0; i < y.length; i++) {
          y[i] = Math.max(y[i], 0f);
        }
      }
      case SIGMOID -> {
        for (int i = 0; i < y.length; i++) {
          y[i] = y[i] >= 0 ? (float) (1 / (1 + Math.exp(-y[i]))) : (float) (Math.exp(y[i]) / (1 + Math.exp(y[i])));
        }
      }
      case TANH -> {
        for (int i = 0; i < y.length; i++) {
          y[i] = (float) Math.tanh(y[i]);
        }
      }
      case LINEAR -> { }
      case SOFTMAX -> throw new AssertionError("softmax is not pointwise");
    }
  }

  /**
   * Turns {@code g = d loss / d y} into {@code d loss / d z} for {@code y = activation(z)}, in place: the
   * output's gradient is not read again once its op has run.
   */
  static float[] activationGradientInPlace(Activation activation, float[] g, float[] y) {
    switch (activation) {
      case RELU -> reluMaskInPlace(g, y);
      case SIGMOID -> {
        for (int i = 0; i < g.length; i++) {
          g[i] *= y[i] * (1 - y[i]);
        }
      }
      case TANH -> {
        for (int i = 0; i < g.length; i++) {
          g[i] *= 1 - y[i] * y[i];
        }
      }
      case LINEAR -> { }
      case SOFTMAX -> throw new AssertionError("softmax is not pointwise");
    }
    return g;
  }

  record MaxPool(int[] argmax) implements Op {
    @Override
    public void backward(Variable out, Variable[] in) {
      if (!in[0].requiresGrad()) {
        return;
      }
      if (!in[0].hasGrad()) { // scatter straight into the input's first gradient
        Convolution.maxPoolBackward(argmax, out.gradArray(), in[0].zeroedTarget());
        return;
      }
      float[] dx = out.tape().zeros(in[0].value().size());
      Convolution.maxPoolBackward(argmax, out.gradArray(), dx);
      in[0].addGrad(dx, true);
    }
  }

  static Variable maxPool(Variable x, int kh, int kw, int strideH, int strideW, Padding padding) {
    x.requireFloat("maxPool");
    checkArgument(x.shape().rank() == 4, "maxPool: input shape %s must be NHWC (rank 4)", x.shape());
    int[] d = x.shape().dims();
    Conv2dGeometry g = new Conv2dGeometry(d[0], d[1], d[2], d[3], kh, kw, 1, strideH, strideW, padding);
    float[] out = x.tape().uninitialized(g.n() * g.outH() * g.outW() * g.c());
    int[] argmax = x.requiresGrad() ? x.tape().ints(out.length) : null;
    Convolution.maxPool(g, x.value().floatData(), out, argmax);
    return Variable.of(Tensor.wrap(out, Shape.of(g.n(), g.outH(), g.outW(), g.c())), new MaxPool(argmax), x);
  }

  record Softmax(int axis, boolean log) implements Op {
    @Override
    public void backward(Variable out, Variable[] in) {
      Shape s = out.shape();
      int n = s.dim(axis);
      int outer = 1;
      for (int i = 0; i < axis; i++) {
        outer *= s.dim(i);
      }
      int inner = s.size() / (outer * n);
      float[] g = out.gradArray();
      float[] y = out.value().floatData();
      float[] d = out.tape().uninitialized(g.length);
      for (int o = 0; o < outer; o++) {
        for (int j = 0; j < inner; j++) {
          int base = o * n * inner + j;
          double acc = 0;
          for (int k = 0; k < n; k++) {
            int i = base + k * inner;
            acc += log ? g[i] : (double) g[i] * y[i];
          }
          for (int k = 0; k < n; k++) {
            int i = base + k * inner;
            // softmax: y (g - <g, y>);  log-softmax: g - softmax * sum(g)
            d[i] = log ? (float) (g[i] - Math.exp(y[i]) * acc) : (float) (y[i] * (g[i] - acc));
          }
        }
      }
      in[0].addGrad(d, true);
    }
  }

  static Variable softmax(Variable x, int axis, boolean log) {
    int ax = x.shape().normalizeAxis(axis);
    Tensor v = log ? x.value().logSoftmax(ax) : x.value().softmax(ax);
    return Variable.of(v, new Softmax(ax, log), x);
  }

  /**
   * {@code y = activation(x · W + b)} over the last axis of {@code x}, fused: one GEMM forward (bias preloaded
   * into the output), and in backward one GEMM each for {@code dW} (written straight into the parameter's
   * gradient buffer) and, when needed, {@code dx}.
   */
  record Linear(Activation activation, int rows, int in, int out) implements Op {
    @Override
    public void backward(Variable y, Variable[] inputs) {
      Variable x = inputs[0];
      Variable w = inputs[1];
      Variable b = inputs.length > 2 ? inputs[2] : null;
      float[] dz = y.gradArray();
      if (b != null && b.requiresGrad()) {
        b.addGrad(biasGradient(activation, dz, y.value().floatData(), out), true);
      } else {
        activationGradientInPlace(activation, dz, y.value().floatData());
      }
      // dx first: it needs the kernel before a fused update changes it.
      if (x.requiresGrad()) {
        float beta = x.gemmBeta();
        Blas.sgemm(false, true, rows, in, out, 1f, dz, 0, out, w.value().floatData(), 0, out, beta, x.gemmTarget(), 0, in);
      }
      if (w.requiresGrad()) {
        float lr = w.tape().fusedLearningRate(w);
        if (Float.isNaN(lr)) {
          float beta = w.gemmBeta();
          Blas.sgemm(true, false, in, out, rows, 1f, x.value().floatData(), 0, in, dz, 0, out, beta, w.gemmTarget(), 0,
              out);
        } else { // W -= lr * x^T dz in the GEMM itself (Tape.backward(loss, learningRate))
          Blas.sgemm(true, false, in, out, rows, -lr, x.value().floatData(), 0, in, dz, 0, out, 1f,
              w.value().floatData(), 0, out);
          w.tape().applied(w);
        }
      }
    }
  }

  /** Dense layer math; {@code b} may be null. SOFTMAX is applied as a separate op after the fused linear part. */
  static Variable linear(Variable x, Variable w, Variable b, Activation activation) {
    x.requireFloat("dense");
    Shape xs = x.shape();
    checkArgument(w.shape().rank() == 2, "dense: kernel shape %s must be [in, out]", w.shape());
    int in = w.shape().dim(0);
    int out = w.shape().dim(1);
    checkArgument(xs.rank() >= 1 && xs.dim(-1) == in, "dense: input shape %s must end in %s (kernel %s)", xs, in, w.shape());
    checkArgument(b == null || b.shape().equals(Shape.of(out)), "dense: bias shape %s, expected [%s]", b == null ? null : b.shape(), out);
    int rows = xs.size() / in;
    float[] y = x.tape().uninitialized(rows * out);
    float beta = 0f;
    if (b != null) {
      float[] bias = b.value().floatData();
      for (int r = 0; r < rows; r++) {
        System.arraycopy(bias, 0, y, r * out, out);
      }
      beta = 1f;
    }
    Blas.sgemm(false, false, rows, out, in, 1f, x.value().floatData(), 0, in, w.value().floatData(), 0, out, beta, y, 0, out);
    Activation fused = activation == Activation.SOFTMAX ? Activation.LINEAR : activation;
    applyActivationInPlace(fused, y);
    int[] outDims = xs.dims();
    outDims[outDims.length - 1] = out;
    Variable[] inputs = b == null ? new Variable[] {x, w} : new Variable[] {x, w, b};
    Variable z = Variable.of(Tensor.wrap(y, Shape.of(outDims)), new Linear(fused, rows, in, out), inputs);
    return activation == Activation.SOFTMAX ? z.softmax(-1) : z;
  }

  /**
   * Mean over the batch of {@code -log softmax(logits)[label]}, fused with its gradient {@code softmax - onehot}.
   * {@code logits} is {@code [..., C]}, {@code labels} int32/int64 of the leading shape.
   */
  record SparseSoftmaxCrossEntropy(float[] probabilities, int[] labels, int classes) implements Op {
    @Override
    public void backward(Variable out, Variable[] in) {
      float scale = out.gradArray()[0] / labels.length;
      float[] d = out.tape().uninitialized(probabilities.length);
      for (int r = 0; r < labels.length; r++) {
        int off = r * classes;
        for (int c = 0; c < classes; c++) {
          d[off + c] = probabilities[off + c] * scale;
        }
        d[off + labels[r]] -= scale;
      }
      in[0].addGrad(d, true);
    }
  }

  static Variable sparseSoftmaxCrossEntropy(Variable logits, Tensor labels) {
    logits.requireFloat("sparseSoftmaxCrossEntropy");
    Shape s = logits.shape();
    checkArgument(s.rank() >= 1, "sparseSoftmaxCrossEntropy: logits must have rank >= 1, got %s", s);
    int classes = s.dim(-1);
    int rows = s.size() / Math.max(1, classes);
    checkArgument(labels.size() == rows && labels.rank() == s.rank() - 1,
        "sparseSoftmaxCrossEntropy: labels shape %s does not match logits %s (expected the logits' shape without its last axis)",
        labels.shape(), s);
    int[] lab = labelArray(labels, classes);
    checkArgument(rows > 0, "sparseSoftmaxCrossEntropy: empty batch (logits %s)", s);
    float[] x = logits.value().floatData();
    float[] p = logits.tape().uninitialized(x.length);
    double total = 0;
    for (int r = 0; r < rows; r++) {
      int off = r * classes;
      float max = Float.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        max = Math.max(max, x[off + c]);
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        double e = Math.exp(x[off + c] - max);
        p[off + c] = (float) e;
        sum += e;
      }
      for (int c = 0; c < classes; c++) {
        p[off + c] = (float) (p[off + c] / sum);
      }
      total += Math.log(sum) - (x[off + lab[r]] - max);
    }
    return Variable.of(Tensor.scalar((float) (total / rows)), new SparseSoftmaxCrossEntropy(p, lab, classes), logits);
  }

  /**
   * Mean over all elements of {@code softplus(x) - x z} (binary cross-entropy on logits {@code x} with targets
   * {@code z}), computed stably as {@code max(x,0) - x z + log(1 + e^-|x|)}; gradient {@code (sigmoid(x) - z) / n}.
   */
  record BinaryCrossEntropyWithLogits(float[] targets) implements Op {
    @Override
    public void backward(Variable out, Variable[] in) {
      float[] x = in[0].value().floatData();
      float scale = out.gradArray()[0] / x.length;
      float[] d = out.tape().uninitialized(x.length);
      for (int i = 0; i < x.length; i++) {
        double s = x[i] >= 0 ? 1 / (1 + Math.exp(-x[i])) : Math.exp(x[i]) / (1 + Math.exp(x[i]));
        d[i] = (float) ((s - targets[i]) * scale);
      }
      in[0].addGrad(d, true);
    }
  }

  static Variable binaryCrossEntropyWithLogits(Variable logits, Tensor targets) {
    logits.requireFloat("binaryCrossEntropy");
    checkArgument(targets.dtype() == DType.FLOAT32 && targets.shape().equals(logits.shape()),
        "binaryCrossEntropy: targets are %s%s, expected float32%s like the logits", targets.dtype(), targets.shape(), logits.shape());
    checkArgument(logits.value().size() > 0, "binaryCrossEntropy: empty batch (logits %s)", logits.shape());
    float[] x = logits.value().floatData();
    float[] z = targets.floatData();
    double total = 0;
    for (int i = 0; i < x.length; i++) {
      checkArgument(z[i] >= 0 && z[i] <= 1, "binaryCrossEntropy: target %s at position %s is outside [0, 1]", z[i], i);
      total += Math.max(x[i], 0) - x[i] * z[i] + Math.log1p(Math.exp(-Math.abs(x[i])));
    }
    return Variable.of(Tensor.scalar((float) (total / x.length)), new BinaryCrossEntropyWithLogits(z.clone()), logits);
  }

  static int[] labelArray(Tensor labels, int classes) {
    int[] lab = new int[labels.size()];
    for (int i = 0; i < lab.length; i++) {
      long v = switch (labels.dtype()) {
        case INT32 -> labels.intData()[i];
        case INT64 -> labels.longData()[i];
        default -> throw new IllegalArgumentException("labels have dtype " + labels.dtype() + " (shape " + labels.shape()
            + "), expected int32 or int64");
      };
      checkArgument(v >= 0 && v < classes, "label %s at position %s is out of range [0, %s)", v, i, classes);
      lab[i] = (int) v;
    }
    return lab;
  }

}
