package dev.cohort.tensor;

import static dev.cohort.tensor.internal.Checks.checkArgument;
import static dev.cohort.tensor.internal.Checks.checkNotNull;

import java.util.Arrays;

/**
 * A dense, row-major tensor with a {@link DType} and a fully known {@link Shape}, stored in a heap array.
 *
 * <h2>Copies and views</h2>
 * Every operation returns a new tensor with its own storage, except:
 * <ul>
 *   <li>{@link #reshape} returns a <em>view</em> sharing this tensor's storage;</li>
 *   <li>{@link #wrap(float[], Shape)} and its siblings share the caller's array;</li>
 *   <li>{@link #floatData()} and its siblings expose the live storage for kernels;</li>
 *   <li>methods named {@code ...InPlace} modify this tensor and return it.</li>
 * </ul>
 * Factories named {@code of...} copy their input.
 *
 * <h2>Broadcasting</h2>
 * Binary arithmetic and comparisons broadcast as NumPy does: shapes are aligned at the trailing dimension and
 * a dimension of 1 (or a missing one) stretches to the other operand's. Other operations require exact shapes.
 *
 * <h2>Errors</h2>
 * Mismatched shapes or dtypes, out-of-range axes or indices, and inputs on which an operation is undefined raise
 * {@link IllegalArgumentException} naming the operation, the shapes and dtypes involved and what was expected.
 */
public final class Tensor {
  private final DType dtype;
  private final Shape shape;
  private final Object data;

  Tensor(DType dtype, Shape shape, Object data) {
    this.dtype = dtype;
    this.shape = shape;
    this.data = data;
  }

  // ---------------------------------------------------------------- factories

  /** A float32 tensor holding a copy of {@code values} with the given shape. */
  public static Tensor of(float[] values, int... shape) {
    return wrap(checkNotNull(values, "Tensor.of: values").clone(), shape("Tensor.of", shape));
  }

  /** An int32 tensor holding a copy of {@code values} with the given shape. */
  public static Tensor ofInts(int[] values, int... shape) {
    return wrap(checkNotNull(values, "Tensor.ofInts: values").clone(), shape("Tensor.ofInts", shape));
  }

  /** An int64 tensor holding a copy of {@code values} with the given shape. */
  public static Tensor ofLongs(long[] values, int... shape) {
    return wrap(checkNotNull(values, "Tensor.ofLongs: values").clone(), shape("Tensor.ofLongs", shape));
  }

  /** A bool tensor holding a copy of {@code values} with the given shape. */
  public static Tensor ofBools(boolean[] values, int... shape) {
    return wrap(checkNotNull(values, "Tensor.ofBools: values").clone(), shape("Tensor.ofBools", shape));
  }

  /** A string tensor holding a copy of {@code values} with the given shape. */
  public static Tensor ofStrings(String[] values, int... shape) {
    checkNotNull(values, "Tensor.ofStrings: values");
    for (int i = 0; i < values.length; i++) {
      checkNotNull(values[i], "string element " + i);
    }
    return wrap(values.clone(), shape("Tensor.ofStrings", shape));
  }

  /** A rank-1 float32 tensor holding a copy of {@code values}. */
  public static Tensor vector(float... values) {
    return of(checkNotNull(values, "Tensor.vector: values"), values.length);
  }

  /** A float32 tensor that shares {@code data} (no copy). */
  public static Tensor wrap(float[] data, Shape shape) {
    return make(DType.FLOAT32, shape, data, checkNotNull(data, "Tensor.wrap: data").length);
  }

  /** An int32 tensor that shares {@code data} (no copy). */
  public static Tensor wrap(int[] data, Shape shape) {
    return make(DType.INT32, shape, data, checkNotNull(data, "Tensor.wrap: data").length);
  }

  /** An int64 tensor that shares {@code data} (no copy). */
  public static Tensor wrap(long[] data, Shape shape) {
    return make(DType.INT64, shape, data, checkNotNull(data, "Tensor.wrap: data").length);
  }

  /** A bool tensor that shares {@code data} (no copy). */
  public static Tensor wrap(boolean[] data, Shape shape) {
    return make(DType.BOOL, shape, data, checkNotNull(data, "Tensor.wrap: data").length);
  }

