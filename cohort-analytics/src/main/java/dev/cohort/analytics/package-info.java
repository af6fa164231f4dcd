/**
 * Federated analytics written in Cohort's Federated Core: TFF's {@code tff.analytics}.
 *
 * <h2>Contents</h2>
 * <ul>
 *   <li>{@link dev.cohort.analytics.HeavyHitters} — heavy-hitters discovery with IBLT sketches and (secure) sums,
 *       TFF's {@code build_iblt_computation}; its output read by {@link dev.cohort.analytics.HeavyHittersResult}.
 *   <li>{@link dev.cohort.analytics.LaplaceThresholding} — the tutorial's central DP for the words found, and
 *       {@link dev.cohort.analytics.Words} — the tutorial's tokens of speaker text.
 *   <li>{@link dev.cohort.analytics.DpHistogram} — DP histograms over a closed domain (Laplace or Gaussian).
 *   <li>{@link dev.cohort.analytics.HierarchicalHistogram} and {@link dev.cohort.analytics.HistogramTree} —
 *       TFF's hierarchical histograms with range and quantile queries and efficient-tree consistency.
 *   <li>{@link dev.cohort.analytics.HyperLogLog} — TFF's federated HyperLogLog distinct counts.
 *   <li>{@link dev.cohort.analytics.iblt} — the sketch itself, usable on its own.
 * </ul>
 */
package dev.cohort.analytics;
