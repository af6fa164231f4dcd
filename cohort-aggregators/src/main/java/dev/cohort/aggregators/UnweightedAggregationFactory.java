package dev.cohort.aggregators;

import dev.cohort.core.types.Type;

/**
 * Creates unweighted {@link AggregationProcess}es, whose {@code next} takes {@code <state, value>}: TFF's
 * {@code tff.aggregators.UnweightedAggregationFactory}. Implement it to write a custom aggregator.
 */
public non-sealed interface UnweightedAggregationFactory extends AggregationFactory {
  /**
   * The process aggregating values of {@code valueType} (a tensor type or a struct of them, placed at CLIENTS by the
   * process).
   *
   * @throws IllegalArgumentException if the factory does not support {@code valueType}, naming the factory, the type
   *     it expects and the one it was given
   */
  AggregationProcess create(Type valueType);
}