  /** A string tensor that shares {@code data} (no copy). */
  public static Tensor wrap(String[] data, Shape shape) {
    return make(DType.STRING, shape, data, checkNotNull(data, "Tensor.wrap: data").length);
  }

  /**
   * A tensor of {@code dtype} that shares {@code data} (no copy): a {@code float[]}, {@code int[]}, {@code long[]},
   * {@code boolean[]} or {@code String[]} as {@code dtype} requires, of {@code shape.size()} elements. For code that
   * handles every dtype alike (readers, batching); {@link #data()} is the converse.
   *
   * @throws IllegalArgumentException if {@code data} is not the array type of {@code dtype}, or its length does not
   *     fill {@code shape}
   */
  public static Tensor wrap(DType dtype, Object data, Shape shape) {
    checkNotNull(dtype, "Tensor.wrap: dtype");
    checkNotNull(data, "Tensor.wrap: data");
    Class<?> expected = allocate(dtype, 0).getClass();
    checkArgument(data.getClass() == expected, "Tensor.wrap: a %s tensor needs a %s, found a %s", dtype,
        expected.getSimpleName(), data.getClass().getSimpleName());
    return make(dtype, shape, data, java.lang.reflect.Array.getLength(data));
  }

  private static Shape shape(String op, int[] dims) {
    return Shape.of(checkNotNull(dims, op + ": shape"));
  }

  private static Tensor make(DType dtype, Shape shape, Object data, int length) {
    checkNotNull(shape, "Tensor.wrap: shape");
    checkArgument(length == shape.size(), "tensor: %s values cannot fill shape %s (needs %s)", length, shape, shape.size());
    return new Tensor(dtype, shape, data);
  }

  /** A float32 scalar. */
  public static Tensor scalar(float value) {
    return new Tensor(DType.FLOAT32, Shape.SCALAR, new float[] {value});
  }

  /** An int32 scalar. */
  public static Tensor scalar(int value) {
    return new Tensor(DType.INT32, Shape.SCALAR, new int[] {value});
  }

  /** An int64 scalar. */
  public static Tensor scalar(long value) {
    return new Tensor(DType.INT64, Shape.SCALAR, new long[] {value});
  }

  /** A bool scalar. */
  public static Tensor scalar(boolean value) {
    return new Tensor(DType.BOOL, Shape.SCALAR, new boolean[] {value});
  }

  /** A string scalar. */
  public static Tensor scalar(String value) {
    return new Tensor(DType.STRING, Shape.SCALAR, new String[] {checkNotNull(value, "value")});
  }

  /** A tensor of zeros ({@code false}, {@code ""} for bool and string). */
  public static Tensor zeros(DType dtype, Shape shape) {
    checkNotNull(dtype, "Tensor.zeros: dtype");
    checkNotNull(shape, "Tensor.zeros: shape");
    Object d = allocate(dtype, shape.size());
    if (dtype == DType.STRING) {
      Arrays.fill((String[]) d, "");
    }
    return new Tensor(dtype, shape, d);
  }

  /** A float32 tensor of zeros. */
  public static Tensor zeros(int... shape) {
    return zeros(DType.FLOAT32, Shape.of(shape));
  }

  /** A float32 tensor filled with {@code value}. */
  public static Tensor full(float value, int... shape) {
    float[] d = new float[Shape.of(shape).size()];
    Arrays.fill(d, value);
    return wrap(d, Shape.of(shape));
  }

  /** A float32 tensor of ones. */
  public static Tensor ones(int... shape) {
    return full(1f, shape);
  }

  static Object allocate(DType dtype, int n) {
    return switch (dtype) {
      case FLOAT32 -> new float[n];
      case INT32 -> new int[n];
      case INT64 -> new long[n];
      case BOOL -> new boolean[n];
      case STRING -> new String[n];
    };
  }

  // ---------------------------------------------------------------- accessors

  /** The element type. */
  public DType dtype() {
    return dtype;
  }

  /** The shape. */
  public Shape shape() {
    return shape;
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.rank();
  }

  /** Number of elements. */
  public int size() {
    return shape.size();
  }

