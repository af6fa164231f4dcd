package dev.cohort.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConvolutionTest {

  /** Direct (seven-loop) convolution with TensorFlow's padding rules, in double. */
  static double[] naiveConv(Conv2dGeometry g, float[] x, float[] w) {
    double[] out = new double[g.outputSize()];
    int oh = g.outH();
    int ow = g.outW();
    for (int b = 0; b < g.n(); b++) {
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
          for (int f = 0; f < g.f(); f++) {
            double s = 0;
            for (int ky = 0; ky < g.kh(); ky++) {
              for (int kx = 0; kx < g.kw(); kx++) {
                int iy = oy * g.strideH() - g.padTop() + ky;
                int ix = ox * g.strideW() - g.padLeft() + kx;
                if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) {
                  continue;
                }
                for (int c = 0; c < g.c(); c++) {
                  s += x[((b * g.h() + iy) * g.w() + ix) * g.c() + c] * w[((ky * g.kw() + kx) * g.c() + c) * g.f() + f];
                }
              }
            }
            out[((b * oh + oy) * ow + ox) * g.f() + f] = s;
          }
        }
      }
    }
    return out;
  }

  @ParameterizedTest
  @CsvSource({
      "2, 7, 6, 3, 3, 3, 4, 1, 1, SAME",
      "2, 7, 6, 3, 3, 3, 4, 2, 2, SAME",
      "1, 8, 8, 2, 5, 5, 3, 1, 1, SAME",
      "3, 7, 6, 3, 3, 2, 4, 2, 1, VALID",
      "2, 5, 5, 4, 1, 1, 3, 1, 1, VALID",
      "1, 4, 4, 1, 4, 4, 2, 3, 3, SAME",
      "2, 9, 9, 1, 5, 5, 8, 1, 1, SAME",   // the CNN's conv1: one input channel, short window rows
      "9, 28, 28, 1, 5, 5, 4, 1, 1, SAME", // conv1's shape: chunks of the transposed patch matrix end inside a row
      "2, 7, 8, 1, 3, 2, 3, 2, 1, VALID",  // one channel, vertical stride 2: the transposed patches too
      "1, 8, 7, 2, 3, 3, 2, 2, 2, VALID",  // the windows leave the last input row unread
      "2, 6, 9, 1, 2, 4, 3, 3, 2, VALID"})
  void forwardAndBackwardMatchDirectConvolution(int n, int h, int w, int c, int kh, int kw, int f, int sh, int sw, Padding padding) {
    Conv2dGeometry g = new Conv2dGeometry(n, h, w, c, kh, kw, f, sh, sw, padding);
    RandomStream rng = RandomStream.of(3);
    float[] x = rng.uniform(Shape.of(g.inputSize()), -1, 1).toFloatArray();
    float[] filter = rng.uniform(Shape.of(g.patch() * f), -1, 1).toFloatArray();
    float[] out = new float[g.outputSize()];
    Convolution.forward(g, x, filter, out);
    double[] expected = naiveConv(g, x, filter);
    for (int i = 0; i < out.length; i++) {
      assertThat((double) out[i]).isCloseTo(expected[i], Offset.offset(1e-4));
    }
    // Backward: for loss = <dOut, conv(x, w)>, dL/dx and dL/dw follow from linearity; check them against the
    // direct convolution applied to unit perturbations (exact up to float rounding since conv is linear).
    float[] dOut = rng.uniform(Shape.of(g.outputSize()), -1, 1).toFloatArray();
    float[] dx = new float[x.length];
    float[] dw = new float[filter.length];
    Convolution.backward(g, x, filter, dOut, dx, dw);
    for (int probe = 0; probe < 5; probe++) {
      int i = rng.nextInt(x.length);
      float[] e = new float[x.length];
      e[i] = 1;
      assertThat((double) dx[i]).isCloseTo(dot(dOut, naiveConv(g, e, filter)), Offset.offset(1e-4));
      int j = rng.nextInt(filter.length);
      float[] ew = new float[filter.length];
      ew[j] = 1;
      assertThat((double) dw[j]).isCloseTo(dot(dOut, naiveConv(g, x, ew)), Offset.offset(1e-4));
    }
    // Every element, against the adjoint of the direct convolution (scatter each output's gradient over its window).
    double[] dxExact = new double[x.length];
    double[] dwExact = new double[filter.length];
    int o = 0;
    for (int b = 0; b < n; b++) {
      for (int oy = 0; oy < g.outH(); oy++) {
        for (int ox = 0; ox < g.outW(); ox++, o += f) {
          for (int ky = 0; ky < kh; ky++) {
            int iy = oy * sh - g.padTop() + ky;
            for (int kx = 0; kx < kw; kx++) {
              int ix = ox * sw - g.padLeft() + kx;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                continue;
              }
              for (int ch = 0; ch < c; ch++) {
                int xi = ((b * h + iy) * w + ix) * c + ch;
                int wi = ((ky * kw + kx) * c + ch) * f;
                for (int q = 0; q < f; q++) {
                  dxExact[xi] += (double) dOut[o + q] * filter[wi + q];
                  dwExact[wi + q] += (double) dOut[o + q] * x[xi];
                }
              }
            }
          }
        }
      }
    }
    for (int i = 0; i < x.length; i++) {
      assertThat((double) dx[i]).as("dx[%s]", i).isCloseTo(dxExact[i], Offset.offset(1e-4));
    }
    for (int j = 0; j < filter.length; j++) {
      assertThat((double) dw[j]).as("dw[%s]", j).isCloseTo(dwExact[j], Offset.offset(1e-4 * Math.max(1, Math.sqrt(g.outputSize()))));
    }
  }

  private static double dot(float[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @ParameterizedTest
  @CsvSource({"2, 2, 2, 2, VALID", "3, 3, 2, 2, SAME", "2, 2, 1, 1, VALID"})
  void maxPoolMatchesDirectMaximumAndRoutesGradients(int kh, int kw, int sh, int sw, Padding padding) {
    Conv2dGeometry g = new Conv2dGeometry(2, 5, 6, 3, kh, kw, 1, sh, sw, padding);
    RandomStream rng = RandomStream.of(4);
    float[] x = rng.uniform(Shape.of(g.inputSize()), -1, 1).toFloatArray();
    int outSize = g.n() * g.outH() * g.outW() * g.c();
    float[] out = new float[outSize];
    int[] argmax = new int[outSize];
    Convolution.maxPool(g, x, out, argmax);
    float[] withoutArgmax = new float[outSize];
    Convolution.maxPool(g, x, withoutArgmax, null);
    assertThat(withoutArgmax).containsExactly(out);
    float[] dOut = rng.uniform(Shape.of(outSize), -1, 1).toFloatArray();
    float[] dx = new float[x.length];
    Convolution.maxPoolBackward(argmax, dOut, dx);
    float[] expectedDx = new float[x.length];
    int o = 0;
    for (int b = 0; b < g.n(); b++) {
      for (int oy = 0; oy < g.outH(); oy++) {
        for (int ox = 0; ox < g.outW(); ox++) {
          for (int c = 0; c < g.c(); c++) {
            float best = Float.NEGATIVE_INFINITY;
            for (int ky = 0; ky < kh; ky++) {
              for (int kx = 0; kx < kw; kx++) {
                int iy = oy * sh - g.padTop() + ky;
                int ix = ox * sw - g.padLeft() + kx;
                if (iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w()) {
                  best = Math.max(best, x[((b * g.h() + iy) * g.w() + ix) * g.c() + c]);
                }
              }
            }
            assertThat(out[o]).isEqualTo(best);
            expectedDx[argmax(g, x, b, oy, ox, c, best)] += dOut[o];
            o++;
          }
        }
      }
    }
    assertThat(dx).containsExactly(expectedDx);
  }

  /** Flat index of the first (row-major) window element equal to {@code best}. */
  private static int argmax(Conv2dGeometry g, float[] x, int b, int oy, int ox, int c, float best) {
    for (int ky = 0; ky < g.kh(); ky++) {
      for (int kx = 0; kx < g.kw(); kx++) {
        int iy = oy * g.strideH() - g.padTop() + ky;
        int ix = ox * g.strideW() - g.padLeft() + kx;
        if (iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w() && x[((b * g.h() + iy) * g.w() + ix) * g.c() + c] == best) {
          return ((b * g.h() + iy) * g.w() + ix) * g.c() + c;
        }
      }
    }
    throw new AssertionError("maximum not found");
  }

  @ParameterizedTest
  @CsvSource({"28, 5, 1, SAME, 28, 2", "28, 5, 1, VALID, 24, 0", "7, 2, 2, SAME, 4, 0", "6, 3, 2, SAME, 3, 0"})
  void paddingFollowsTensorFlow(int in, int k, int stride, Padding padding, int out, int before) {
    assertThat(padding.outputSize(in, k, stride)).isEqualTo(out);
    assertThat(padding.padBefore(in, k, stride)).isEqualTo(before);
  }

  @org.junit.jupiter.api.Test
  void anEmptyBatchGivesAZeroFilterGradient() {
    Conv2dGeometry g = new Conv2dGeometry(0, 4, 4, 2, 3, 3, 5, 1, 1, Padding.SAME);
    float[] dFilter = new float[g.patch() * g.f()];
    java.util.Arrays.fill(dFilter, 7f); // stale values from an earlier step
    Convolution.backward(g, new float[0], new float[dFilter.length], new float[0], new float[0], dFilter);
    assertThat(dFilter).containsOnly(0f);
  }

  @org.junit.jupiter.api.Test
  void tensorLevelConvChecksShapes() {
    Tensor x = Tensor.zeros(1, 4, 4, 3);
    Tensor w = Tensor.zeros(3, 3, 2, 5);
    assertThatThrownBy(() -> x.conv2d(w, 1, 1, Padding.SAME))
        .hasMessage("conv2d: filter [3, 3, 2, 5] expects 2 input channels, input [1, 4, 4, 3] has 3");
    assertThat(x.conv2d(Tensor.zeros(3, 3, 3, 5), 2, 2, Padding.SAME).shape()).isEqualTo(Shape.of(1, 2, 2, 5));
    assertThat(x.maxPool(2, 2, 2, 2, Padding.VALID).shape()).isEqualTo(Shape.of(1, 2, 2, 3));
  }
  /**
   * The bias and ReLU applied while the output is written give the bits of a plain convolution followed by the two
   * passes, on each path: Winograd (5x5, 32 -> 32), im2col (3x3 over one channel) and pointwise (1x1).
   */
  @ParameterizedTest
  @CsvSource({"5, 32, 32", "3, 1, 8", "1, 6, 4"})
  void biasAndReluInTheConvolutionMatchSeparatePasses(int k, int c, int f) {
    Conv2dGeometry g = new Conv2dGeometry(3, 9, 7, c, k, k, f, 1, 1, Padding.SAME);
    assertThat(Convolution.winograd(g) != null).as("winograd").isEqualTo(k == 5);
    RandomStream rng = RandomStream.of(41, k);
    float[] x = rng.normal(Shape.of(g.inputSize()), 0f, 1f).toFloatArray();
    float[] w = rng.normal(Shape.of(g.patch() * f), 0f, 0.3f).toFloatArray();
    float[] b = rng.normal(Shape.of(f), 0f, 1f).toFloatArray();
    float[] plain = new float[g.outputSize()];
    Convolution.forward(g, x, w, plain);
    for (boolean relu : new boolean[] {false, true}) {
      for (float[] bias : new float[][] {null, b}) {
        float[] expected = new float[plain.length];
        for (int i = 0; i < plain.length; i++) {
          float v = bias == null ? plain[i] : plain[i] + bias[i % f];
          expected[i] = relu ? Math.max(v, 0f) : v;
        }
        float[] out = new float[plain.length];
        java.util.Arrays.fill(out, Float.NaN);
        Convolution.forward(g, x, w, bias, relu, out);
        assertThat(out).as("bias %s, relu %s", bias != null, relu).isEqualTo(expected);
      }
    }
    assertThatThrownBy(() -> Convolution.forward(g, x, w, new float[f + 1], false, plain))
        .hasMessage("conv2d: bias has " + (f + 1) + " elements, expected " + f);
  }
}
