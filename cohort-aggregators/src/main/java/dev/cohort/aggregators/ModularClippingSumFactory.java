package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedZip;

import dev.cohort.core.Computation;
import dev.cohort.core.values.Struct;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeAnalysis;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.Objects;

/**
 * Wraps integer values into {@code [lower, upper)} before and after an inner sum: TFF's
 * {@code tff.aggregators.ModularClippingSumFactory}, {@code v -> lower + floorMod(v - lower, upper - lower)} (TFF's
 * example: {@code [20, 5, -15, 10]} in {@code [-5, 10)} gives {@code [5, 5, 0, -5]}). State: the inner state;
 * measurements {@code <modclip=M>}. TFF's {@code estimate_stddev} is not offered.
 *
 * @param lower the inclusive lower end of the range
 * @param upper the exclusive upper end
 * @param inner aggregates the wrapped values
 */
public record ModularClippingSumFactory(int lower, int upper, UnweightedAggregationFactory inner)
    implements UnweightedAggregationFactory {

  /**
   * Checks the range.
   *
   * @throws IllegalArgumentException if {@code lower >= upper} or the width overflows int32
   */
  public ModularClippingSumFactory {
    Objects.requireNonNull(inner, "inner");
    if (lower >= upper) {
      throw new IllegalArgumentException("ModularClippingSumFactory: lower (" + lower + ") must be < upper ("
          + upper + ")");
    }
    if ((long) upper - lower > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("ModularClippingSumFactory: the width of [" + lower + ", " + upper
          + ") overflows int32");
    }
  }

  /** TFF's default: a {@link SumFactory} inside. */
  public ModularClippingSumFactory(int lower, int upper) {
    this(lower, upper, new SumFactory());
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if {@code valueType} is not an integer tensor type or a struct of them
   */
  @Override
  public AggregationProcess create(Type valueType) {
    Processes.requireStructure("ModularClippingSumFactory", "value", valueType, TypeAnalysis::isInteger,
        "an integer tensor type or a struct of integer tensor types");
    AggregationProcess innerProcess = inner.create(valueType);
    Computation wrap = WRAP.at(new FunctionType(valueType, valueType),
        Struct.named("lower", Tensor.scalar(lower), "upper", Tensor.scalar(upper)));
    Computation next = Computation.federated("modular_clipping_next", "state",
        innerProcess.initialize().typeSignature().result(), "value", FederatedType.atClients(valueType),
        (s, value) -> {
          Value agg = innerProcess.next().apply(s, federatedMap(wrap, value));
          return Processes.output(agg.get("state"), federatedMap(wrap, agg.get("result")),
              federatedZip(Processes.named("modclip", agg.get("measurements"))));
        });
    return new AggregationProcess(innerProcess.initialize(), Processes.streaming(next));
  }

  /**
   * The family {@code aggregators.modular_clip}: {@code (V -> V)} for integer {@code V}, each element wrapped into
   * {@code [lower, upper)}; parameters {@code <lower=int32,upper=int32>}.
   */
  static final Processes.Family WRAP = new Processes.Family("aggregators.modular_clip", (type, p) -> {
    Processes.checkParameters(p, "lower", DType.INT32, "upper", DType.INT32);
    if (Processes.parameter(p, "lower").intValue() >= Processes.parameter(p, "upper").intValue()) {
      throw new IllegalArgumentException("expected lower < upper, found " + p);
    }
    Processes.requireStructure("aggregators.modular_clip", "value", type.parameter(), TypeAnalysis::isInteger,
        "an integer tensor type or a struct of integer tensor types");
    return new FunctionType(type.parameter(), type.parameter());
  }, (type, p) -> {
    long lo = Processes.parameter(p, "lower").intValue();
    long width = (long) Processes.parameter(p, "upper").intValue() - lo;
    return arg -> Processes.mapTensors(arg, t -> {
      if (t.dtype() == DType.INT32) {
        int[] d = t.intData().clone();
        for (int k = 0; k < d.length; k++) {
          d[k] = (int) (lo + Math.floorMod(d[k] - lo, width));
        }
        return Tensor.wrap(d, t.shape());
      }
      long[] d = t.longData().clone();
      for (int k = 0; k < d.length; k++) {
        d[k] = lo + Math.floorMod(d[k] - lo, width);
      }
      return Tensor.wrap(d, t.shape());
    });
  });
}