  /**
   * The live storage of any dtype (no copy): the {@code float[]}, {@code int[]}, {@code long[]}, {@code boolean[]}
   * or {@code String[]} that {@link #wrap(DType, Object, Shape)} takes; writes are visible to this tensor and its
   * views.
   */
  public Object data() {
    return data;
  }

  /** The live float32 storage (no copy); writes are visible to this tensor and its views. */
  public float[] floatData() {
    requireDType("floatData", DType.FLOAT32);
    return (float[]) data;
  }

  /** The live int32 storage (no copy). */
  public int[] intData() {
    requireDType("intData", DType.INT32);
    return (int[]) data;
  }

  /** The live int64 storage (no copy). */
  public long[] longData() {
    requireDType("longData", DType.INT64);
    return (long[]) data;
  }

  /** The live bool storage (no copy). */
  public boolean[] boolData() {
    requireDType("boolData", DType.BOOL);
    return (boolean[]) data;
  }

  /** The live string storage (no copy). */
  public String[] stringData() {
    requireDType("stringData", DType.STRING);
    return (String[]) data;
  }

  /** The value of a float32 scalar (or a one-element tensor). */
  public float floatValue() {
    return floatData()[singleIndex("floatValue")];
  }

  /** The value of an int32 scalar (or a one-element tensor). */
  public int intValue() {
    return intData()[singleIndex("intValue")];
  }

  /** The value of an int64 scalar (or a one-element tensor). */
  public long longValue() {
    return longData()[singleIndex("longValue")];
  }

  /** The value of a bool scalar (or a one-element tensor). */
  public boolean boolValue() {
    return boolData()[singleIndex("boolValue")];
  }

  /** The value of a string scalar (or a one-element tensor). */
  public String stringValue() {
    return stringData()[singleIndex("stringValue")];
  }

  /** The element at {@code index} as a double, for any numeric or bool dtype. */
  public double getDouble(int... index) {
    int i = flatIndex(index);
    return switch (dtype) {
      case FLOAT32 -> ((float[]) data)[i];
      case INT32 -> ((int[]) data)[i];
      case INT64 -> ((long[]) data)[i];
      case BOOL -> ((boolean[]) data)[i] ? 1 : 0;
      case STRING -> throw new IllegalArgumentException("getDouble: tensor has dtype str, expected a numeric dtype");
    };
  }

  /** The float32 element at {@code index}. */
  public float getFloat(int... index) {
    return floatData()[flatIndex(index)];
  }

  /** The row-major position of {@code index}, checking each coordinate. */
  public int flatIndex(int... index) {
    checkArgument(index.length == shape.rank(), "index %s has %s coordinates, tensor of shape %s needs %s",
        index, index.length, shape, shape.rank());
    int[] dims = shape.dimsUnsafe();
    int flat = 0;
    for (int i = 0; i < index.length; i++) {
      checkArgument(index[i] >= 0 && index[i] < dims[i], "index %s out of range for shape %s (axis %s)", index, shape, i);
      flat = flat * dims[i] + index[i];
    }
    return flat;
  }

  private int singleIndex(String op) {
    checkArgument(shape.size() == 1, "%s: tensor of shape %s has %s elements, expected exactly 1", op, shape, shape.size());
    return 0;
  }

  /** A copy of the float32 data. */
  public float[] toFloatArray() {
    return floatData().clone();
  }

  /** A deep copy with its own storage. */
  public Tensor copy() {
    Object d = switch (dtype) {
      case FLOAT32 -> ((float[]) data).clone();
      case INT32 -> ((int[]) data).clone();
      case INT64 -> ((long[]) data).clone();
      case BOOL -> ((boolean[]) data).clone();
      case STRING -> ((String[]) data).clone();
    };
    return new Tensor(dtype, shape, d);
  }

  void requireDType(String op, DType expected) {
    if (dtype != expected) {
      throw new IllegalArgumentException(op + ": tensor has dtype " + dtype + " (shape " + shape + "), expected " + expected);
    }
  }

  void requireNumeric(String op) {
    if (!dtype.isNumeric()) {
      throw new IllegalArgumentException(op + ": tensor has dtype " + dtype + " (shape " + shape
          + "), expected a numeric dtype (float32, int32, int64)");
    }
  }

  // ---------------------------------------------------------------- elementwise arithmetic (broadcasting)

