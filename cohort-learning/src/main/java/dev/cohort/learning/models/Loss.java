package dev.cohort.learning.models;

import dev.cohort.nn.Losses;
import dev.cohort.nn.Variable;
import dev.cohort.tensor.Tensor;

/**
 * The losses a {@link SequentialModel} trains with, Keras' names and reductions (the mean over the batch). Sparse
 * labels may be {@code [batch]} or {@code [batch, 1]} (TFF's tutorials use {@code int32[?,1]}), as Keras squeezes
 * them.
 */
public enum Loss {
  /** {@code SparseCategoricalCrossentropy(from_logits=True)}: the model outputs logits. */
  SPARSE_CATEGORICAL_CROSSENTROPY_FROM_LOGITS {
    @Override
    Variable apply(Variable predictions, Tensor labels) {
      return Losses.sparseSoftmaxCrossEntropy(predictions, sparse(labels, predictions));
    }
  },
  /** {@code SparseCategoricalCrossentropy()}: the model outputs probabilities (e.g. it ends in a softmax). */
  SPARSE_CATEGORICAL_CROSSENTROPY {
    @Override
    Variable apply(Variable predictions, Tensor labels) {
      return Losses.sparseCategoricalCrossEntropy(predictions, sparse(labels, predictions));
    }
  },
  /**
   * {@code BinaryCrossentropy(from_logits=True)}: one logit per label against float32 targets in [0, 1] of the
   * predictions' shape (multi-label classification), the mean over labels and examples.
   */
  BINARY_CROSSENTROPY_FROM_LOGITS {
    @Override
    Variable apply(Variable predictions, Tensor labels) {
      return Losses.binaryCrossEntropyFromLogits(predictions, labels);
    }
  },
  /** {@code MeanSquaredError()} against float32 targets of the predictions' shape. */
  MEAN_SQUARED_ERROR {
    @Override
    Variable apply(Variable predictions, Tensor labels) {
      return Losses.meanSquaredError(predictions, labels);
    }
  };

  /** The scalar loss of {@code predictions} against {@code labels}. */
  abstract Variable apply(Variable predictions, Tensor labels);

  private static Tensor sparse(Tensor labels, Variable predictions) {
    int rank = predictions.shape().rank();
    if (labels.rank() == rank && labels.shape().dim(rank - 1) == 1) {
      return labels.reshape(java.util.Arrays.copyOf(labels.shape().dims(), rank - 1));
    }
    return labels;
  }
}
