package dev.cohort.nn;

import static dev.cohort.tensor.internal.Checks.checkArgument;

import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;

/**
 * Creates initial parameter values, with Keras' semantics. Fans: a {@code [in, out]} kernel has
 * {@code fanIn = in}, {@code fanOut = out}; a convolution kernel {@code [kh, kw, in, out]} multiplies both by
 * {@code kh * kw}.
 */
@FunctionalInterface
public interface Initializer {
  /** A new float32 tensor of {@code shape} drawn from {@code rng}. */
  Tensor initialize(Shape shape, RandomStream rng);

  /** All zeros. */
  static Initializer zeros() {
    return (shape, rng) -> Tensor.zeros(shape.dims());
  }

  /** All ones. */
  static Initializer ones() {
    return constant(1f);
  }

  /** All {@code value}. */
  static Initializer constant(float value) {
    return (shape, rng) -> Tensor.full(value, shape.dims());
  }

  /** Uniform in {@code [low, high)}. */
  static Initializer uniform(float low, float high) {
    return (shape, rng) -> rng.uniform(shape, low, high);
  }

  /** Glorot (Xavier) uniform: {@code U(-l, l)}, {@code l = sqrt(6 / (fanIn + fanOut))}; Keras' default kernel. */
  static Initializer glorotUniform() {
    return (shape, rng) -> {
      double[] f = Fans.of(shape);
      float limit = (float) Math.sqrt(6.0 / (f[0] + f[1]));
      return rng.uniform(shape, -limit, limit);
    };
  }

  /**
   * Glorot normal: truncated normal with stddev {@code sqrt(2 / (fanIn + fanOut)) / 0.87962566}, where
   * 0.87962566 is the standard deviation of the unit normal truncated to [-2, 2].
   */
  static Initializer glorotNormal() {
    return (shape, rng) -> {
      double[] f = Fans.of(shape);
      return rng.truncatedNormal(shape, 0f, (float) (Math.sqrt(2.0 / (f[0] + f[1])) / 0.87962566103423978));
    };
  }

  /** He normal: truncated normal with stddev {@code sqrt(2 / fanIn) / 0.87962566}. */
  static Initializer heNormal() {
    return (shape, rng) -> {
      double[] f = Fans.of(shape);
      return rng.truncatedNormal(shape, 0f, (float) (Math.sqrt(2.0 / f[0]) / 0.87962566103423978));
    };
  }

  /**
   * A (semi-)orthogonal matrix, flattened to {@code [prod(leading), last]}, from the QR decomposition of a normal
   * matrix with the signs of R's diagonal folded in (Keras' default recurrent kernel), times {@code gain}.
   */
  static Initializer orthogonal(float gain) {
    return (shape, rng) -> {
      checkArgument(shape.rank() >= 2, "orthogonal initializer needs rank >= 2, got %s", shape);
      int cols = shape.dim(-1);
      int rows = shape.size() / cols;
      return Tensor.wrap(Orthogonal.matrix(rows, cols, rng, gain), shape);
    };
  }
}
