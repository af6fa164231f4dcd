package dev.cohort.learning.models;

import dev.cohort.core.types.StructType;
import java.util.List;

/**
 * A model as the learning algorithms see it, independent of how its math is computed (TFF's
 * {@code FunctionalModel}): its initial weights, the type of its batches, its metrics, and workers that compute it.
 * {@link SequentialModel} adapts a cohort-nn {@code Sequential}; another engine implements the same interface.
 *
 * <p><b>Threads.</b> The model itself is immutable and shared. Computing it needs buffers, which live in a
 * {@link ModelWorker}: the client work creates one worker per worker thread, lazily, and reuses it for every client
 * that thread trains, so no model instance is shared between threads and none is allocated per client. A
 * user-written model must therefore make {@link #newWorker} return an independent instance on every call, and its
 * workers must not share mutable state.
 *
 * <p><b>Portability.</b> The local computations built from a model are registered under names derived from
 * {@link #name()}; a fresh JVM that builds the same model under the same name loads a serialized learning process that
 * uses it. The name must therefore identify the architecture, loss and metrics.
 */
public interface FunctionalModel {
  /** A stable name (dotted identifiers) identifying architecture, loss and metrics, e.g. {@code mnist.linear}. */
  String name();

  /** The initial weights (the same on every call). */
  ModelWeights initialWeights();

  /**
   * The type of one batch, TFF's {@code input_spec}: a struct with the features {@code x} and the labels {@code y},
   * e.g. {@code <x=float32[?,784],y=int32[?,1]>}.
   */
  StructType inputSpec();

  /** The metrics, in the order of the metrics structure: the user's, then {@code loss}, {@code num_examples}, {@code num_batches}. */
  List<Metric> metrics();

  /** A new, independent worker for one thread. */
  ModelWorker newWorker();
}
