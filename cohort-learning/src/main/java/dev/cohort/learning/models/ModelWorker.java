package dev.cohort.learning.models;

import dev.cohort.core.values.Struct;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Tensor;

/**
 * One thread's instance of a {@link FunctionalModel}: the buffers (weights, gradients, activations) that computing the
 * model needs. A worker belongs to one thread at a time and is reused for client after client: load a client's
 * starting weights with {@link #setWeights}, then run passes over its batches. Nothing in it is shared with other
 * workers, so workers on different threads run in parallel.
 */
public interface ModelWorker {
  /**
   * Loads {@code weights} (copied in).
   *
   * @throws IllegalArgumentException if their structure, dtypes or shapes differ from the model's
   */
  void setWeights(ModelWeights weights);

  /** A copy of the current weights. */
  ModelWeights weights();

  /**
   * The forward pass on {@code batch} (the model's input spec), without gradients; {@code training} enables
   * training-only behaviour such as dropout, keyed by {@code random} (null when {@code training} is false).
   */
  BatchOutput forwardPass(Struct batch, boolean training, RandomStream random);

  /**
   * The forward pass in training mode and the gradients of its loss with respect to the trainable weights, which
   * {@link #gradients()} then returns.
   */
  BatchOutput lossAndGradients(Struct batch, RandomStream random);

  /**
   * The gradients of the last {@link #lossAndGradients}, shaped as {@link ModelWeights#trainable()}. These are the
   * worker's live buffers: read them before the next pass, do not modify or keep them.
   */
  Struct gradients();

  /** The model's output on the features {@code x}, in inference mode. */
  Tensor predict(Tensor x);
}
