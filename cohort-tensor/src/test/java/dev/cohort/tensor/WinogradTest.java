package dev.cohort.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.testing.Cases;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class WinogradTest {
  static Stream<Cases.Case> shapes() {
    return Cases.of(20261213, 60);
  }

  /** The 1-D identity the 2-D transform is built from: {@code A^T ((G g) . (B^T d)) = correlation of d with g}. */
  @ParameterizedTest
  @CsvSource({"2, 5", "4, 3", "2, 3", "3, 5", "4, 5", "1, 1"})
  void oneDimensionalTransformComputesTheCorrelation(int m, int r) {
    Winograd w = new Winograd(m, r);
    RandomStream rng = RandomStream.of(11);
    float[] g = rng.uniform(Shape.of(r), -1, 1).toFloatArray();
    float[] d = rng.uniform(Shape.of(w.alpha), -1, 1).toFloatArray();
    for (int i = 0; i < m; i++) {
      double expected = 0;
      for (int k = 0; k < r; k++) {
        expected += (double) g[k] * d[i + k];
      }
      double y = 0;
      for (int j = 0; j < w.alpha; j++) {
        double gj = 0;
        double dj = 0;
        for (int k = 0; k < r; k++) {
          gj += (double) w.gm[j * r + k] * g[k];
        }
        for (int l = 0; l < w.alpha; l++) {
          dj += (double) w.bt[j * w.alpha + l] * d[l];
        }
        y += w.at[i * w.alpha + j] * gj * dj;
      }
      assertThat(y).as("output %s of F(%s, %s)", i, m, r).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5));
    }
  }

  /**
   * Forward, input gradient and filter gradient of every Winograd transform against the im2col + GEMM path and
   * the direct convolution in double, on random shapes: odd and tiny images (smaller than a tile), batch 1,
   * one channel, SAME and VALID. Inputs are in [-1, 1], so an output summing {@code s} products has a size of
   * about {@code sqrt(s)}: the error allowed is {@code 2e-5 sqrt(s)}, a relative error of about 6e-5.
   */
  @ParameterizedTest
  @MethodSource("shapes")
  void matchesIm2colAndDirectConvolution(Cases.Case c) {
    // Half the cases run F(4x4, 5x5), the transform in use; the rest F(2x2, 5x5) and F(4x4, 3x3).
    int kind = c.random().nextInt(4);
    Winograd wino = kind < 2 ? new Winograd(4, 5) : kind == 2 ? new Winograd(2, 5) : new Winograd(4, 3);
    int r = wino.r;
    Padding padding = c.random().nextInt(3) == 0 ? Padding.VALID : Padding.SAME;
    int n = c.between(1, 3);
    int h = c.between(padding == Padding.VALID ? r : 1, 17);
    int w = c.between(padding == Padding.VALID ? r : 1, 17);
    int ch = c.between(1, 40);
    int f = c.between(1, 40);
    Conv2dGeometry g = new Conv2dGeometry(n, h, w, ch, r, r, f, 1, 1, padding);
    RandomStream rng = RandomStream.of(c.seed());
    float[] x = rng.uniform(Shape.of(g.inputSize()), -1, 1).toFloatArray();
    float[] filter = rng.uniform(Shape.of(g.patch() * f), -1, 1).toFloatArray();
    float[] dOut = rng.uniform(Shape.of(g.outputSize()), -1, 1).toFloatArray();
    double scale = g.patch(); // |x|, |w| <= 1: every output is a sum of at most patch() products below 1

    float[] out = new float[g.outputSize()];
    java.util.Arrays.fill(out, Float.NaN); // every output must be written
    wino.forward(g, x, filter, null, false, out);
    float[] ref = new float[g.outputSize()];
    Convolution.forwardIm2col(g, x, filter, null, false, ref);
    double[] exact = ConvolutionTest.naiveConv(g, x, filter);
    assertClose("forward", out, ref, exact, scale);

    float[] dx = new float[x.length];
    float[] dw = new float[filter.length];
    java.util.Arrays.fill(dw, 7f); // stale values are overwritten
    float[] dxRef = new float[x.length];
    float[] dwRef = new float[filter.length];
    java.util.Arrays.fill(dx, 0.5f); // the input gradient is added
    java.util.Arrays.fill(dxRef, 0.5f);
    wino.backward(g, x, filter, dOut, dx, dw);
    Convolution.backwardIm2col(g, x, filter, dOut, dxRef, dwRef);
    assertClose("input gradient", dx, dxRef, null, (double) r * r * f);
    assertClose("filter gradient", dw, dwRef, null, (double) n * g.outH() * g.outW());
  }

  private static void assertClose(String what, float[] actual, float[] reference, double[] exact, double scale) {
    double tolerance = 2e-5 * Math.max(1, Math.sqrt(scale)); // rounding grows as a random walk over the products
    for (int i = 0; i < actual.length; i++) {
      assertThat((double) actual[i]).as("%s[%s] against im2col", what, i).isCloseTo(reference[i], org.assertj.core.data.Offset.offset(tolerance));
      if (exact != null) {
        assertThat((double) actual[i]).as("%s[%s] against the direct convolution", what, i).isCloseTo(exact[i], org.assertj.core.data.Offset.offset(tolerance));
      }
    }
  }
}