  /** {@code this + other}, broadcasting; both numeric of the same dtype. */
  public Tensor add(Tensor other) {
    return Elementwise.binary(BinaryOp.ADD, this, other);
  }

  /** {@code this - other}, broadcasting. */
  public Tensor sub(Tensor other) {
    return Elementwise.binary(BinaryOp.SUB, this, other);
  }

  /** {@code this * other}, broadcasting. */
  public Tensor mul(Tensor other) {
    return Elementwise.binary(BinaryOp.MUL, this, other);
  }

  /**
   * {@code this / other}, broadcasting. Integer dtypes divide with truncation toward zero; integer division by
   * zero throws.
   */
  public Tensor div(Tensor other) {
    return Elementwise.binary(BinaryOp.DIV, this, other);
  }

  /** Elementwise maximum, broadcasting. */
  public Tensor maximum(Tensor other) {
    return Elementwise.binary(BinaryOp.MAX, this, other);
  }

  /** Elementwise minimum, broadcasting. */
  public Tensor minimum(Tensor other) {
    return Elementwise.binary(BinaryOp.MIN, this, other);
  }

  /** {@code this ^ other} elementwise (float32 only), broadcasting. */
  public Tensor pow(Tensor other) {
    return Elementwise.binary(BinaryOp.POW, this, other);
  }

  /** {@code this + s} for a float32 tensor. */
  public Tensor add(float s) {
    return add(scalar(s));
  }

  /** {@code this * s} for a float32 tensor. */
  public Tensor mul(float s) {
    return mul(scalar(s));
  }

  /** {@code -this}. */
  public Tensor neg() {
    return Elementwise.unary(UnaryOp.NEG, this);
  }

  /** Elementwise absolute value. */
  public Tensor abs() {
    return Elementwise.unary(UnaryOp.ABS, this);
  }

  /** Elementwise {@code e^x} (float32). */
  public Tensor exp() {
    return Elementwise.unary(UnaryOp.EXP, this);
  }

  /** Elementwise natural logarithm (float32); negative inputs throw, 0 gives -inf. */
  public Tensor log() {
    return Elementwise.unary(UnaryOp.LOG, this);
  }

  /** Elementwise square root (float32); negative inputs throw. */
  public Tensor sqrt() {
    return Elementwise.unary(UnaryOp.SQRT, this);
  }

  /** Elementwise square. */
  public Tensor square() {
    return Elementwise.unary(UnaryOp.SQUARE, this);
  }

  /** Elementwise hyperbolic tangent (float32). */
  public Tensor tanh() {
    return Elementwise.unary(UnaryOp.TANH, this);
  }

  /** Elementwise logistic sigmoid {@code 1/(1+e^-x)} (float32). */
  public Tensor sigmoid() {
    return Elementwise.unary(UnaryOp.SIGMOID, this);
  }

  /** Elementwise {@code max(x, 0)}. */
  public Tensor relu() {
    return Elementwise.unary(UnaryOp.RELU, this);
  }

  /** Elementwise clamp to {@code [min, max]}; throws if {@code min > max}. */
  public Tensor clip(float min, float max) {
    return Elementwise.clip(this, min, max);
  }

  /** Converts to {@code target}: floats to ints truncate toward zero, bools become 0/1, nonzero becomes true. */
  public Tensor cast(DType target) {
    return Elementwise.cast(this, target);
  }

  // ---------------------------------------------------------------- comparisons (broadcasting, bool result)

  /** {@code this == other} elementwise (any dtype), broadcasting. */
  public Tensor eq(Tensor other) {
    return Elementwise.compare(CompareOp.EQ, this, other);
  }

  /** {@code this != other} elementwise, broadcasting. */
  public Tensor ne(Tensor other) {
    return Elementwise.compare(CompareOp.NE, this, other);
  }

  /** {@code this < other} elementwise (numeric), broadcasting. */
  public Tensor lt(Tensor other) {
    return Elementwise.compare(CompareOp.LT, this, other);
  }

  /** {@code this <= other} elementwise, broadcasting. */
  public Tensor le(Tensor other) {
    return Elementwise.compare(CompareOp.LE, this, other);
  }

  /** {@code this > other} elementwise, broadcasting. */
  public Tensor gt(Tensor other) {
    return Elementwise.compare(CompareOp.GT, this, other);
  }

