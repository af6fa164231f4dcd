/**
 * Models as the learning algorithms see them (TFF's {@code tff.learning.models}):
 * {@link dev.cohort.learning.models.FunctionalModel} (initial {@link dev.cohort.learning.models.ModelWeights}, input
 * spec, {@link dev.cohort.learning.models.Metric}s) computed by per-thread
 * {@link dev.cohort.learning.models.ModelWorker}s, and {@link dev.cohort.learning.models.SequentialModel}, the adapter
 * from a cohort-nn {@code Sequential}.
 */
package dev.cohort.learning.models;
