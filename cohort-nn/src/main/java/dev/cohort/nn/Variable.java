package dev.cohort.nn;

import static dev.cohort.tensor.internal.Checks.checkArgument;

import dev.cohort.tensor.DType;
import dev.cohort.tensor.Padding;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;

/**
 * A value recorded on a {@link Tape}: a float32 tensor plus how it was computed, so that {@link Tape#backward}
 * can differentiate through it. Operations mirror {@link Tensor}'s (same broadcasting and error rules) and
 * return new variables; none mutates its inputs.
 */
public final class Variable {
  private final Tape tape;
  private final Tensor value;
  private final Op op;
  private final Variable[] inputs;
  private final boolean requiresGrad;
  private final Parameter parameter;
  private float[] grad;

  private Variable(Tape tape, Tensor value, Op op, Variable[] inputs, boolean requiresGrad, Parameter parameter) {
    this.tape = tape;
    this.value = value;
    this.op = op;
    this.inputs = inputs;
    this.requiresGrad = requiresGrad;
    this.parameter = parameter;
  }

  static Variable leaf(Tape tape, Tensor value, boolean requiresGrad, Parameter parameter) {
    return new Variable(tape, value, null, new Variable[0], requiresGrad, parameter);
  }

  /** Records the result {@code value} of {@code op} applied to {@code inputs}. */
  static Variable of(Tensor value, Op op, Variable... inputs) {
    Tape tape = inputs[0].tape;
    boolean requires = false;
    for (Variable in : inputs) {
      checkArgument(in.tape == tape, "%s: inputs were recorded on different tapes", op.getClass().getSimpleName());
      requires |= in.requiresGrad;
    }
    Variable v = new Variable(tape, value, op, inputs, requires, null);
    if (requires) {
      tape.record(v);
    }
    return v;
  }

  // ---------------------------------------------------------------- accessors

  /** The computed value (do not modify). */
  public Tensor value() {
    return value;
  }

  /** The value's shape. */
  public Shape shape() {
    return value.shape();
  }

  /** The tape this variable was recorded on. */
  public Tape tape() {
    return tape;
  }

  /** True if a gradient flows to this variable (it depends on a watched leaf). */
  public boolean requiresGrad() {
    return requiresGrad;
  }

  boolean isLeaf() {
    return op == null;
  }

  /** The variables this one was computed from (none for a leaf). */
  Variable[] inputs() {
    return inputs;
  }

  Parameter parameter() {
    return parameter;
  }

  // ---------------------------------------------------------------- gradient protocol (used by ops)

  boolean hasGrad() {
    return grad != null;
  }

  float[] gradArray() {
    return grad;
  }

  void seedGradient() {
    grad = new float[] {1f};
  }

  void propagate() {
    op.backward(this, inputs);
  }

  void releaseGradient() {
    grad = null;
  }

  /**
   * Adds {@code g} (same size as the value) to this variable's gradient. With {@code owned} the array may be
   * adopted without a copy; the caller must not use it afterwards.
   */
  void addGrad(float[] g, boolean owned) {
    if (!requiresGrad) {
      return;
    }
    if (grad == null) {
      if (parameter != null) {
        grad = parameter.grad().floatData();
        System.arraycopy(g, 0, grad, 0, grad.length);
      } else {
        grad = owned ? g : copy(g);
      }
      return;
    }
    float[] acc = grad;
    for (int i = 0; i < acc.length; i++) {
      acc[i] += g[i];
    }
  }

  private float[] copy(float[] g) {
    float[] c = tape.uninitialized(g.length);
    System.arraycopy(g, 0, c, 0, g.length);
    return c;
  }

  /** The beta to use for a GEMM that accumulates into {@link #gemmTarget()}: 0 for the first contribution. */
  float gemmBeta() {
    return grad == null ? 0f : 1f;
  }

  /** The gradient buffer for a GEMM write; call {@link #gemmBeta()} first. */
  float[] gemmTarget() {
    if (grad == null) {
      grad = parameter != null ? parameter.grad().floatData() : tape.uninitialized(value.size());
    }
    return grad;
  }

  /** The gradient buffer, zero-filled on first use, for scatter-style accumulation. */
  float[] zeroedTarget() {
    if (grad == null) {
      if (parameter != null) {
        grad = parameter.grad().floatData();
        java.util.Arrays.fill(grad, 0f);
      } else {
        grad = tape.zeros(value.size());
      }
    }
    return grad;
  }

  private Variable constantLike(Tensor t) {
    return tape.constant(t);
  }

  // ---------------------------------------------------------------- elementwise

  /** {@code this + other}, broadcasting. */
  public Variable add(Variable other) {
    return Ops.binary(Ops.BinaryKind.ADD, this, other);
  }

  /** {@code this - other}, broadcasting. */
  public Variable sub(Variable other) {
    return Ops.binary(Ops.BinaryKind.SUB, this, other);
  }

  /** {@code this * other}, broadcasting. */
  public Variable mul(Variable other) {
    return Ops.binary(Ops.BinaryKind.MUL, this, other);
  }

  /** {@code this / other}, broadcasting. */
  public Variable div(Variable other) {
    return Ops.binary(Ops.BinaryKind.DIV, this, other);
  }

  /** Elementwise maximum; the gradient goes to {@code this} on ties. */
  public Variable maximum(Variable other) {
    return Ops.binary(Ops.BinaryKind.MAXIMUM, this, other);
  }

