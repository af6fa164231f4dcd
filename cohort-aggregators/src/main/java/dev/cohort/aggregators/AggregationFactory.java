package dev.cohort.aggregators;

/**
 * A factory of {@link AggregationProcess}es for a given value type: TFF's {@code tff.aggregators.AggregationFactory}.
 * It is either {@link UnweightedAggregationFactory} ({@code create(valueType)}) or {@link WeightedAggregationFactory}
 * ({@code create(valueType, weightType)}); factories that wrap an inner factory, such as clipping, take their
 * weightedness from it.
 *
 * <p>Factories compose by wrapping: an outer factory creates its inner factory's process and delegates the movement
 * of values from CLIENTS to SERVER to it. By TFF's convention the outer state is a named struct of its own state and
 * the inner one, and the outer measurements name its own items and nest the inner measurements under one name
 * (e.g. {@code <clipping=<mean_value=<>,mean_weight=<>>,clipping_norm=float32,clipped_count=int32>}).
 */
public sealed interface AggregationFactory permits UnweightedAggregationFactory, WeightedAggregationFactory {}
