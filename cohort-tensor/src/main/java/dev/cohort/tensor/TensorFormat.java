package dev.cohort.tensor;

/** NumPy-like printing of tensors. */
final class TensorFormat {
  private static final int MAX_ELEMENTS = 1000;
  private static final int EDGE = 3;

  private TensorFormat() {}

  static String format(Tensor t) {
    StringBuilder sb = new StringBuilder();
    if (t.rank() == 0) {
      element(t, 0, sb);
      return sb.toString();
    }
    boolean elide = t.size() > MAX_ELEMENTS;
    block(t, 0, 0, t.shape().strides(), elide, sb);
    return sb.toString();
  }

  private static void block(Tensor t, int axis, int offset, int[] strides, boolean elide, StringBuilder sb) {
    int n = t.shape().dim(axis);
    sb.append('[');
    for (int i = 0; i < n; i++) {
      if (elide && n > 2 * EDGE && i == EDGE) {
        sb.append("..., ");
        i = n - EDGE;
      }
      if (axis == t.rank() - 1) {
        element(t, offset + i, sb);
      } else {
        block(t, axis + 1, offset + i * strides[axis], strides, elide, sb);
      }
      if (i < n - 1) {
        sb.append(", ");
      }
    }
    sb.append(']');
  }

  private static void element(Tensor t, int i, StringBuilder sb) {
    switch (t.dtype()) {
      case FLOAT32 -> sb.append(t.floatData()[i]);
      case INT32 -> sb.append(t.intData()[i]);
      case INT64 -> sb.append(t.longData()[i]);
      case BOOL -> sb.append(t.boolData()[i]);
      case STRING -> sb.append('\'').append(t.stringData()[i]).append('\'');
    }
  }
}
