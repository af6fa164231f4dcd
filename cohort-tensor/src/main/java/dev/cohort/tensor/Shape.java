package dev.cohort.tensor;

import static dev.cohort.tensor.internal.Checks.checkArgument;
import static dev.cohort.tensor.internal.Checks.checkNotNull;

import dev.cohort.tensor.internal.Checks;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * The fully known shape of a {@link Tensor}: a list of non-negative dimensions, row-major. A scalar has rank 0.
 * Immutable; {@link #toString()} prints {@code [2, 3]}.
 *
 * <p>A tensor is one Java array, so a shape may hold at most {@link #MAX_SIZE} elements; a larger one is rejected
 * with {@link IllegalArgumentException} when it is built, before anything is allocated.
 */
public final class Shape {
  /**
   * The most elements a shape (and so a tensor) may have: {@code 2^31 - 9 = 2,147,483,639}, the largest array
   * length every JVM allocates (HotSpot refuses lengths within a few elements of {@code Integer.MAX_VALUE} with
   * "Requested array size exceeds VM limit"; the JDK's own collections stop at the same bound).
   */
  public static final int MAX_SIZE = Integer.MAX_VALUE - 8;

  /** The shape of a scalar, {@code []}. */
  public static final Shape SCALAR = new Shape(new int[0]);

  private final int[] dims;
  private final int size;

  private Shape(int[] dims) {
    boolean empty = false;
    for (int i = 0; i < dims.length; i++) {
      checkArgument(dims[i] >= 0, "shape %s: dimension %s is %s, expected >= 0", dims, i, dims[i]);
      empty |= dims[i] == 0;
    }
    long n = 1;
    for (int i = 0; i < dims.length && !empty; i++) {
      n *= dims[i];
      if (n > MAX_SIZE) {
        throw new IllegalArgumentException(Checks.format(
            "shape %s has %s elements, more than the largest tensor can hold (%s elements, the VM's array limit)",
            dims, elementCount(dims), MAX_SIZE));
      }
    }
    this.dims = dims;
    this.size = empty ? 0 : (int) n;
  }

  /**
   * A shape with the given dimensions (copied).
   *
   * @throws IllegalArgumentException if a dimension is negative or the shape has more than {@link #MAX_SIZE}
   *     elements
   */
  public static Shape of(int... dims) {
    checkNotNull(dims, "Shape.of: dims");
    return dims.length == 0 ? SCALAR : new Shape(dims.clone());
  }

  /** The exact product of {@code dims}, however large, for error messages. */
  private static BigInteger elementCount(int[] dims) {
    BigInteger n = BigInteger.ONE;
    for (int d : dims) {
      n = n.multiply(BigInteger.valueOf(d));
    }
    return n;
  }

  /** Number of dimensions. */
  public int rank() {
    return dims.length;
  }

  /** Dimension {@code axis}; negative axes count from the end. */
  public int dim(int axis) {
    return dims[normalizeAxis(axis)];
  }

  /** Number of elements (1 for a scalar). */
  public int size() {
    return size;
  }

  /** A copy of the dimensions. */
  public int[] dims() {
    return dims.clone();
  }

  /** Maps a possibly negative axis to {@code [0, rank)}, or throws naming the shape. */
  public int normalizeAxis(int axis) {
    int a = axis < 0 ? axis + dims.length : axis;
    checkArgument(a >= 0 && a < dims.length, "axis %s out of range for shape %s of rank %s", axis, this, dims.length);
    return a;
  }

  /** Row-major strides (elements, not bytes). */
  int[] strides() {
    int[] s = new int[dims.length];
    int acc = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= dims[i];
    }
    return s;
  }

  /** Product of the dimensions in {@code [from, to)}. */
  int sizeOf(int from, int to) {
    int n = 1;
    for (int i = from; i < to; i++) {
      n *= dims[i];
    }
    return n;
  }

  /** Direct access to the dimension array for kernels; callers must not modify it. */
  int[] dimsUnsafe() {
    return dims;
  }

  static Shape ofOwned(int[] dims) {
    return dims.length == 0 ? SCALAR : new Shape(dims);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  @Override
  public String toString() {
    return Arrays.toString(dims);
  }
}
