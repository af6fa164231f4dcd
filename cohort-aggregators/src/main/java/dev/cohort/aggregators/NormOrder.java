package dev.cohort.aggregators;

import dev.cohort.tensor.Tensor;
import java.util.List;
import java.util.Locale;

/**
 * The global norm of a value (over all its tensors, as if flattened into one vector) that zeroing compares with its
 * threshold: TFF's {@code norm_order} of 1, 2 or infinity. The norm is computed in double precision and rounded to
 * float32.
 */
public enum NormOrder {
  /** The sum of absolute values. */
  L1,
  /** The square root of the sum of squares ({@code tf.linalg.global_norm}). */
  L2,
  /** The largest absolute value. */
  LINF;

  /** The global norm of {@code tensors}, rounded to float32. */
  float of(List<Tensor> tensors) {
    double acc = 0;
    for (Tensor t : tensors) {
      for (float x : t.floatData()) {
        switch (this) {
          case L1 -> acc += Math.abs(x);
          case L2 -> acc += (double) x * x;
          case LINF -> acc = Math.max(acc, Math.abs(x));
        }
      }
    }
    return (float) (this == L2 ? Math.sqrt(acc) : acc);
  }

  /** {@code l1}, {@code l2} or {@code linf}: how local-function names spell the order. */
  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
