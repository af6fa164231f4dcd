package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedSum;
import static dev.cohort.core.Intrinsics.federatedValue;

import dev.cohort.core.Computation;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;

/**
 * Sums values placed at CLIENTS with {@code federated_sum}: TFF's {@code tff.aggregators.SumFactory}. State and
 * measurements are empty.
 *
 * <pre>
 * initialize: ( -&gt; &lt;&gt;@SERVER)
 * next:       (&lt;state=&lt;&gt;@SERVER,value={float32}@CLIENTS&gt; -&gt; &lt;state=&lt;&gt;@SERVER,result=float32@SERVER,measurements=&lt;&gt;@SERVER&gt;)
 * </pre>
 */
public record SumFactory() implements UnweightedAggregationFactory {

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if {@code valueType} is not a numeric tensor type or a struct of them with fully
   *     known shapes
   */
  @Override
  public AggregationProcess create(Type valueType) {
    Processes.requireNumeric("SumFactory", valueType);
    Computation initialize = Computation.federated("sum_initialize",
        () -> federatedValue(Struct.empty(), Placement.SERVER));
    Computation next = Computation.federated("sum_next", "state", initialize.typeSignature().result(),
        "value", FederatedType.atClients(valueType),
        (state, value) -> Processes.output(state, federatedSum(value), federatedValue(Struct.empty(),
            Placement.SERVER)));
    return new AggregationProcess(initialize, next);
  }
}
