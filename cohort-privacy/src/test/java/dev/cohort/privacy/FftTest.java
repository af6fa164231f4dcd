package dev.cohort.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FftTest {

  @Test
  void transformsBeyondTheCachedSizeAreRightAndLeaveTheCacheBounded() {
    // x_j = cos(2π·5j/n) has X_5 = X_{n-5} = n/2 and 0 elsewhere. At n = 2^21 the twiddle table is computed for
    // the call and dropped; the static cache used to grow to the largest transform ever run (512 MiB at 2^26)
    // and keep it for the life of the JVM.
    int n = 1 << 21;
    double[] re = new double[n];
    double[] im = new double[n];
    for (int j = 0; j < n; j++) {
      re[j] = Math.cos(2 * Math.PI * 5 * (long) j / n);
    }
    double[] original = re.clone();
    Fft.transform(re, im, false);
    assertThat(re[5]).isCloseTo(n / 2.0, within(1e-6));
    assertThat(re[n - 5]).isCloseTo(n / 2.0, within(1e-6));
    double elsewhere = 0;
    for (int k = 0; k < n; k++) {
      if (k != 5 && k != n - 5) {
        elsewhere = Math.max(elsewhere, Math.hypot(re[k], im[k]));
      }
    }
    assertThat(elsewhere).isLessThan(1e-6);
    Fft.transform(re, im, true);
    for (int j = 0; j < n; j += 997) {
      assertThat(re[j]).isCloseTo(original[j], within(1e-12));
    }
    assertThat(Fft.cachedTwiddleCount()).isLessThanOrEqualTo(Fft.MAX_CACHED_SIZE / 2);
  }

  @Test
  void smallTransformsShareTheCachedTable() {
    double[][] big = Fft.twiddles(1 << 12);
    assertThat(Fft.twiddles(1 << 8)).isSameAs(Fft.twiddles(1 << 8));
    assertThat(Fft.twiddles(1 << 8)[0].length).isGreaterThanOrEqualTo(big[0].length);
    // A direct convolution and an FFT one agree.
    double[] a = new double[700];
    double[] b = new double[600];
    for (int i = 0; i < a.length; i++) {
      a[i] = 1.0 / (1 + i);
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = Math.exp(-0.01 * i);
    }
    double[] fft = Fft.convolve(a, b);
    for (int k : new int[] {0, 1, 599, 700, 1298}) {
      double direct = 0;
      for (int i = Math.max(0, k - b.length + 1); i <= Math.min(k, a.length - 1); i++) {
        direct += a[i] * b[k - i];
      }
      assertThat(fft[k]).isCloseTo(direct, within(1e-13));
    }
  }
}
