package dev.cohort.core.runtime;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/**
 * Element-wise arithmetic over runtime values that are tensors or (nested) structs of tensors, in the tensors' own
 * dtypes: float32 arithmetic rounds to float32 after every operation, as TensorFlow's kernels do.
 */
final class Arith {
  private Arith() {}

  static Object plus(Object a, Object b) {
    return zip(a, b, Tensor::add);
  }

  /**
   * {@code a * b}, where {@code b} has {@code a}'s structure or is a scalar broadcast over it (converted to each
   * tensor's dtype; the type check admits only scalars that convert without loss).
   */
  static Object multiply(Object a, Object b) {
    if (b instanceof Tensor s && s.rank() == 0 && !(a instanceof Tensor t && t.rank() == 0 && t.dtype() == s.dtype())) {
      return map(a, x -> x.mul(s.dtype() == x.dtype() ? s : s.cast(x.dtype())));
    }
    return zip(a, b, Tensor::mul);
  }

  /**
   * {@code a * (1/b)} for float32 {@code a}, where {@code b} has {@code a}'s structure or is a scalar broadcast over
   * it. Multiplying by the float32 reciprocal is how TFF's compiled division behaves: it turns the float32 sum 208.6
   * of [68.5, 70.3, 69.8] into the 69.53334 that TFF's tutorial prints for their mean.
   */
  static Object divide(Object a, Object b) {
    if (b instanceof Tensor s && s.rank() == 0) {
      Tensor r = reciprocal(s);
      return map(a, x -> x.mul(r));
    }
    return zip(a, b, (x, y) -> x.mul(reciprocal(y)));
  }

  /** {@code 1/y} in float32; a 0 in {@code y} fails rather than making infinities and NaNs. */
  private static Tensor reciprocal(Tensor y) {
    Tensor f = y.dtype() == DType.FLOAT32 ? y : y.cast(DType.FLOAT32);
    float[] d = f.floatData();
    for (int i = 0; i < d.length; i++) {
      if (d[i] == 0) {
        throw new ArithmeticException("generic_divide: division by 0"
            + (y.rank() == 0 ? "" : " (element " + i + " of the divisor)"));
      }
    }
    return Tensor.scalar(1f).div(f);
  }

  static Object minimum(Object a, Object b) {
    return zip(a, b, Tensor::minimum);
  }

  static Object maximum(Object a, Object b) {
    return zip(a, b, Tensor::maximum);
  }

  /** The zero of {@code type} (fully known shapes). */
  static Object zero(Type type) {
    return fill(type, 0);
  }

  /**
   * A value of {@code type} filled with {@code which}: 0 for zeros, +1 for each dtype's largest finite value, -1 for
   * its smallest (the seeds of min and max, as TFF's {@code np.finfo/np.iinfo} limits).
   */
  static Object fill(Type type, int which) {
    if (type instanceof TensorType t) {
      if (!t.isFullyDefined()) {
        throw new IllegalArgumentException("cannot make a constant of type " + t + ": its shape is not fully known");
      }
      return filled(t.dtype(), t.toShape(), which);
    }
    StructType s = (StructType) type;
    List<Object> values = new ArrayList<>(s.size());
    List<String> names = new ArrayList<>(s.size());
    for (int i = 0; i < s.size(); i++) {
      names.add(s.name(i));
      values.add(fill(s.type(i), which));
    }
    return Struct.of(names, values);
  }

  /** {@link #fill} with the dtypes and shapes of the tensors in {@code like}. */
  static Object fillLike(Object like, int which) {
    return map(like, x -> filled(x.dtype(), x.shape(), which));
  }

  private static Tensor filled(DType dtype, Shape shape, int which) {
    return which == 0 ? Tensor.zeros(dtype, shape) : TensorType.of(dtype, shape).limit(which > 0);
  }

  /** {@code acc += x} in place on tensors that {@code acc} owns; returns {@code acc}. */
  static Object addInto(Object acc, Object x) {
    if (acc instanceof Tensor a) {
      Tensor b = (Tensor) x;
      if (!a.shape().equals(b.shape()) || a.dtype() != b.dtype()) {
        throw new IllegalArgumentException("cannot add a " + b.dtype() + " tensor of shape " + b.shape() + " to a "
            + a.dtype() + " accumulator of shape " + a.shape());
      }
      return a.addInPlace(b);
    }
    Struct sa = (Struct) acc;
    Struct sx = (Struct) x;
    for (int i = 0; i < sa.size(); i++) {
      addInto(sa.get(i), sx.get(i));
    }
    return acc;
  }

  /**
   * {@code acc += x * w} in place, with the bits of {@code addInto(acc, multiply(x, w))}: float32 leaves and a float32
   * scalar {@code w} take one pass without a temporary (Java rounds the product to float32 before the addition, as
   * the two operations do); anything else takes the two operations. Returns {@code acc}.
   */
  static Object addScaledInto(Object acc, Object x, Object w) {
    if (!(w instanceof Tensor s && s.rank() == 0 && s.dtype() == DType.FLOAT32)) {
      return addInto(acc, multiply(x, w));
    }
    if (acc instanceof Tensor a) {
      Tensor b = (Tensor) x;
      if (a.dtype() == DType.FLOAT32 && b.dtype() == DType.FLOAT32 && a.shape().equals(b.shape())) {
        return a.axpyInPlace(s.floatValue(), b);
      }
      return addInto(a, multiply(b, s));
    }
    Struct sa = (Struct) acc;
    Struct sx = (Struct) x;
    for (int i = 0; i < sa.size(); i++) {
      addScaledInto(sa.get(i), sx.get(i), s);
    }
    return acc;
  }

  static Object map(Object a, UnaryOperator<Tensor> f) {
    if (a instanceof Tensor t) {
      return f.apply(t);
    }
    Struct s = (Struct) a;
    List<Object> values = new ArrayList<>(s.size());
    for (Object v : s.values()) {
      values.add(map(v, f));
    }
    return Struct.of(s.names(), values);
  }

  static Object zip(Object a, Object b, BinaryOperator<Tensor> f) {
    if (a instanceof Tensor x) {
      if (!(b instanceof Tensor y)) {
        throw new IllegalArgumentException("operands differ in structure: a tensor and " + b);
      }
      return f.apply(x, y);
    }
    Struct sa = (Struct) a;
    if (!(b instanceof Struct sb) || sb.size() != sa.size()) {
      throw new IllegalArgumentException("operands differ in structure: " + sa.size() + " elements and " + b);
    }
    List<Object> values = new ArrayList<>(sa.size());
    for (int i = 0; i < sa.size(); i++) {
      values.add(zip(sa.get(i), sb.get(i), f));
    }
    return Struct.of(sa.names(), values);
  }

  /** The tensors of {@code x} in depth-first order. */
  static List<Tensor> leaves(Object x) {
    List<Tensor> out = new ArrayList<>();
    collect(x, out);
    return out;
  }

  private static void collect(Object x, List<Tensor> out) {
    if (x instanceof Tensor t) {
      out.add(t);
    } else {
      for (Object v : ((Struct) x).values()) {
        collect(v, out);
      }
    }
  }

  /** Rebuilds {@code like}'s structure from {@code leaves} in depth-first order. */
  static Object unflatten(Object like, List<Tensor> leaves) {
    int[] next = {0};
    return map(like, t -> leaves.get(next[0]++));
  }
}
