package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedZip;
import static dev.cohort.core.Intrinsics.genericDivide;
import static dev.cohort.core.Intrinsics.genericMultiply;

import dev.cohort.core.Computation;
import dev.cohort.core.LocalFamily;
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeAnalysis;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * The weighted mean {@code sum(value * weight) / sum(weight)}: TFF's {@code tff.aggregators.MeanFactory}. Clients
 * multiply their value by their (scalar) weight; {@code valueSumFactory} sums the weighted values and
 * {@code weightSumFactory} the weights; the server divides.
 *
 * <p>State {@code <value_sum_process=...,weight_sum_process=...>}, measurements
 * {@code <mean_value=...,mean_weight=...>}: the inner processes' states and measurements.
 *
 * <p>When the weights sum to 0, the mean is 0 with {@code noNanDivision}; without it, the round fails with an
 * {@link ArithmeticException} naming {@code generic_divide} (TFF returns NaN there: Cohort never continues silently
 * with NaN). The division multiplies by the float32 reciprocal of the weight sum, as Cohort's {@code generic_divide}
 * does.
 *
 * @param valueSumFactory sums the weighted values
 * @param weightSumFactory sums the weights
 * @param noNanDivision whether a total weight of 0 gives a mean of 0
 */
public record MeanFactory(UnweightedAggregationFactory valueSumFactory, UnweightedAggregationFactory weightSumFactory,
    boolean noNanDivision) implements WeightedAggregationFactory {

  /** Rejects null inner factories. */
  public MeanFactory {
    Objects.requireNonNull(valueSumFactory, "valueSumFactory");
    Objects.requireNonNull(weightSumFactory, "weightSumFactory");
  }

  /** {@code MeanFactory()} in TFF: both sums by {@link SumFactory}, and division by a total weight of 0 fails. */
  public MeanFactory() {
    this(new SumFactory(), new SumFactory(), false);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if {@code valueType} is not a float32 tensor type or a struct of them with fully
   *     known shapes, or {@code weightType} is not a numeric scalar
   */
  @Override
  public AggregationProcess create(Type valueType, Type weightType) {
    Processes.requireFloats("MeanFactory", valueType);
    Processes.requireScalarWeight("MeanFactory", weightType);
    AggregationProcess valueSum = valueSumFactory.create(valueType);
    AggregationProcess weightSum = weightSumFactory.create(weightType);
    Computation initialize = Computation.federated("mean_initialize", () -> federatedZip(Processes.named(
        "value_sum_process", valueSum.initialize().apply(), "weight_sum_process", weightSum.initialize().apply())));
    Computation multiply = Computation.federated("mean_multiply", "value", valueType, "weight", weightType,
        (v, w) -> genericMultiply(v, w));
    Computation divide = divide(valueType, weightType, noNanDivision);
    Computation next = Computation.federated("mean_next", "state", initialize.typeSignature().result(),
        "value", FederatedType.atClients(valueType), "weight", FederatedType.atClients(weightType),
        (state, value, weight) -> {
          Value values = valueSum.next().apply(state.get("value_sum_process"),
              federatedMap(multiply, List.of(value, weight)));
          Value weights = weightSum.next().apply(state.get("weight_sum_process"), weight);
          return Processes.output(
              federatedZip(Processes.named("value_sum_process", values.get("state"),
                  "weight_sum_process", weights.get("state"))),
              federatedMap(divide, List.of(values.get("result"), weights.get("result"))),
              federatedZip(Processes.named("mean_value", values.get("measurements"),
                  "mean_weight", weights.get("measurements"))));
        });
    return new AggregationProcess(initialize, next);
  }

  /**
   * {@code (<V,W> -> V)}: {@code generic_divide}, or with {@code noNan} a local function that gives zeros where the
   * divisor is 0 and otherwise computes exactly what {@code generic_divide} computes.
   */
  static Computation divide(Type valueType, Type divisorType, boolean noNan) {
    if (!noNan) {
      return Computation.federated("mean_divide", "sum", valueType, "divisor", divisorType,
          (sum, divisor) -> genericDivide(sum, divisor));
    }
    return defineLocalFamily().at(StructType.named("sum", valueType, "divisor", divisorType), valueType, Struct.empty());
  }

  /** Defines {@code aggregators.divide_no_nan} ({@link AggregationProcess#defineLocalFamilies}). */
  static LocalFamily defineLocalFamily() {
    return DIVIDE_NO_NAN.define();
  }

  /** The family {@code aggregators.divide_no_nan}: {@code (<sum=V,divisor=D> -> V)} for any V and scalar D. */
  private static final Processes.Family DIVIDE_NO_NAN = new Processes.Family("aggregators.divide_no_nan",
      (type, parameters) -> {
        Processes.noParameters(parameters);
        Type divisor = Processes.part(type.parameter(), 1);
        if (!TypeAnalysis.isNumericScalar(divisor)) {
          throw new TypeMismatchException("expected (<sum=V,divisor=D> -> V) with D a numeric scalar", null, type);
        }
        return new FunctionType(StructType.named("sum", type.result(), "divisor", divisor), type.result());
      }, (type, parameters) -> arg -> {
        Struct s = (Struct) arg;
        float divisor = (float) ((Tensor) s.get(1)).getDouble();
        if (divisor == 0f) {
          return Processes.mapTensors(s.get(0), t -> Tensor.zeros(t.dtype(), t.shape()));
        }
        float reciprocal = 1f / divisor;
        return Processes.mapTensors(s.get(0), t -> t.mul(reciprocal));
      });
}
