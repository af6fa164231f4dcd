package dev.cohort.learning.models;

import dev.cohort.core.values.Struct;
import dev.cohort.learning.Nest;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Tensor;
import java.util.List;

/**
 * One thread's instance of a {@link FunctionalModel}: the buffers (weights, gradients, activations) that computing the
 * model needs. A worker belongs to one thread at a time and is reused for client after client: load a client's
 * starting weights with {@link #setWeights}, then run passes over its batches. Nothing in it is shared with other
 * workers, so workers on different threads run in parallel.
 *
 * <p>A worker may reuse its buffers from pass to pass (the workers of {@link SequentialModel} do, through a
 * {@link dev.cohort.nn.Workspace}): the tensors of a {@link BatchOutput} are valid until the worker's next pass, so
 * update metrics from them (or copy them) before running the next batch.
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
   * One step of plain gradient descent on {@code batch}: the forward pass in training mode, then
   * {@code w <- w - learningRate * d loss / d w} on the trainable weights, which the next pass and {@link #weights()}
   * see. {@link #gradients()} is unspecified afterwards. The result may differ from {@link #lossAndGradients}
   * followed by that update in the last bit of a weight (an implementation may fuse the update into the gradient's
   * computation), but must be deterministic.
   *
   * <p>The default runs {@link #lossAndGradients}, applies the update to a copy of the weights and loads it back with
   * {@link #setWeights}; a worker that owns its weights should override it to update them in place (as the workers
   * of {@link SequentialModel} do), which saves two copies of the weights per step.
   */
  default BatchOutput sgdStep(Struct batch, float learningRate, RandomStream random) {
    BatchOutput out = lossAndGradients(batch, random);
    ModelWeights current = weights();
    List<Tensor> w = Nest.flatten(current.trainable());
    List<Tensor> g = Nest.flatten(gradients());
    for (int i = 0; i < w.size(); i++) {
      w.get(i).axpyInPlace(-learningRate, g.get(i));
    }
    setWeights(current);
    return out;
  }

  /**
   * The gradients of the last {@link #lossAndGradients}, shaped as {@link ModelWeights#trainable()}. These are the
   * worker's live buffers: read them before the next pass, do not modify or keep them.
   */
  Struct gradients();

  /** The model's output on the features {@code x}, in inference mode. */
  Tensor predict(Tensor x);
}
