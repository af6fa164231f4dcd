package dev.cohort.aggregators;

import dev.cohort.core.types.Type;

/**
 * Creates weighted {@link AggregationProcess}es, whose {@code next} takes {@code <state, value, weight>}: TFF's
 * {@code tff.aggregators.WeightedAggregationFactory}. Implement it to write a custom aggregator.
 */
public non-sealed interface WeightedAggregationFactory extends AggregationFactory {
  /**
   * The process aggregating values of {@code valueType} weighted by {@code weightType} (both placed at CLIENTS by the
   * process).
   *
   * @throws IllegalArgumentException if the factory does not support the types, naming the factory, the type it
   *     expects and the one it was given
   */
  AggregationProcess create(Type valueType, Type weightType);
}
