package dev.cohort.nn;

import dev.cohort.tensor.Tensor;

/**
 * Loss functions reduced as Keras' default {@code SUM_OVER_BATCH_SIZE}: the mean of the per-example losses
 * (for element-wise losses, the mean over all elements). Each returns a scalar {@link Variable}.
 */
public final class Losses {
  /** Keras' epsilon for clipping probabilities. */
  public static final float EPSILON = 1e-7f;

  private Losses() {}

  /**
   * Sparse softmax cross-entropy from logits {@code [..., C]} and int32/int64 labels of the leading shape
   * (Keras {@code SparseCategoricalCrossentropy(from_logits=True)}); fused and numerically stable.
   */
  public static Variable sparseSoftmaxCrossEntropy(Variable logits, Tensor labels) {
    return NnOps.sparseSoftmaxCrossEntropy(logits, labels);
  }

  /**
   * Sparse categorical cross-entropy from probabilities (Keras {@code from_logits=False}): probabilities are
   * clipped to {@code [EPSILON, 1 - EPSILON]} and renormalised as Keras does (log, then softmax cross-entropy).
   */
  public static Variable sparseCategoricalCrossEntropy(Variable probabilities, Tensor labels) {
    return NnOps.sparseSoftmaxCrossEntropy(probabilities.clip(EPSILON, 1 - EPSILON).log(), labels);
  }

  /** Binary cross-entropy from logits against float32 targets in {@code [0, 1]} of the same shape. */
  public static Variable binaryCrossEntropyFromLogits(Variable logits, Tensor targets) {
    return NnOps.binaryCrossEntropyWithLogits(logits, targets);
  }

  /** Mean squared error against float32 targets of the same shape. */
  public static Variable meanSquaredError(Variable predictions, Tensor targets) {
    dev.cohort.tensor.internal.Checks.checkArgument(targets.shape().equals(predictions.shape()),
        "meanSquaredError: targets shape %s, predictions shape %s; they must match", targets.shape(), predictions.shape());
    return predictions.sub(predictions.tape().constant(targets)).square().mean();
  }
}
