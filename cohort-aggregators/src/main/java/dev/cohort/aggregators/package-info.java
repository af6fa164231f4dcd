/**
 * Aggregators: composable {@link dev.cohort.aggregators.AggregationProcess}es and the factories that create them, as
 * in TFF's {@code tff.aggregators}.
 *
 * <h2>Contents</h2>
 * <ul>
 *   <li>The contract: {@link dev.cohort.aggregators.AggregationProcess} ({@code initialize}, {@code next}),
 *       {@link dev.cohort.aggregators.EstimationProcess} ({@code initialize}, {@code next}, {@code report}), and the
 *       factories {@link dev.cohort.aggregators.AggregationFactory} —
 *       {@link dev.cohort.aggregators.UnweightedAggregationFactory} or
 *       {@link dev.cohort.aggregators.WeightedAggregationFactory}.
 *   <li>Sums and means: {@link dev.cohort.aggregators.SumFactory}, {@link dev.cohort.aggregators.MeanFactory},
 *       {@link dev.cohort.aggregators.UnweightedMeanFactory}.
 *   <li>Robustness: {@link dev.cohort.aggregators.Robust} (clipping by L2 norm, zeroing by an
 *       {@link dev.cohort.aggregators.NormOrder}), with fixed norms or norms from an estimation process.
 *   <li>Estimation: {@link dev.cohort.aggregators.QuantileEstimation} (TFF's private quantile estimation process
 *       without noise; geometric and arithmetic updates), the norms of adaptive clipping and zeroing.
 *   <li>Differential privacy: {@link dev.cohort.aggregators.DifferentiallyPrivateFactory} (Gaussian noise with a
 *       fixed or adaptive clip, keyed noise, a cohort-privacy {@link dev.cohort.privacy.DpEvent} per round) and
 *       {@link dev.cohort.aggregators.PrivacyLedger} (the (ε, δ) a run has spent, from any accountant).
 *   <li>Secure aggregation: {@link dev.cohort.aggregators.SecureSumFactory},
 *       {@link dev.cohort.aggregators.SecureModularSumFactory} and
 *       {@link dev.cohort.aggregators.Primitives#secureQuantizedSum}, on the secure intrinsics only.
 *   <li>Compression and rotation: {@link dev.cohort.aggregators.EncodedSumFactory},
 *       {@link dev.cohort.aggregators.HadamardTransformFactory},
 *       {@link dev.cohort.aggregators.DiscreteFourierTransformFactory}, {@link dev.cohort.aggregators.DiscretizationFactory},
 *       {@link dev.cohort.aggregators.ModularClippingSumFactory}, {@link dev.cohort.aggregators.Concat}.
 *   <li>Sampling: {@link dev.cohort.aggregators.UnweightedReservoirSamplingFactory} (a uniform sample of at most
 *       {@code sampleSize} client values, streaming).
 *   <li>TFF's recommended aggregators: {@link dev.cohort.aggregators.Recommended}, and
 *       {@link dev.cohort.aggregators.DebugMeasurements}.
 * </ul>
 *
 * <p>Factories validate their parameters and the value types they are given, and processes validate their contract,
 * when they are built: an {@link java.lang.IllegalArgumentException} names the factory or part, the parameter, what
 * was expected and what was found.
 */
package dev.cohort.aggregators;