  /** {@code this >= other} elementwise, broadcasting. */
  public Tensor ge(Tensor other) {
    return Elementwise.compare(CompareOp.GE, this, other);
  }

  // ---------------------------------------------------------------- in place (mutating)

  /** {@code this += other} (same shape and dtype); returns this. */
  public Tensor addInPlace(Tensor other) {
    Elementwise.inPlace(BinaryOp.ADD, this, other);
    return this;
  }

  /**
   * {@code this -= other} (same shape and dtype); returns this. For example, turns a client's trained weights into
   * its model delta ({@code trained - initial}) without a new buffer.
   */
  public Tensor subInPlace(Tensor other) {
    Elementwise.inPlace(BinaryOp.SUB, this, other);
    return this;
  }

  /** {@code this *= s} for float32; returns this. */
  public Tensor scaleInPlace(float s) {
    float[] d = floatData();
    for (int i = 0; i < d.length; i++) {
      d[i] *= s;
    }
    return this;
  }

  /** {@code this += alpha * x} for float32 tensors of the same shape; returns this. */
  public Tensor axpyInPlace(float alpha, Tensor x) {
    requireDType("axpyInPlace", DType.FLOAT32);
    checkArgument(x.shape.equals(shape) && x.dtype == DType.FLOAT32,
        "axpyInPlace: x is %s%s, expected float32%s", x.dtype, x.shape, shape);
    float[] d = floatData();
    float[] s = x.floatData();
    for (int i = 0; i < d.length; i++) {
      d[i] += alpha * s[i];
    }
    return this;
  }

  /** Sets every float32 element to {@code value}, e.g. zeroes an accumulator for the next round; returns this. */
  public Tensor fillInPlace(float value) {
    Arrays.fill(floatData(), value);
    return this;
  }

  // ---------------------------------------------------------------- reductions

  /** Sum of all elements, as a scalar of this dtype (float32 sums accumulate in float64). */
  public Tensor sum() {
    return Reductions.reduceAll(Reductions.Kind.SUM, this);
  }

  /** Sum over {@code axes} (negative axes allowed); {@code keepDims} keeps them as size 1. */
  public Tensor sum(boolean keepDims, int... axes) {
    return Reductions.reduce(Reductions.Kind.SUM, this, axes, keepDims);
  }

  /** Mean of all elements (float32). */
  public Tensor mean() {
    return Reductions.reduceAll(Reductions.Kind.MEAN, this);
  }

  /** Mean over {@code axes} (float32). */
  public Tensor mean(boolean keepDims, int... axes) {
    return Reductions.reduce(Reductions.Kind.MEAN, this, axes, keepDims);
  }

  /** Maximum of all elements; throws on an empty tensor. */
  public Tensor max() {
    return Reductions.reduceAll(Reductions.Kind.MAX, this);
  }

  /** Maximum over {@code axes}. */
  public Tensor max(boolean keepDims, int... axes) {
    return Reductions.reduce(Reductions.Kind.MAX, this, axes, keepDims);
  }

  /** Minimum of all elements; throws on an empty tensor. */
  public Tensor min() {
    return Reductions.reduceAll(Reductions.Kind.MIN, this);
  }

  /** Minimum over {@code axes}. */
  public Tensor min(boolean keepDims, int... axes) {
    return Reductions.reduce(Reductions.Kind.MIN, this, axes, keepDims);
  }

  /** Index of the maximum along {@code axis} (first on ties), as int64 with that axis removed. */
  public Tensor argmax(int axis) {
    return Reductions.argmax(this, axis);
  }

  /** The L2 norm of all elements, as a float32 scalar (accumulated in float64). */
  public Tensor norm() {
    return Reductions.norm(this);
  }

  // ---------------------------------------------------------------- layout

  /**
   * A view with a new shape and the same storage; one dimension may be -1 and is inferred.
   *
   * @throws IllegalArgumentException if the element counts differ
   */
  public Tensor reshape(int... newShape) {
    return Layout.reshape(this, newShape);
  }

  /** Permutes axes: result dim {@code i} is this tensor's dim {@code perm[i]}. With no arguments, reverses them. */
  public Tensor transpose(int... perm) {
    return Layout.transpose(this, perm);
  }

