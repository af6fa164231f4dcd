package dev.cohort.privacy;

/**
 * In-place iterative radix-2 complex FFT on split arrays, with twiddle factors computed directly from
 * {@link Math#cos} and {@link Math#sin} (no recurrence, so no accumulated rounding). Used for composing privacy
 * loss distributions; sizes are powers of two.
 */
final class Fft {
  private Fft() {}

  /** The largest transform whose twiddle factors are kept between calls: 2^20 points, two 4 MiB tables. */
  static final int MAX_CACHED_SIZE = 1 << 20;

  /**
   * Twiddle factors cos/sin(2πk/N) for the largest size N ≤ {@link #MAX_CACHED_SIZE} used so far; a transform of
   * size n ≤ N reads every (N/n)-th entry, so repeated compositions never recompute them. Larger transforms
   * compute their own tables, which are released with them: the cache never holds more than 8 MiB.
   */
  private static volatile double[][] cachedTwiddles = new double[][] {new double[0], new double[0]};

  /** The largest transform: two 2^26-element double arrays are 1 GiB. */
  static final int MAX_SIZE = 1 << 26;

  static int nextPowerOfTwo(long n) {
    if (n > MAX_SIZE) {
      throw new IllegalArgumentException("FFT size (" + n + ") must be at most 2^26 (1 GiB of work arrays)");
    }
    int p = 1;
    while (p < n) {
      p <<= 1;
    }
    return p;
  }

  /**
   * Twiddle factors {cos, sin} for transforms of size n (a power of two), possibly a larger table to be read with
   * a stride: cached up to {@link #MAX_CACHED_SIZE}, computed afresh (and not kept) beyond.
   */
  static double[][] twiddles(int n) {
    double[][] t = cachedTwiddles;
    if (2 * t[0].length >= n) {
      return t;
    }
    t = table(n);
    if (n <= MAX_CACHED_SIZE) {
      cachedTwiddles = t;
    }
    return t;
  }

  /** The number of cosines the cache holds (test access). */
  static int cachedTwiddleCount() {
    return cachedTwiddles[0].length;
  }

  private static double[][] table(int n) {
    double[] cos = new double[n / 2];
    double[] sin = new double[n / 2];
    for (int k = 0; k < n / 2; k++) {
      double a = 2 * Math.PI * k / n;
      cos[k] = Math.cos(a);
      sin[k] = Math.sin(a);
    }
    return new double[][] {cos, sin};
  }

  /** Forward (e^{-2πi jk/n}) or inverse (e^{+2πi jk/n}, scaled by 1/n) transform of re + i·im in place. */
  static void transform(double[] re, double[] im, boolean inverse) {
    transform(re, im, inverse, twiddles(re.length));
  }

  /** {@link #transform(double[], double[], boolean)} with tables from {@link #twiddles} for this size or larger. */
  static void transform(double[] re, double[] im, boolean inverse, double[][] tw) {
    int n = re.length;
    if (n == 1) {
      return;
    }
    for (int i = 1, j = 0; i < n; i++) {
      int bit = n >> 1;
      for (; (j & bit) != 0; bit >>= 1) {
        j ^= bit;
      }
      j ^= bit;
      if (i < j) {
        double tr = re[i];
        re[i] = re[j];
        re[j] = tr;
        double ti = im[i];
        im[i] = im[j];
        im[j] = ti;
      }
    }
    double[] cos = tw[0];
    double[] sin = tw[1];
    int stride = 2 * cos.length / n;
    double sign = inverse ? 1.0 : -1.0;
    for (int len = 2; len <= n; len <<= 1) {
      int half = len >> 1;
      int step = n / len * stride;
      for (int start = 0; start < n; start += len) {
        for (int k = 0; k < half; k++) {
          double wr = cos[k * step];
          double wi = sign * sin[k * step];
          int a = start + k;
          int b = a + half;
          double xr = re[b] * wr - im[b] * wi;
          double xi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
        }
      }
    }
    if (inverse) {
      double scale = 1.0 / n;
      for (int i = 0; i < n; i++) {
        re[i] *= scale;
        im[i] *= scale;
      }
    }
  }

  /** The linear convolution of two real sequences (length a.length + b.length - 1). */
  static double[] convolve(double[] a, double[] b) {
    int outLen = a.length + b.length - 1;
    if ((long) a.length * b.length <= 4096L * 64) {
      double[] out = new double[outLen];
      for (int i = 0; i < a.length; i++) {
        double ai = a[i];
        if (ai == 0) {
          continue;
        }
        for (int j = 0; j < b.length; j++) {
          out[i + j] += ai * b[j];
        }
      }
      return out;
    }
    int n = nextPowerOfTwo(outLen);
    // Pack both real inputs into one complex transform: z = a + i·b.
    double[] re = new double[n];
    double[] im = new double[n];
    System.arraycopy(a, 0, re, 0, a.length);
    System.arraycopy(b, 0, im, 0, b.length);
    double[][] tw = twiddles(n);
    transform(re, im, false, tw);
    double[] pr = new double[n];
    double[] pi = new double[n];
    for (int k = 0; k < n; k++) {
      int m = (n - k) & (n - 1);
      // A_k = (Z_k + conj Z_{n-k})/2, B_k = (Z_k - conj Z_{n-k})/(2i)
      double ar = 0.5 * (re[k] + re[m]);
      double ai = 0.5 * (im[k] - im[m]);
      double br = 0.5 * (im[k] + im[m]);
      double bi = -0.5 * (re[k] - re[m]);
      pr[k] = ar * br - ai * bi;
      pi[k] = ar * bi + ai * br;
    }
    transform(pr, pi, true, tw);
    double[] out = new double[outLen];
    System.arraycopy(pr, 0, out, 0, outLen);
    return out;
  }
}