  /** Elementwise minimum; the gradient goes to {@code this} on ties. */
  public Variable minimum(Variable other) {
    return Ops.binary(Ops.BinaryKind.MINIMUM, this, other);
  }

  /** {@code this + c}. */
  public Variable add(float c) {
    return add(constantLike(Tensor.scalar(c)));
  }

  /** {@code this * c}. */
  public Variable mul(float c) {
    return mul(constantLike(Tensor.scalar(c)));
  }

  /** {@code -this}. */
  public Variable neg() {
    return Ops.unary(Ops.UnaryKind.NEG, this);
  }

  /** {@code e^this}. */
  public Variable exp() {
    return Ops.unary(Ops.UnaryKind.EXP, this);
  }

  /** Natural logarithm. */
  public Variable log() {
    return Ops.unary(Ops.UnaryKind.LOG, this);
  }

  /** Square root. */
  public Variable sqrt() {
    return Ops.unary(Ops.UnaryKind.SQRT, this);
  }

  /** Elementwise square. */
  public Variable square() {
    return Ops.unary(Ops.UnaryKind.SQUARE, this);
  }

  /** Absolute value (gradient {@code sign(x)}, 0 at 0). */
  public Variable abs() {
    return Ops.unary(Ops.UnaryKind.ABS, this);
  }

  /** Hyperbolic tangent. */
  public Variable tanh() {
    return Ops.unary(Ops.UnaryKind.TANH, this);
  }

  /** Logistic sigmoid. */
  public Variable sigmoid() {
    return Ops.unary(Ops.UnaryKind.SIGMOID, this);
  }

  /** {@code max(x, 0)} (gradient 0 at 0). */
  public Variable relu() {
    return Ops.unary(Ops.UnaryKind.RELU, this);
  }

  /** Clamps to {@code [min, max]}; the gradient passes where {@code min <= x <= max}. */
  public Variable clip(float min, float max) {
    return Ops.clip(this, min, max);
  }

  // ---------------------------------------------------------------- reductions

  /** Sum of all elements. */
  public Variable sum() {
    return Ops.reduce(this, false, false, allAxes());
  }

  /** Sum over {@code axes}. */
  public Variable sum(boolean keepDims, int... axes) {
    return Ops.reduce(this, false, keepDims, axes);
  }

  /** Mean of all elements. */
  public Variable mean() {
    return Ops.reduce(this, true, false, allAxes());
  }

  /** Mean over {@code axes}. */
  public Variable mean(boolean keepDims, int... axes) {
    return Ops.reduce(this, true, keepDims, axes);
  }

  /** Maximum over {@code axes}; the gradient is shared equally among tied maxima (as TensorFlow). */
  public Variable max(boolean keepDims, int... axes) {
    return Ops.reduceMax(this, keepDims, axes);
  }

  /** The L2 norm of all elements (gradient {@code x / ||x||}, 0 at the origin). */
  public Variable norm() {
    return Ops.norm(this);
  }

  private int[] allAxes() {
    int[] a = new int[value.rank()];
    for (int i = 0; i < a.length; i++) {
      a[i] = i;
    }
    return a;
  }

  // ---------------------------------------------------------------- layout

  /** Same data, new shape (one dimension may be -1). */
  public Variable reshape(int... shape) {
    return Ops.reshape(this, shape);
  }

  /** Permutes axes (no arguments: reverse them). */
  public Variable transpose(int... perm) {
    return Ops.transpose(this, perm);
  }

  /** The sub-tensor at {@code begin} of extent {@code size} ({@code -1}: to the end). */
  public Variable slice(int[] begin, int[] size) {
    return Ops.slice(this, begin, size);
  }

  /** Rows (or slices along {@code axis}) at int32/int64 {@code indices}; the gradient scatters back. */
  public Variable gather(Tensor indices, int axis) {
    return Ops.gather(this, indices, axis);
  }

  /** Concatenation along {@code axis}. */
  public static Variable concat(int axis, Variable... vs) {
    return Ops.concat(axis, vs);
  }

  /** Stacking along a new {@code axis}. */
  public static Variable stack(int axis, Variable... vs) {
    return Ops.stack(axis, vs);
  }

  // ---------------------------------------------------------------- linear algebra and neural-network ops

  /** Matrix product, with {@link Tensor#matmul}'s batching rules. */
  public Variable matmul(Variable other) {
    return Ops.matmul(this, other);
  }

  /** NHWC convolution with an HWIO filter. */
  public Variable conv2d(Variable filter, int strideH, int strideW, Padding padding) {
    return NnOps.conv2d(this, filter, null, strideH, strideW, padding, Activation.LINEAR);
  }

  /** NHWC max pooling. */
  public Variable maxPool(int kh, int kw, int strideH, int strideW, Padding padding) {
    return NnOps.maxPool(this, kh, kw, strideH, strideW, padding);
  }

  /** Softmax along {@code axis}. */
  public Variable softmax(int axis) {
    return NnOps.softmax(this, axis, false);
  }

  /** Log-softmax along {@code axis}. */
  public Variable logSoftmax(int axis) {
    return NnOps.softmax(this, axis, true);
  }

  void requireFloat(String op) {
    checkArgument(value.dtype() == DType.FLOAT32, "%s: variable has dtype %s (shape %s), expected float32", op, value.dtype(), value.shape());
  }

  @Override
  public String toString() {
    return "Variable" + value.shape() + (op == null ? "" : " = " + op.getClass().getSimpleName());
  }
}
