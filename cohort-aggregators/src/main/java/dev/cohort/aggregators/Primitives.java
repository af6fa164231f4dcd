package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedSecureSumBitwidth;
import static dev.cohort.core.Intrinsics.federatedValue;

import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeAnalysis;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.List;
import java.util.Set;

/** Aggregation primitives used inside traced federated computations: TFF's {@code tff.aggregators.primitives}. */
public final class Primitives {
  private Primitives() {}

  /**
   * TFF's {@code secure_quantized_sum}: the sum at SERVER of {@code clientValue} (at CLIENTS) computed by
   * {@code federated_secure_sum_bitwidth} alone. Each client clips its value to {@code [lowerBound, upperBound]}
   * and maps it to an integer in {@code [0, 2^32 - 1]}: floats by deterministic rounding of
   * {@code (x - lo) * (2^32 - 1) / (hi - lo)}, int32 exactly ({@code x - lo}), int64 exactly when
   * {@code hi - lo < 2^32} and otherwise divided by {@code floor((hi - lo) / (2^32 - 1)) + 1}; the server undoes the
   * shift on the sum, knowing the number of summands (a second secure sum, of ones, with bitwidth 1). A float
   * element's error is at most half a quantisation step, {@code (hi - lo) / (2 (2^32 - 1))}, plus float32 rounding.
   *
   * <p>Call it inside a federated computation being traced. The bounds are numbers (made SERVER constants of the
   * value's dtype) or values placed at SERVER (as an estimation process reports them): one scalar of the value's
   * dtype, or a struct of them, one per tensor of the value.
   *
   * @param clientValue a tensor or a struct of tensors of one dtype (float32, int32 or int64) placed at CLIENTS
   * @param lowerBound the smallest value kept (inclusive)
   * @param upperBound the largest value kept (inclusive)
   * @return the sum, placed at SERVER, of the value's type
   * @throws IllegalArgumentException if the value is not at CLIENTS, mixes dtypes or is not numeric, or a bound is
   *     not of the value's dtype and structure, or two constant bounds are in the wrong order; at run time, if a
   *     lower bound exceeds its upper bound
   */
  public static Value secureQuantizedSum(Value clientValue, Object lowerBound, Object upperBound) {
    String who = "Primitives.secureQuantizedSum";
    if (!(clientValue.type() instanceof FederatedType ft) || ft.placement() != Placement.CLIENTS) {
      throw new IllegalArgumentException(who + ": the value must be placed at CLIENTS, found " + clientValue.type());
    }
    Type valueType = ft.member();
    DType dtype = singleDtype(who, valueType);
    if (lowerBound instanceof Number lo && upperBound instanceof Number hi && lo.doubleValue() > hi.doubleValue()) {
      throw new IllegalArgumentException(who + ": lowerBound (" + lo + ") must not exceed upperBound (" + hi + ")");
    }
    Value lower = bound(who, "lowerBound", lowerBound, valueType, dtype);
    Value upper = bound(who, "upperBound", upperBound, valueType, dtype);
    if (!lower.type().equals(upper.type())) {
      throw new IllegalArgumentException(who + ": the bounds must have one type, found " + lower.type() + " and "
          + upper.type());
    }
    Type boundType = ((FederatedType) lower.type()).member();
    Value shifted = federatedMap(Secure.shift(Secure.Shift.QUANTIZED, valueType, boundType),
        List.of(clientValue, federatedBroadcast(lower), federatedBroadcast(upper)));
    Value summands = federatedSecureSumBitwidth(federatedValue(Tensor.scalar(1), Placement.CLIENTS),
        Tensor.scalar(1));
    Value sum = federatedSecureSumBitwidth(shifted, Tensor.scalar(Secure.QUANTIZED_BITWIDTH));
    return federatedMap(Secure.unshift(Secure.Shift.QUANTIZED, valueType, boundType),
        List.of(sum, lower, upper, summands));
  }

  /**
   * The one dtype of a numeric structure.
   *
   * @throws IllegalArgumentException "{@code <who>: the value type must be ... of one dtype ..., found <type>}"
   */
  static DType singleDtype(String who, Type valueType) {
    Set<DType> dtypes = Secure.dtypes(valueType);
    if (!TypeAnalysis.isStructureOf(valueType, t -> TypeAnalysis.isNumeric(t) && t.isFullyDefined())
        || dtypes.size() != 1) {
      throw new IllegalArgumentException(who + ": the value type must be a numeric tensor type or a struct of"
          + " tensor types of one dtype (float32, int32 or int64) with fully known shapes, found " + valueType);
    }
    return dtypes.iterator().next();
  }

  private static Value bound(String who, String name, Object bound, Type valueType, DType dtype) {
    if (bound instanceof Number n) {
      return federatedValue(Secure.scalar(dtype, n), Placement.SERVER);
    }
    if (!(bound instanceof Value v) || !(v.type() instanceof FederatedType bt) || bt.placement() != Placement.SERVER
        || !matchesBound(bt.member(), valueType, dtype)) {
      throw new IllegalArgumentException(who + ": " + name + " must be a number or a value placed at SERVER holding"
          + " one " + dtype.name().toLowerCase(java.util.Locale.ROOT) + " scalar or one per tensor of " + valueType
          + ", found " + (bound instanceof Value v ? v.type() : bound));
    }
    return v;
  }

  private static boolean matchesBound(Type bound, Type valueType, DType dtype) {
    TensorType scalar = TensorType.of(dtype);
    if (bound.equals(scalar)) {
      return true;
    }
    if (valueType instanceof StructType vs && bound instanceof StructType bs && vs.size() == bs.size()) {
      for (int i = 0; i < vs.size(); i++) {
        if (!matchesBound(bs.type(i), vs.type(i), dtype)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }
}
