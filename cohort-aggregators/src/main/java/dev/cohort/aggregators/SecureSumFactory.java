package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedSecureSumBitwidth;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.Intrinsics.federatedZip;
import static dev.cohort.core.Intrinsics.genericMultiply;

import dev.cohort.core.Computation;
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * Sums values securely: TFF's {@code tff.aggregators.SecureSumFactory}. Every value crosses from CLIENTS to SERVER
 * inside {@code federated_secure_sum_bitwidth} only, so that a secure-aggregation protocol can run it: clients clip
 * their value to {@code [lower, upper]} and shift it to non-negative integers, the server undoes the shift on the
 * sum.
 *
 * <ul>
 *   <li>{@link #integers}: integer values, exact; the bitwidth is {@code ceil(log2(upper - lower + 1))}.</li>
 *   <li>{@link #floats}: float32 values, quantised to 32 bits by {@link Primitives#secureQuantizedSum}.</li>
 *   <li>{@link #estimated}: float32 values with bounds an {@link EstimationProcess} reports each round (one process
 *       for {@code [-b, b]}, whose {@code next} receives each client's {@code max |x|}, or one per bound, receiving
 *       each client's maximum and minimum); the state is the process's (the two processes' zipped).</li>
 * </ul>
 *
 * <p>With one bound the range is {@code [-upper, upper]}. The measurements are TFF's:
 * {@code <secure_upper_clipped_count=int32,secure_lower_clipped_count=int32,secure_upper_threshold=D,
 * secure_lower_threshold=D>}, the counts of clients whose largest (smallest) element was clipped, each summed by a
 * bitwidth-1 secure sum. All tensors of the value must share one dtype, the bounds' kind.
 */
public final class SecureSumFactory implements UnweightedAggregationFactory {
  private enum Mode { INT, FLOAT }

  private final Mode mode;
  private final Number upper;
  private final Number lower;
  private final EstimationProcess upperProcess;
  private final EstimationProcess lowerProcess;
  private final int bitwidth;

  private SecureSumFactory(Mode mode, Number upper, Number lower, EstimationProcess upperProcess,
      EstimationProcess lowerProcess, int bitwidth) {
    this.mode = mode;
    this.upper = upper;
    this.lower = lower;
    this.upperProcess = upperProcess;
    this.lowerProcess = lowerProcess;
    this.bitwidth = bitwidth;
  }

  /** Integer values in {@code [-upper, upper]}: TFF's {@code SecureSumFactory(upper)} with an int. */
  public static SecureSumFactory integers(long upper) {
    if (upper <= 0) {
      throw new IllegalArgumentException("SecureSumFactory.integers: upper (" + upper + ") must be > 0 when it is"
          + " the only bound (the range is [-upper, upper])");
    }
    return integers(upper, -upper);
  }

  /**
   * Integer values in {@code [lower, upper]}: TFF's {@code SecureSumFactory(upper, lower)} with ints.
   *
   * @throws IllegalArgumentException if {@code upper <= lower} or the range needs more than 62 bits
   */
  public static SecureSumFactory integers(long upper, long lower) {
    if (upper <= lower) {
      throw new IllegalArgumentException("SecureSumFactory.integers: upper (" + upper + ") must be > lower ("
          + lower + ")");
    }
    long range = upper - lower;
    if (range < 0 || range >= (1L << 62) - 1) {
      throw new IllegalArgumentException("SecureSumFactory.integers: the range [" + lower + ", " + upper + "] needs"
          + " more than 62 bits, the most a secure sum takes");
    }
    int bits = 64 - Long.numberOfLeadingZeros(range);   // ceil(log2(range + 1))
    return new SecureSumFactory(Mode.INT, upper, lower, null, null, bits);
  }

  /** The bitwidth of the secure sum of the values: {@code ceil(log2(upper - lower + 1))} for integers, else 32. */
  public int bitwidth() {
    return bitwidth;
  }

  /** Float32 values in {@code [-upper, upper]}: TFF's {@code SecureSumFactory(upper)} with a float. */
  public static SecureSumFactory floats(double upper) {
    if (!(upper > 0) || !Float.isFinite((float) upper)) {
      throw new IllegalArgumentException("SecureSumFactory.floats: upper (" + upper + ") must be a finite float32"
          + " > 0 when it is the only bound (the range is [-upper, upper])");
    }
    return floats(upper, -upper);
  }

  /**
   * Float32 values in {@code [lower, upper]}: TFF's {@code SecureSumFactory(upper, lower)} with floats.
   *
   * @throws IllegalArgumentException if a bound is not a finite float32 or {@code upper <= lower}
   */
  public static SecureSumFactory floats(double upper, double lower) {
    if (!Float.isFinite((float) upper) || !Float.isFinite((float) lower) || !((float) upper > (float) lower)) {
      throw new IllegalArgumentException("SecureSumFactory.floats: upper (" + upper + ") must be a finite float32"
          + " > lower (" + lower + ")");
    }
    return new SecureSumFactory(Mode.FLOAT, (float) upper, (float) lower, null, null, Secure.QUANTIZED_BITWIDTH);
  }

  /** Float32 values in {@code [-b, b]}, {@code b} what {@code upper} reports each round. */
  public static SecureSumFactory estimated(EstimationProcess upper) {
    return new SecureSumFactory(Mode.FLOAT, null, null, checked("upper", upper), null,
        Secure.QUANTIZED_BITWIDTH);
  }

  /** Float32 values in {@code [l, u]}, the bounds what {@code upper} and {@code lower} report each round. */
  public static SecureSumFactory estimated(EstimationProcess upper, EstimationProcess lower) {
    return new SecureSumFactory(Mode.FLOAT, null, null, checked("upper", upper),
        checked("lower", lower), Secure.QUANTIZED_BITWIDTH);
  }

  /** TFF's {@code _check_bound_process}: the process takes client float32 values and reports float32. */
  private static EstimationProcess checked(String name, EstimationProcess process) {
    Objects.requireNonNull(process, name);
    if (!process.accepts(TensorType.FLOAT32)
        || !FederatedType.atServer(TensorType.FLOAT32).isAssignableFrom(process.estimateType())) {
      throw new IllegalArgumentException("SecureSumFactory.estimated: the " + name + " bound process must take"
          + " {float32}@CLIENTS and report float32@SERVER, found next " + process.next().typeSignature()
          + " and report " + process.report().typeSignature());
    }
    return process;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if the value type mixes dtypes, or its dtype is not of the bounds' kind
   *     (integers for {@link #integers}, float32 otherwise), or an integer bound does not fit the dtype
   */
  @Override
  public AggregationProcess create(Type valueType) {
    DType dtype = Primitives.singleDtype("SecureSumFactory", valueType);
    if (mode == Mode.INT && !dtype.isInteger()) {
      throw new IllegalArgumentException("SecureSumFactory: integer bounds need an integer value type, found "
          + valueType);
    }
    if (mode == Mode.FLOAT && dtype != DType.FLOAT32) {
      throw new IllegalArgumentException("SecureSumFactory: float bounds need a float32 value type, found "
          + valueType);
    }
    if (dtype == DType.INT32 && (upper.longValue() > Integer.MAX_VALUE || lower.longValue() < Integer.MIN_VALUE)) {
      throw new IllegalArgumentException("SecureSumFactory: the bounds [" + lower + ", " + upper
          + "] do not fit the int32 values of " + valueType);
    }
    Computation initialize = initialize();
    Type state = initialize.typeSignature().result();
    Computation extremes = Secure.extremes(valueType, dtype);
    Computation flags = Secure.clippedFlags(dtype);
    Computation absMax = upperProcess != null && lowerProcess == null ? Secure.absMax(dtype) : null;
    Computation negate = Computation.federated("secure_negate", TensorType.FLOAT32,
        b -> genericMultiply(b, Tensor.scalar(-1f)));
    Computation next = Computation.federated("secure_sum_next", "state", state,
        "value", FederatedType.atClients(valueType), (s, value) -> {
          Value ext = federatedMap(extremes, value);
          Value upperBound;
          Value lowerBound;
          Value newState;
          if (upperProcess == null) {
            upperBound = federatedValue(Secure.scalar(dtype, upper), Placement.SERVER);
            lowerBound = federatedValue(Secure.scalar(dtype, lower), Placement.SERVER);
            newState = s;
          } else if (lowerProcess == null) {
            upperBound = upperProcess.report().apply(s);
            lowerBound = federatedMap(negate, upperBound);
            newState = upperProcess.next().apply(s, federatedMap(absMax, ext));
          } else {
            upperBound = upperProcess.report().apply(s.get("upper"));
            lowerBound = lowerProcess.report().apply(s.get("lower"));
            newState = federatedZip(Processes.named(
                "upper", upperProcess.next().apply(s.get("upper"), ext.get("max")),
                "lower", lowerProcess.next().apply(s.get("lower"), ext.get("min"))));
          }
          Value sum = mode == Mode.FLOAT ? Primitives.secureQuantizedSum(value, lowerBound, upperBound)
              : integerSum(value, valueType, dtype, lowerBound, upperBound);
          Value clipped = federatedSecureSumBitwidth(federatedMap(flags, List.of(federatedBroadcast(upperBound),
              federatedBroadcast(lowerBound), ext.get("max"), ext.get("min"))), Tensor.scalar(1));
          return Processes.output(newState, sum, federatedZip(Processes.named(
              "secure_upper_clipped_count", clipped.get("upper"),
              "secure_lower_clipped_count", clipped.get("lower"),
              "secure_upper_threshold", upperBound,
              "secure_lower_threshold", lowerBound)));
        });
    return new AggregationProcess(initialize, Processes.streaming(next));
  }

  private Computation initialize() {
    if (upperProcess == null) {
      return Computation.federated("secure_sum_initialize", () -> federatedValue(Struct.empty(), Placement.SERVER));
    }
    if (lowerProcess == null) {
      return upperProcess.initialize();
    }
    return Computation.federated("secure_sum_initialize", () -> federatedZip(Processes.named(
        "upper", upperProcess.initialize().apply(), "lower", lowerProcess.initialize().apply())));
  }

  /** TFF's integer path: clip and shift at clients, secure sum with the bounds' bitwidth, shift back. */
  private Value integerSum(Value value, Type valueType, DType dtype, Value lowerBound, Value upperBound) {
    TensorType boundType = TensorType.of(dtype);
    Value shifted = federatedMap(Secure.shift(Secure.Shift.EXACT, valueType, boundType),
        List.of(value, federatedBroadcast(lowerBound), federatedBroadcast(upperBound)));
    Value sum = federatedSecureSumBitwidth(shifted, Tensor.scalar(bitwidth));
    Value summands = federatedSecureSumBitwidth(federatedValue(Tensor.scalar(1), Placement.CLIENTS),
        Tensor.scalar(1));
    return federatedMap(Secure.unshift(Secure.Shift.EXACT, valueType, boundType),
        List.of(sum, lowerBound, upperBound, summands));
  }
}
