package dev.cohort.aggregators;

/**
 * The discrete Fourier transform of any length in {@code O(n log n)}, in double precision: iterative radix-2
 * Cooley–Tukey for powers of two, Bluestein's chirp-z algorithm (the DFT as a convolution with the chirp
 * {@code e^(-pi i j^2 / n)}, computed by radix-2 transforms of a power-of-two length {@code >= 2n - 1}) otherwise.
 * Unnormalized: forward {@code X_m = sum_j x_j e^(-2 pi i j m / n)}, inverse with {@code +} in the exponent.
 */
final class Fft {
  private Fft() {}

  /** Transforms {@code (re, im)} in place; {@code inverse} flips the sign of the exponent (no {@code 1/n}). */
  static void transform(double[] re, double[] im, boolean inverse) {
    int n = re.length;
    if (n <= 1) {
      return;
    }
    if (Integer.bitCount(n) == 1) {
      radix2(re, im, inverse);
    } else {
      bluestein(re, im, inverse);
    }
  }

  private static void radix2(double[] re, double[] im, boolean inverse) {
    int n = re.length;
    for (int i = 1, j = 0; i < n; i++) {
      int bit = n >> 1;
      for (; (j & bit) != 0; bit >>= 1) {
        j ^= bit;
      }
      j ^= bit;
      if (i < j) {
        double t = re[i];
        re[i] = re[j];
        re[j] = t;
        t = im[i];
        im[i] = im[j];
        im[j] = t;
      }
    }
    // Twiddles e^(-+2 pi i k / n), each from its angle (no repeated multiplication): the error stays O(eps log n).
    double sign = inverse ? 1 : -1;
    int halfN = n >> 1;
    double[] wr = new double[halfN];
    double[] wi = new double[halfN];
    for (int k = 0; k < halfN; k++) {
      wr[k] = Math.cos(2 * Math.PI * k / n);
      wi[k] = sign * Math.sin(2 * Math.PI * k / n);
    }
    for (int len = 2; len <= n; len <<= 1) {
      int half = len >> 1;
      int stride = n / len;
      for (int k = 0; k < half; k++) {
        double cr = wr[k * stride];
        double ci = wi[k * stride];
        for (int i = k; i < n; i += len) {
          int j = i + half;
          double xr = re[j] * cr - im[j] * ci;
          double xi = re[j] * ci + im[j] * cr;
          re[j] = re[i] - xr;
          im[j] = im[i] - xi;
          re[i] += xr;
          im[i] += xi;
        }
      }
    }
  }

  private static void bluestein(double[] re, double[] im, boolean inverse) {
    int n = re.length;
    int m = Integer.highestOneBit(2 * n - 1) << 1;
    double sign = inverse ? 1 : -1;
    double[] cr = new double[n];
    double[] ci = new double[n];
    for (int j = 0; j < n; j++) {
      // j^2 mod 2n keeps the chirp's angle small, hence exact to double precision.
      long sq = (long) j * j % (2L * n);
      double angle = sign * Math.PI * sq / n;
      cr[j] = Math.cos(angle);
      ci[j] = Math.sin(angle);
    }
    double[] ar = new double[m];
    double[] ai = new double[m];
    for (int j = 0; j < n; j++) {
      ar[j] = re[j] * cr[j] - im[j] * ci[j];
      ai[j] = re[j] * ci[j] + im[j] * cr[j];
    }
    double[] br = new double[m];
    double[] bi = new double[m];
    br[0] = cr[0];
    bi[0] = -ci[0];
    for (int j = 1; j < n; j++) {
      br[j] = br[m - j] = cr[j];
      bi[j] = bi[m - j] = -ci[j];
    }
    radix2(ar, ai, false);
    radix2(br, bi, false);
    for (int j = 0; j < m; j++) {
      double r = ar[j] * br[j] - ai[j] * bi[j];
      ai[j] = ar[j] * bi[j] + ai[j] * br[j];
      ar[j] = r;
    }
    radix2(ar, ai, true);
    for (int j = 0; j < n; j++) {
      double r = ar[j] / m;
      double i = ai[j] / m;
      re[j] = r * cr[j] - i * ci[j];
      im[j] = r * ci[j] + i * cr[j];
    }
  }
}