  /** The sub-tensor starting at {@code begin} with extent {@code size} ({@code -1} = to the end). */
  public Tensor slice(int[] begin, int[] size) {
    return Layout.slice(this, begin, size);
  }

  /** Concatenates tensors of equal dtype and equal shapes except along {@code axis}. */
  public static Tensor concat(int axis, Tensor... tensors) {
    return Layout.concat(axis, tensors);
  }

  /** Stacks tensors of identical shape and dtype along a new axis {@code axis}. */
  public static Tensor stack(int axis, Tensor... tensors) {
    return Layout.stack(axis, tensors);
  }

  /** Selects slices along {@code axis} at the int32/int64 {@code indices}; result shape replaces that axis with the indices' shape. */
  public Tensor gather(Tensor indices, int axis) {
    return Layout.gather(this, indices, axis);
  }

  /**
   * A copy of this tensor with {@code updates} added at {@code indices} along {@code axis}: the adjoint of
   * {@link #gather}. Repeated indices accumulate.
   */
  public Tensor scatterAdd(Tensor indices, Tensor updates, int axis) {
    return Layout.scatterAdd(this, indices, updates, axis);
  }

  /** A float32 one-hot encoding of int32/int64 {@code indices}: shape {@code indices.shape + [depth]}. */
  public static Tensor oneHot(Tensor indices, int depth) {
    return Layout.oneHot(indices, depth);
  }

  // ---------------------------------------------------------------- linear algebra and neural-network kernels

  /**
   * Matrix product. Rank-2 operands give {@code [m,k]·[k,n] -> [m,n]}; higher ranks are batched over the
   * leading dimensions, which must match (or one operand may be rank 2 and is then shared by every batch).
   */
  public Tensor matmul(Tensor other) {
    return LinAlg.matmul(this, other);
  }

  /**
   * 2-D convolution (cross-correlation, as TensorFlow) of an NHWC input with an HWIO filter
   * {@code [kh, kw, inChannels, outChannels]}, computed by im2col + GEMM.
   */
  public Tensor conv2d(Tensor filter, int strideH, int strideW, Padding padding) {
    return Convolution.conv2d(this, filter, strideH, strideW, padding);
  }

  /** 2-D max pooling of an NHWC input with window {@code [kh, kw]} and the given strides. */
  public Tensor maxPool(int kh, int kw, int strideH, int strideW, Padding padding) {
    return Convolution.maxPool(this, kh, kw, strideH, strideW, padding);
  }

  /** Softmax along {@code axis}, computed stably (max subtracted). */
  public Tensor softmax(int axis) {
    return Reductions.softmax(this, axis, false);
  }

  /** Log-softmax along {@code axis}, computed stably. */
  public Tensor logSoftmax(int axis) {
    return Reductions.softmax(this, axis, true);
  }

  // ---------------------------------------------------------------- object

  /** True if {@code other} has the same dtype, shape and elements (NaN equals NaN, bitwise). */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Tensor t) || t.dtype != dtype || !t.shape.equals(shape)) {
      return false;
    }
    return switch (dtype) {
      case FLOAT32 -> Arrays.equals((float[]) data, (float[]) t.data);
      case INT32 -> Arrays.equals((int[]) data, (int[]) t.data);
      case INT64 -> Arrays.equals((long[]) data, (long[]) t.data);
      case BOOL -> Arrays.equals((boolean[]) data, (boolean[]) t.data);
      case STRING -> Arrays.equals((String[]) data, (String[]) t.data);
    };
  }

  @Override
  public int hashCode() {
    int h = 31 * dtype.hashCode() + shape.hashCode();
    return 31 * h + switch (dtype) {
      case FLOAT32 -> Arrays.hashCode((float[]) data);
      case INT32 -> Arrays.hashCode((int[]) data);
      case INT64 -> Arrays.hashCode((long[]) data);
      case BOOL -> Arrays.hashCode((boolean[]) data);
      case STRING -> Arrays.hashCode((String[]) data);
    };
  }

  /** NumPy-like text: {@code 1.5}, {@code [1.5, 3.5]}, {@code [[1, 2], [3, 4]]}; long tensors are elided. */
  @Override
  public String toString() {
    return TensorFormat.format(this);
  }
}
