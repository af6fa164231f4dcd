package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.Intrinsics.federatedZip;

import dev.cohort.core.Computation;
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import java.util.List;
import java.util.Objects;

/**
 * The unweighted mean {@code sum(value) / count}, where the count is the number of clients, summed as a 1 from each:
 * TFF's {@code tff.aggregators.UnweightedMeanFactory}.
 *
 * <p>State {@code <value_sum_state, count_sum_state>} (unnamed, as in TFF), measurements
 * {@code <mean_value=...,mean_count=...>}. A round over no clients fails with an {@link ArithmeticException} naming
 * {@code generic_divide} (TFF returns NaN).
 *
 * @param valueSumFactory sums the values
 * @param countSumFactory sums the clients' {@code int32} ones
 */
public record UnweightedMeanFactory(UnweightedAggregationFactory valueSumFactory,
    UnweightedAggregationFactory countSumFactory) implements UnweightedAggregationFactory {

  /** Rejects null inner factories. */
  public UnweightedMeanFactory {
    Objects.requireNonNull(valueSumFactory, "valueSumFactory");
    Objects.requireNonNull(countSumFactory, "countSumFactory");
  }

  /** {@code UnweightedMeanFactory()} in TFF: both sums by {@link SumFactory}. */
  public UnweightedMeanFactory() {
    this(new SumFactory(), new SumFactory());
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if {@code valueType} is not a float32 tensor type or a struct of them with fully
   *     known shapes
   */
  @Override
  public AggregationProcess create(Type valueType) {
    Processes.requireFloats("UnweightedMeanFactory", valueType);
    AggregationProcess valueSum = valueSumFactory.create(valueType);
    AggregationProcess countSum = countSumFactory.create(TensorType.INT32);
    Computation initialize = Computation.federated("unweighted_mean_initialize",
        () -> federatedZip(List.of(valueSum.initialize().apply(), countSum.initialize().apply())));
    Computation divide = MeanFactory.divide(valueType, TensorType.INT32, false);
    Computation next = Computation.federated("unweighted_mean_next", "state", initialize.typeSignature().result(),
        "value", FederatedType.atClients(valueType), (state, value) -> {
          Value values = valueSum.next().apply(state.get(0), value);
          Value counts = countSum.next().apply(state.get(1), federatedValue(1, Placement.CLIENTS));
          return Processes.output(
              federatedZip(List.of(values.get("state"), counts.get("state"))),
              federatedMap(divide, List.of(values.get("result"), counts.get("result"))),
              federatedZip(Processes.named("mean_value", values.get("measurements"),
                  "mean_count", counts.get("measurements"))));
        });
    return new AggregationProcess(initialize, next);
  }
}
