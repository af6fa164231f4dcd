package dev.cohort.tensor;

import static dev.cohort.tensor.internal.Checks.checkArgument;

/**
 * The geometry of a 2-D convolution or pooling over an NHWC input: batch {@code n}, input {@code h x w x c},
 * window {@code kh x kw}, {@code f} output channels (ignored by pooling), strides and padding.
 *
 * @param n batch size
 * @param h input height
 * @param w input width
 * @param c input channels
 * @param kh window height
 * @param kw window width
 * @param f output channels (the filter's last dimension)
 * @param strideH vertical stride
 * @param strideW horizontal stride
 * @param padding TensorFlow padding mode
 */
public record Conv2dGeometry(int n, int h, int w, int c, int kh, int kw, int f, int strideH, int strideW, Padding padding) {
  /** Validates every dimension. */
  public Conv2dGeometry {
    checkArgument(n >= 0 && h > 0 && w > 0 && c > 0, "conv2d: input [n=%s, h=%s, w=%s, c=%s] must have positive h, w, c", n, h, w, c);
    checkArgument(kh > 0 && kw > 0 && f > 0, "conv2d: window %sx%s with %s output channels must be positive", kh, kw, f);
    checkArgument(strideH > 0 && strideW > 0, "conv2d: strides (%s, %s) must be positive", strideH, strideW);
    checkArgument(padding != null, "conv2d: padding must not be null");
    checkArgument(padding == Padding.SAME || (kh <= h && kw <= w),
        "conv2d: VALID window %sx%s is larger than the input %sx%s", kh, kw, h, w);
    long in = (long) n * h * w * c;
    long out = (long) n * padding.outputSize(h, kh, strideH) * padding.outputSize(w, kw, strideW) * Math.max(f, c);
    long patch = (long) kh * kw * c;
    checkArgument(in <= Shape.MAX_SIZE && out <= Shape.MAX_SIZE && patch * f <= Shape.MAX_SIZE,
        "conv2d: input [%s, %s, %s, %s] with a %sx%s window and %s filters needs a buffer larger than the largest"
            + " tensor (%s elements)", n, h, w, c, kh, kw, f, Shape.MAX_SIZE);
  }

  /** Output height. */
  public int outH() {
    return padding.outputSize(h, kh, strideH);
  }

  /** Output width. */
  public int outW() {
    return padding.outputSize(w, kw, strideW);
  }

  /** Rows above the input added by padding. */
  public int padTop() {
    return padding.padBefore(h, kh, strideH);
  }

  /** Columns left of the input added by padding. */
  public int padLeft() {
    return padding.padBefore(w, kw, strideW);
  }

  /** The im2col patch length {@code kh * kw * c}. */
  public int patch() {
    return kh * kw * c;
  }

  /** Elements of the input. */
  public int inputSize() {
    return n * h * w * c;
  }

  /** Elements of the output (convolution: {@code n * outH * outW * f}). */
  public int outputSize() {
    return n * outH() * outW() * f;
  }
}
