package dev.cohort.core.types;

import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The type of a tensor: a {@link DType} and a shape whose dimensions may be unknown ({@link #UNKNOWN}, printed
 * {@code ?}), or whose rank may be unknown ({@code shape == null}).
 *
 * <p>Notation: {@code float32} (scalar), {@code int32[10]}, {@code float32[?,784]}, and for unknown rank TFF's
 * {@code 'float32'(shape=None)}.
 *
 * @param dtype the element type
 * @param shape the dimensions ({@link #UNKNOWN} for an unknown one), or {@code null} for unknown rank
 */
public record TensorType(DType dtype, List<Integer> shape) implements Type {
  /** An unknown dimension, printed {@code ?}. */
  public static final int UNKNOWN = -1;

  /** {@code float32}. */
  public static final TensorType FLOAT32 = of(DType.FLOAT32);
  /** {@code int32}. */
  public static final TensorType INT32 = of(DType.INT32);
  /** {@code int64}. */
  public static final TensorType INT64 = of(DType.INT64);
  /** {@code bool}. */
  public static final TensorType BOOL = of(DType.BOOL);
  /** {@code str}. */
  public static final TensorType STRING = of(DType.STRING);

  /** Validates and copies the shape. */
  public TensorType {
    Objects.requireNonNull(dtype, "dtype");
    if (shape != null) {
      for (int i = 0; i < shape.size(); i++) {
        Integer d = shape.get(i);
        if (d == null || d < UNKNOWN) {
          throw new IllegalArgumentException("tensor type dimension " + i + " is " + d
              + ", expected >= 0 or TensorType.UNKNOWN (-1)");
        }
      }
      shape = Collections.unmodifiableList(new ArrayList<>(shape));
    }
  }

  /** A tensor type with the given dimensions ({@link #UNKNOWN} for unknown ones); no dimensions = scalar. */
  public static TensorType of(DType dtype, int... dims) {
    List<Integer> s = new ArrayList<>(dims.length);
    for (int d : dims) {
      s.add(d);
    }
    return new TensorType(dtype, s);
  }

  /** The tensor type of exactly this shape. */
  public static TensorType of(DType dtype, Shape shape) {
    return of(dtype, shape.dims());
  }

  /** A tensor type of unknown rank, printed {@code 'float32'(shape=None)}. */
  public static TensorType unknownRank(DType dtype) {
    return new TensorType(dtype, null);
  }

  /** The rank, or -1 when unknown. */
  public int rank() {
    return shape == null ? -1 : shape.size();
  }

  /** True for rank 0. */
  public boolean isScalar() {
    return shape != null && shape.isEmpty();
  }

  /** True if the rank and every dimension are known. */
  public boolean isFullyDefined() {
    return shape != null && !shape.contains(UNKNOWN);
  }

  /**
   * The concrete shape of a fully defined type.
   *
   * @throws IllegalStateException if some dimension or the rank is unknown
   */
  public Shape toShape() {
    if (!isFullyDefined()) {
      throw new IllegalStateException("tensor type " + this + " has no fully known shape");
    }
    int[] dims = new int[shape.size()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shape.get(i);
    }
    return Shape.of(dims);
  }

  /**
   * The tensor of this type (its shape fully known) with every element its dtype's largest finite value if
   * {@code largest}, else its smallest: {@code ±3.4028235E38} for float32 and the integer limits for int32 and int64,
   * as NumPy's {@code finfo}/{@code iinfo} give them. These are the values {@code federated_min} and
   * {@code federated_max} start from.
   *
   * @throws IllegalStateException if the shape is not fully known
   * @throws IllegalArgumentException if the dtype is not numeric
   */
  public Tensor limit(boolean largest) {
    Tensor t = Tensor.zeros(dtype, toShape());
    switch (dtype) {
      case FLOAT32 -> Arrays.fill(t.floatData(), largest ? Float.MAX_VALUE : -Float.MAX_VALUE);
      case INT32 -> Arrays.fill(t.intData(), largest ? Integer.MAX_VALUE : Integer.MIN_VALUE);
      case INT64 -> Arrays.fill(t.longData(), largest ? Long.MAX_VALUE : Long.MIN_VALUE);
      default -> throw new IllegalArgumentException("tensor type " + this + " has no numeric limits");
    }
    return t;
  }

  /** Whether a concrete tensor of {@code dtype} and {@code shape} is a value of this type. */
  public boolean accepts(DType dtype, Shape concrete) {
    if (dtype != this.dtype) {
      return false;
    }
    if (shape == null) {
      return true;
    }
    if (concrete.rank() != shape.size()) {
      return false;
    }
    for (int i = 0; i < shape.size(); i++) {
      int d = shape.get(i);
      if (d != UNKNOWN && d != concrete.dim(i)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean isAssignableFrom(Type source) {
    if (!(source instanceof TensorType t) || t.dtype != dtype) {
      return false;
    }
    if (shape == null) {
      return true;
    }
    if (t.shape == null || t.shape.size() != shape.size()) {
      return false;
    }
    for (int i = 0; i < shape.size(); i++) {
      int target = shape.get(i);
      if (target != UNKNOWN && target != t.shape.get(i)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public List<Type> children() {
    return List.of();
  }

  @Override
  public String toString() {
    return TypePrinter.print(this, false);
  }
}
