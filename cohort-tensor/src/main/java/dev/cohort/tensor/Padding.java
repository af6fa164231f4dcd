package dev.cohort.tensor;

/** Convolution and pooling padding, with TensorFlow's semantics. */
public enum Padding {
  /** Output size {@code ceil(in / stride)}; the input is zero-padded (pooling ignores padding), extra on the end. */
  SAME,
  /** No padding: output size {@code ceil((in - k + 1) / stride)}. */
  VALID;

  /** Output length along one spatial axis. */
  public int outputSize(int in, int k, int stride) {
    return this == SAME ? (in + stride - 1) / stride : Math.max(0, (in - k + stride) / stride);
  }

  /** Padding added before the first element along one spatial axis. */
  public int padBefore(int in, int k, int stride) {
    if (this == VALID) {
      return 0;
    }
    int out = outputSize(in, k, stride);
    int total = Math.max(0, (out - 1) * stride + k - in);
    return total / 2;
  }
}
