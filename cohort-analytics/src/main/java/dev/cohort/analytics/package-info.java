/**
 * Federated analytics written in Cohort's Federated Core: TFF's {@code tff.analytics}.
 *
 * <h2>Contents</h2>
 * <ul>
 *   <li>{@link dev.cohort.analytics.HeavyHitters} — heavy-hitters discovery with IBLT sketches and (secure) sums,
 *       TFF's {@code build_iblt_computation}; its output read by {@link dev.cohort.analytics.HeavyHittersResult}.
 *   <li>{@link dev.cohort.analytics.iblt} — the sketch itself, usable on its own.
 * </ul>
 */
package dev.cohort.analytics;
