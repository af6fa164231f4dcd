package dev.cohort.simulation;

import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.util.Arrays;

/** Tensor storage handled by dtype: the one place that switches over the array types. */
final class TensorArrays {
  private TensorArrays() {}

  /** The live storage array of {@code t} (no copy). */
  static Object data(Tensor t) {
    return switch (t.dtype()) {
      case FLOAT32 -> t.floatData();
      case INT32 -> t.intData();
      case INT64 -> t.longData();
      case BOOL -> t.boolData();
      case STRING -> t.stringData();
    };
  }

  /** A new zeroed array of {@code n} elements of {@code dtype}. */
  static Object allocate(DType dtype, int n) {
    return switch (dtype) {
      case FLOAT32 -> new float[n];
      case INT32 -> new int[n];
      case INT64 -> new long[n];
      case BOOL -> new boolean[n];
      case STRING -> new String[n];
    };
  }

  /** A tensor sharing {@code array}, which must be of {@code dtype}'s array type. */
  static Tensor wrap(DType dtype, Object array, Shape shape) {
    return switch (dtype) {
      case FLOAT32 -> Tensor.wrap((float[]) array, shape);
      case INT32 -> Tensor.wrap((int[]) array, shape);
      case INT64 -> Tensor.wrap((long[]) array, shape);
      case BOOL -> Tensor.wrap((boolean[]) array, shape);
      case STRING -> Tensor.wrap((String[]) array, shape);
    };
  }

  /** The first {@code n} elements of {@code array} of {@code dtype}, in a new array. */
  static Object truncate(DType dtype, Object array, int n) {
    return switch (dtype) {
      case FLOAT32 -> Arrays.copyOf((float[]) array, n);
      case INT32 -> Arrays.copyOf((int[]) array, n);
      case INT64 -> Arrays.copyOf((long[]) array, n);
      case BOOL -> Arrays.copyOf((boolean[]) array, n);
      case STRING -> Arrays.copyOf((String[]) array, n);
    };
  }
}
