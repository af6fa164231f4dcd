package dev.cohort.nn;

import dev.cohort.tensor.Shape;

/** Fan-in and fan-out of kernel shapes, as Keras computes them for its variance-scaling initializers. */
final class Fans {
  private Fans() {}

  /** {@code {fanIn, fanOut}}: {@code [in, out]} kernels use their two dimensions; convolution kernels
   * {@code [kh, kw, in, out]} multiply both by the receptive field {@code kh * kw}. */
  static double[] of(Shape shape) {
    if (shape.rank() < 1) {
      return new double[] {1, 1};
    }
    if (shape.rank() == 1) {
      return new double[] {shape.dim(0), shape.dim(0)};
    }
    if (shape.rank() == 2) {
      return new double[] {shape.dim(0), shape.dim(1)};
    }
    double receptive = 1;
    for (int i = 0; i < shape.rank() - 2; i++) {
      receptive *= shape.dim(i);
    }
    return new double[] {shape.dim(-2) * receptive, shape.dim(-1) * receptive};
  }
}
