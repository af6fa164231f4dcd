package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedSecureModularSum;
import static dev.cohort.core.Intrinsics.federatedValue;

import dev.cohort.core.Computation;
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeAnalysis;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;

/**
 * Sums integer values modulo {@code modulus} with {@code federated_secure_modular_sum}: TFF's
 * {@code tff.aggregators.SecureModularSumFactory}. Values outside the range wrap around, never fail.
 *
 * <p>Without {@code symmetricRange} the result lies in {@code [0, modulus - 1]}; with it, in
 * {@code [-(modulus - 1), modulus - 1]}: the secure sum runs modulo {@code 2 modulus - 1} and the server maps a sum
 * {@code >= modulus} to {@code sum - (2 modulus - 1)}, as TFF's code does. (TFF's docstring example, {@code [1, 3, 6]}
 * with modulus 4 giving 1, disagrees with its code and its tests, which give 3; Cohort follows the code.) State and
 * measurements are empty.
 *
 * @param modulus the modulus, {@code >= 1}
 * @param symmetricRange whether the range is symmetric around 0
 */
public record SecureModularSumFactory(long modulus, boolean symmetricRange) implements UnweightedAggregationFactory {

  /**
   * Checks the modulus.
   *
   * @throws IllegalArgumentException if {@code modulus < 1}, or the symmetric modulus {@code 2 modulus - 1}
   *     overflows
   */
  public SecureModularSumFactory {
    if (modulus < 1) {
      throw new IllegalArgumentException("SecureModularSumFactory: modulus (" + modulus + ") must be positive");
    }
    if (symmetricRange && modulus > Long.MAX_VALUE / 2) {
      throw new IllegalArgumentException("SecureModularSumFactory: modulus (" + modulus + ") is too large for a"
          + " symmetric range (2 modulus - 1 must fit int64)");
    }
  }

  /** {@code SecureModularSumFactory(modulus)}: the range {@code [0, modulus - 1]}. */
  public SecureModularSumFactory(long modulus) {
    this(modulus, false);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if {@code valueType} is not an integer tensor type or a struct of them, or the
   *     modulus does not fit an int32 value type
   */
  @Override
  public AggregationProcess create(Type valueType) {
    Processes.requireStructure("SecureModularSumFactory", "value", valueType, TypeAnalysis::isInteger,
        "an integer tensor type or a struct of integer tensor types");
    long secureModulus = symmetricRange ? 2 * modulus - 1 : modulus;
    boolean int32 = Secure.dtypes(valueType).contains(DType.INT32);
    if (int32 && secureModulus > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("SecureModularSumFactory: the modulus " + secureModulus + " does not fit"
          + " the int32 tensors of " + valueType);
    }
    Tensor bound = int32 ? Tensor.scalar((int) secureModulus) : Tensor.scalar(secureModulus);
    Computation initialize = Computation.federated("secure_modular_sum_initialize",
        () -> federatedValue(Struct.empty(), Placement.SERVER));
    Computation wrap = symmetricRange ? SYMMETRIC_WRAP.at(new FunctionType(valueType, valueType),
        Struct.named("modulus", Tensor.scalar(modulus))) : null;
    Computation next = Computation.federated("secure_modular_sum_next", "state",
        initialize.typeSignature().result(), "value", FederatedType.atClients(valueType), (state, value) -> {
          Value sum = federatedSecureModularSum(value, bound);
          return Processes.output(state, wrap == null ? sum : federatedMap(wrap, sum),
              federatedValue(Struct.empty(), Placement.SERVER));
        });
    return new AggregationProcess(initialize, next);
  }

  /** The family {@code aggregators.symmetric_wrap}: {@code (V -> V)} for integer {@code V}, {@code <modulus=int64>}. */
  static final Processes.Family SYMMETRIC_WRAP = new Processes.Family("aggregators.symmetric_wrap", (type, p) -> {
    Processes.checkParameters(p, "modulus", DType.INT64);
    Processes.requireStructure("aggregators.symmetric_wrap", "value", type.parameter(), TypeAnalysis::isInteger,
        "an integer tensor type or a struct of integer tensor types");
    return new FunctionType(type.parameter(), type.parameter());
  }, (type, p) -> {
    long modulus = Processes.parameter(p, "modulus").longValue();
    return arg -> Processes.mapTensors(arg, t -> symmetric(t, modulus));
  });

  /** TFF's {@code _mod_clip_after_symmetric_range_sum}: a sum {@code >= m} becomes {@code sum - (2m - 1)}. */
  private static Tensor symmetric(Tensor t, long m) {
    if (t.dtype() == DType.INT32) {
      int[] d = t.intData().clone();
      for (int k = 0; k < d.length; k++) {
        d[k] = d[k] >= m ? (int) (d[k] - (2 * m - 1)) : d[k];
      }
      return Tensor.wrap(d, t.shape());
    }
    long[] d = t.longData().clone();
    for (int k = 0; k < d.length; k++) {
      d[k] = d[k] >= m ? d[k] - (2 * m - 1) : d[k];
    }
    return Tensor.wrap(d, t.shape());
  }
}
