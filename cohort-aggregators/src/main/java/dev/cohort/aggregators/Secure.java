package dev.cohort.aggregators;

import dev.cohort.core.Computation;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The client and server steps of the secure sums ({@link SecureSumFactory}, {@link Primitives#secureQuantizedSum}):
 * the local functions that shift, quantise and count before a secure intrinsic, and that undo the shift after it.
 * None of them sees more than one client's value; the values cross from CLIENTS to SERVER only inside
 * {@code federated_secure_sum_bitwidth}.
 */
final class Secure {
  /** TFF's {@code _SECAGG_MAX}: floats are quantised to the integers {@code [0, 2^32 - 1]}. */
  static final long SECAGG_MAX = (1L << 32) - 1;

  /** TFF's bitwidth for quantised values. */
  static final int QUANTIZED_BITWIDTH = 32;

  private Secure() {}

  /** The dtypes of the tensors of {@code type}, in order of first appearance. */
  static Set<DType> dtypes(Type type) {
    Set<DType> out = new LinkedHashSet<>();
    collectDtypes(type, out);
    return out;
  }

  private static void collectDtypes(Type type, Set<DType> out) {
    if (type instanceof TensorType t) {
      out.add(t.dtype());
    } else if (type instanceof StructType s) {
      for (int i = 0; i < s.size(); i++) {
        collectDtypes(s.type(i), out);
      }
    }
  }

  /** {@code type} with every tensor's dtype replaced by {@code dtype}, names and shapes kept. */
  static Type withDtype(Type type, DType dtype) {
    if (type instanceof TensorType t) {
      return new TensorType(dtype, t.shape());
    }
    StructType s = (StructType) type;
    List<StructType.Field> fields = new ArrayList<>(s.size());
    for (StructType.Field f : s.fields()) {
      fields.add(new StructType.Field(f.name(), withDtype(f.type(), dtype)));
    }
    return new StructType(fields);
  }

  /** A scalar of {@code dtype} holding {@code value} (which fits it). */
  static Tensor scalar(DType dtype, Number value) {
    return switch (dtype) {
      case INT32 -> Tensor.scalar(value.intValue());
      case INT64 -> Tensor.scalar(value.longValue());
      default -> Tensor.scalar(value.floatValue());
    };
  }

  /** {@code (V -> <max=D,min=D>)}: the largest and smallest element of a client's value (TFF's reduce_nest_max/min). */
  static Computation extremes(Type valueType, DType dtype) {
    TensorType d = TensorType.of(dtype);
    return EXTREMES.at(new FunctionType(valueType, StructType.named("max", d, "min", d)), Struct.empty());
  }

  private static final Processes.Family EXTREMES = new Processes.Family("aggregators.secure_extremes", (type, p) -> {
    Processes.noParameters(p);
    TensorType d = TensorType.of(Primitives.singleDtype("aggregators.secure_extremes", type.parameter()));
    return new FunctionType(type.parameter(), StructType.named("max", d, "min", d));
  }, (type, p) -> arg -> {
    List<Tensor> tensors = Processes.tensors(arg);
    Tensor max = null;
    Tensor min = null;
    for (Tensor t : tensors) {
      if (t.size() == 0) {
        continue;
      }
      max = max == null ? t.max() : max.maximum(t.max());
      min = min == null ? t.min() : min.minimum(t.min());
    }
    if (max == null) {
      throw new IllegalArgumentException("secure sum: the value " + type.parameter() + " has no elements");
    }
    return Struct.of(List.of("max", "min"), List.of(max, min));
  });

  /**
   * {@code (<upper=D,lower=D,max=D,min=D> -> <upper=int32,lower=int32>)}: 1 where the client's largest element is
   * above the upper bound (its smallest below the lower one), the flags TFF sums with bitwidth 1.
   */
  static Computation clippedFlags(DType dtype) {
    return CLIPPED.at(clippedType(TensorType.of(dtype)), Struct.empty());
  }

  private static FunctionType clippedType(Type d) {
    return new FunctionType(StructType.named("upper", d, "lower", d, "max", d, "min", d),
        StructType.named("upper", TensorType.INT32, "lower", TensorType.INT32));
  }

  private static final Processes.Family CLIPPED = new Processes.Family("aggregators.secure_clipped", (type, p) -> {
    Processes.noParameters(p);
    return clippedType(Processes.part(type.parameter(), 0));
  }, (type, p) -> arg -> {
    Struct s = (Struct) arg;
    double upper = ((Tensor) s.get(0)).getDouble();
    double lower = ((Tensor) s.get(1)).getDouble();
    double max = ((Tensor) s.get(2)).getDouble();
    double min = ((Tensor) s.get(3)).getDouble();
    return Struct.of(List.of("upper", "lower"),
        List.of(Tensor.scalar(upper < max ? 1 : 0), Tensor.scalar(lower > min ? 1 : 0)));
  });

  /** {@code (<max=D,min=D> -> float32)}: {@code max(|max|, |min|)}, what a single bound process sees. */
  static Computation absMax(DType dtype) {
    return ABS_MAX.at(absMaxType(TensorType.of(dtype)), Struct.empty());
  }

  private static FunctionType absMaxType(Type d) {
    return new FunctionType(StructType.named("max", d, "min", d), TensorType.FLOAT32);
  }

  private static final Processes.Family ABS_MAX = new Processes.Family("aggregators.secure_abs_max", (type, p) -> {
    Processes.noParameters(p);
    return absMaxType(Processes.part(type.parameter(), 0));
  }, (type, p) -> arg -> {
    Struct s = (Struct) arg;
    return Tensor.scalar((float) Math.max(Math.abs(((Tensor) s.get(0)).getDouble()),
        Math.abs(((Tensor) s.get(1)).getDouble())));
  });

  /** Defines the secure sums' families ({@link AggregationProcess#defineLocalFamilies}). */
  static void defineLocalFamilies() {
    for (Processes.Family f : List.of(EXTREMES, CLIPPED, ABS_MAX, SHIFT, UNSHIFT)) {
      f.define();
    }
  }

  /** How values become the non-negative integers a secure sum takes. */
  enum Shift {
    /** {@link SecureSumFactory}'s integers: {@code clip(v, lo, hi) - lo}, exactly, in int64. */
    EXACT,
    /** TFF's {@code secure_quantized_sum}: 32-bit deterministic quantisation (exact for int32). */
    QUANTIZED;

    /** The parameters {@code <mode=exact|quantized>} of the shift families. */
    Struct parameters() {
      return Struct.named("mode", Tensor.scalar(name().toLowerCase(Locale.ROOT)));
    }

    static Shift of(Struct parameters) {
      return valueOf(Processes.stringParameter(parameters, "mode", List.of("exact", "quantized"))
          .toUpperCase(Locale.ROOT));
    }
  }

  /**
   * {@code (<value=V,lower=B,upper=B> -> V')} with {@code V'} the int64 structure of {@code V}: each element clipped
   * to the bounds (one scalar bound, or one per tensor) and shifted (and for floats quantised) to
   * {@code [0, upper - lower]} (resp. {@code [0, 2^32 - 1]}).
   *
   * @throws IllegalArgumentException at run time if a lower bound exceeds its upper bound
   */
  static Computation shift(Shift mode, Type valueType, Type boundType) {
    return SHIFT.at(shiftType(valueType, boundType), mode.parameters());
  }

  private static FunctionType shiftType(Type valueType, Type boundType) {
    return new FunctionType(StructType.named("value", valueType, "lower", boundType, "upper", boundType),
        withDtype(valueType, DType.INT64));
  }

  private static final Processes.Family SHIFT = new Processes.Family("aggregators.secure_shift", (type, p) -> {
    Shift.of(p);
    Type valueType = Processes.part(type.parameter(), 0);
    Processes.requireNumeric("aggregators.secure_shift", valueType);
    return shiftType(valueType, Processes.part(type.parameter(), 1));
  }, (type, p) -> {
    Shift mode = Shift.of(p);
    return arg -> {
      Struct s = (Struct) arg;
      List<Tensor> lowers = Processes.tensors(s.get(1));
      List<Tensor> uppers = Processes.tensors(s.get(2));
      int[] index = {0};
      return Processes.mapTensors(s.get(0), t -> {
        int j = lowers.size() == 1 ? 0 : index[0];
        index[0]++;
        return shiftTensor(mode, t, lowers.get(j), uppers.get(j));
      });
    };
  });

  private static Tensor shiftTensor(Shift mode, Tensor t, Tensor lowerBound, Tensor upperBound) {
    long[] out = new long[t.size()];
    if (t.dtype() == DType.FLOAT32) {
      float lo = lowerBound.floatValue();
      float hi = upperBound.floatValue();
      checkOrder(lo, hi);
      float[] d = t.floatData();
      double scale = scale(lo, hi);
      long loShift = saturate(Math.rint((double) lo * scale));
      for (int k = 0; k < d.length; k++) {
        float clipped = Math.min(Math.max(d[k], lo), hi);
        long q = saturate(Math.rint((double) clipped * scale)) - loShift;
        out[k] = Math.min(Math.max(q, 0), SECAGG_MAX);
      }
      return Tensor.wrap(out, t.shape());
    }
    long lo = lowerBound.dtype() == DType.INT32 ? lowerBound.intValue() : lowerBound.longValue();
    long hi = upperBound.dtype() == DType.INT32 ? upperBound.intValue() : upperBound.longValue();
    checkOrder(lo, hi);
    long divisor = mode == Shift.QUANTIZED && t.dtype() == DType.INT64 ? int64Divisor(lo, hi) : 1;
    for (int k = 0; k < out.length; k++) {
      long e = t.dtype() == DType.INT32 ? t.intData()[k] : t.longData()[k];
      long clipped = Math.min(Math.max(e, lo), hi);
      out[k] = divisor == 1 ? clipped - lo : Math.floorDiv(clipped - lo, divisor);
    }
    return Tensor.wrap(out, t.shape());
  }

  /**
   * {@code (<sum=V',lower=B,upper=B,summands=int32> -> V)}: undoes {@link #shift} on the sum of {@code summands}
   * shifted values, giving the value's dtypes back.
   */
  static Computation unshift(Shift mode, Type valueType, Type boundType) {
    return UNSHIFT.at(unshiftType(valueType, boundType), mode.parameters());
  }

  private static FunctionType unshiftType(Type valueType, Type boundType) {
    return new FunctionType(StructType.named("sum", withDtype(valueType, DType.INT64), "lower", boundType,
        "upper", boundType, "summands", TensorType.INT32), valueType);
  }

  private static final Processes.Family UNSHIFT = new Processes.Family("aggregators.secure_unshift", (type, p) -> {
    Shift.of(p);
    Processes.requireNumeric("aggregators.secure_unshift", type.result());
    return unshiftType(type.result(), Processes.part(type.parameter(), 1));
  }, (type, p) -> {
    Shift mode = Shift.of(p);
    List<DType> dtypes = new ArrayList<>();
    collectLeafDtypes(type.result(), dtypes);
    return arg -> {
      Struct s = (Struct) arg;
      List<Tensor> lowers = Processes.tensors(s.get(1));
      List<Tensor> uppers = Processes.tensors(s.get(2));
      long n = ((Tensor) s.get(3)).intValue();
      int[] index = {0};
      return Processes.mapTensors(s.get(0), t -> {
        int i = index[0]++;
        int j = lowers.size() == 1 ? 0 : i;
        return unshiftTensor(mode, t, lowers.get(j), uppers.get(j), n, dtypes.get(i));
      });
    };
  });

  private static void collectLeafDtypes(Type type, List<DType> out) {
    if (type instanceof TensorType t) {
      out.add(t.dtype());
    } else {
      StructType s = (StructType) type;
      for (int i = 0; i < s.size(); i++) {
        collectLeafDtypes(s.type(i), out);
      }
    }
  }

  private static Tensor unshiftTensor(Shift mode, Tensor sum, Tensor lowerBound, Tensor upperBound, long n,
      DType dtype) {
    long[] d = sum.longData();
    if (dtype == DType.FLOAT32) {
      float lo = lowerBound.floatValue();
      float hi = upperBound.floatValue();
      double scale = scale(lo, hi);
      long loShift = saturate(Math.rint((double) lo * scale)) * n;
      double step = (double) (hi - lo) / SECAGG_MAX;
      float[] out = new float[d.length];
      for (int k = 0; k < d.length; k++) {
        double v = lo == hi ? d[k] * step + n * (double) lo : (double) (d[k] + loShift) * step;
        out[k] = (float) v;
      }
      return Tensor.wrap(out, sum.shape());
    }
    long lo = lowerBound.dtype() == DType.INT32 ? lowerBound.intValue() : lowerBound.longValue();
    long hi = upperBound.dtype() == DType.INT32 ? upperBound.intValue() : upperBound.longValue();
    long divisor = mode == Shift.QUANTIZED && dtype == DType.INT64 ? int64Divisor(lo, hi) : 1;
    long[] out = new long[d.length];
    for (int k = 0; k < d.length; k++) {
      out[k] = d[k] * divisor + n * lo;
    }
    if (dtype == DType.INT32) {
      int[] ints = new int[out.length];
      for (int k = 0; k < out.length; k++) {
        ints[k] = (int) out[k];
      }
      return Tensor.wrap(ints, sum.shape());
    }
    return Tensor.wrap(out, sum.shape());
  }

  /** TFF's float scale {@code (2^32 - 1) / (hi - lo)} (the difference in float32), 0 when the bounds are equal. */
  private static double scale(float lo, float hi) {
    float range = hi - lo;
    return range == 0f ? 0.0 : SECAGG_MAX / (double) range;
  }

  /** TFF's int64 quantisation step {@code floor((hi - lo) / (2^32 - 1)) + 1}, so that shifted values fit 32 bits. */
  private static long int64Divisor(long lo, long hi) {
    return Long.divideUnsigned(hi - lo, SECAGG_MAX) + 1;
  }

  private static long saturate(double v) {
    return v >= 0x1p63 ? Long.MAX_VALUE : v <= -0x1p63 ? Long.MIN_VALUE : (long) v;
  }

  private static void checkOrder(double lo, double hi) {
    if (!(lo <= hi)) {
      throw new IllegalArgumentException("secure sum: the lower bound " + lo + " must not exceed the upper bound "
          + hi);
    }
  }
}
