package dev.cohort.tensor;

import java.util.Arrays;

/**
 * {@link Lanes} as plain loops. Each operand is first copied to a lane at offset 0: Java 17's C2 vectorizes
 * {@code acc[k] += w * seg[k]} (0.05 ns an element here) but not the same loop at run-time offsets (0.28 ns).
 */
final class ScalarLanes implements Lanes {
  private static final ThreadLocal<float[][]> LANES = ThreadLocal.withInitial(() -> new float[2][0]);
  private final String description;

  ScalarLanes(String description) {
    this.description = description;
  }

  @Override
  public void combine(float[] dst, int d, boolean accumulate, float[] src, int[] offsets, float[] coef, int terms, int len) {
    float[][] lanes = LANES.get();
    if (lanes[0].length < len) {
      lanes = new float[][] {new float[len], new float[len]};
      LANES.set(lanes);
    }
    float[] a = lanes[0];
    float[] b = lanes[1];
    if (accumulate) {
      System.arraycopy(dst, d, a, 0, len);
    } else {
      Arrays.fill(a, 0, len, 0f);
    }
    for (int t = 0; t < terms; t++) {
      float w = coef[t];
      if (w == 0f) {
        continue;
      }
      System.arraycopy(src, offsets[t], b, 0, len);
      for (int k = 0; k < len; k++) {
        a[k] += w * b[k];
      }
    }
    System.arraycopy(a, 0, dst, d, len);
  }

  @Override
  public void evenOdd(float[] dst, int plus, int minus, float[] src, int[] offsets, float[] coef, int terms, int len) {
    evenOdd(dst, plus, minus, src, offsets, coef, terms, 0, len);
  }

  /** {@link Lanes#evenOdd} for {@code k} from {@code from} to {@code len}: also the vector kernels' tails. */
  static void evenOdd(float[] dst, int plus, int minus, float[] src, int[] offsets, float[] coef, int terms, int from,
      int len) {
    for (int k = from; k < len; k++) {
      float e = src[offsets[0] + k] * coef[0];
      float o = src[offsets[1] + k] * coef[1];
      for (int t = 2; t < terms; t++) {
        float x = src[offsets[t] + k] * coef[t];
        if (t % 2 == 0) {
          e += x;
        } else {
          o += x;
        }
      }
      dst[plus + k] = e + o;
      dst[minus + k] = e - o;
    }
  }

  @Override
  public void pairedSums(float[] dst, int even, int odd, boolean accumulate, float[] src, int[] offsets,
      float[] evenCoef, float[] oddCoef, int terms, int len) {
    pairedSums(dst, even, odd, accumulate, src, offsets, evenCoef, oddCoef, terms, 0, len);
  }

  /** {@link Lanes#pairedSums} for {@code k} from {@code from} to {@code len}: also the vector kernel's tail. */
  static void pairedSums(float[] dst, int even, int odd, boolean accumulate, float[] src, int[] offsets,
      float[] evenCoef, float[] oddCoef, int terms, int from, int len) {
    for (int k = from; k < len; k++) {
      float e = 0f;
      float o = 0f;
      for (int t = 0; t < terms; t++) {
        float x = src[offsets[t] + k];
        float se;
        float so;
        if (t % 2 == 1 && t + 1 < terms - 1) {
          float y = src[offsets[t + 1] + k];
          se = evenCoef[t] * (x + y);
          so = oddCoef[t] * (x - y);
        } else {
          se = evenCoef[t] * x;
          so = oddCoef[t] * x;
        }
        if (t == 0 && !accumulate) {
          e = se;
          o = so;
        } else {
          e = (t == 0 ? dst[even + k] : e) + se;
          o = (t == 0 ? dst[odd + k] : o) + so;
        }
        if (t % 2 == 1 && t + 1 < terms - 1) {
          t++;
        }
      }
      dst[even + k] = e;
      dst[odd + k] = o;
    }
  }

  @Override
  public void maxInto(float[] out, int o, int[] argmax, float[] in, int i, int c) {
    if (argmax == null) {
      for (int ch = 0; ch < c; ch++) {
        out[o + ch] = Math.max(out[o + ch], in[i + ch]);
      }
      return;
    }
    for (int ch = 0; ch < c; ch++) {
      float best = out[o + ch];
      float v = in[i + ch];
      int greater = Float.floatToRawIntBits(best - v) >>> 31; // branch-free: 1 iff v > best
      argmax[o + ch] += greater * (i + ch - argmax[o + ch]);
      out[o + ch] = Math.max(best, v);
    }
  }

  @Override
  public void biasRelu(float[] src, int s, float[] dst, int dd, int n, float[] bias, boolean relu) {
    for (int j = 0; j < n; j++) {
      float v = bias == null ? src[s + j] : src[s + j] + bias[j];
      dst[dd + j] = relu ? Math.max(v, 0f) : v;
    }
  }

  @Override
  public void maskColumnSums(float[] g, float[] y, boolean relu, float[] sums) {
    int n = sums.length;
    for (int i = 0; i < g.length; i += n) {
      for (int j = 0; j < n; j++) {
        float v = g[i + j];
        if (relu) {
          int bits = Float.floatToRawIntBits(y[i + j]);
          int mask = (-bits >> 31) & ~(bits >> 31); // all ones iff bits > 0
          v = Float.intBitsToFloat(Float.floatToRawIntBits(v) & mask);
          g[i + j] = v;
        }
        sums[j] += v;
      }
    }
  }

  @Override
  public String describe() {
    return description;
  }
}
