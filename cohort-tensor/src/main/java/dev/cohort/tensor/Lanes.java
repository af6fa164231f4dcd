package dev.cohort.tensor;

/**
 * The float loops that dominate the Winograd transforms and max pooling, in two implementations with the same bits: the JDK's
 * Vector API ({@code jdk.incubator.vector}, {@link VectorLanes}) when the JVM runs with
 * {@code --add-modules jdk.incubator.vector} (the {@code cohort} launcher, {@code bench/run} and the test build add
 * it), else plain loops ({@link ScalarLanes}). {@code -Dcohort.tensor.vector=false} forces the plain loops. Both
 * do each element's multiplications and additions in the same order, unfused, so results never depend on which
 * one runs.
 */
interface Lanes {
  /** The implementation in use (see the interface comment). */
  Lanes INSTANCE = select();

  /**
   * {@code dst[d + k] (+)= sum over terms t of coef[t] * src[offsets[t] + k]} for {@code k < len}: adds to
   * {@code dst} when {@code accumulate}, else starts from 0; skips zero coefficients; adds the terms in order.
   * The destination run must not overlap the source runs.
   */
  void combine(float[] dst, int d, boolean accumulate, float[] src, int[] offsets, float[] coef, int terms, int len);

  /**
   * Two rows of a Winograd transform at the points {@code p} and {@code -p}, which differ only in the signs of their
   * odd terms: with {@code e} the sum over even {@code t} of {@code coef[t] * src[offsets[t] + k]} and {@code o} the
   * same over odd {@code t} (products unfused, added in order of {@code t}, zero coefficients included),
   * {@code dst[plus + k] = e + o} and {@code dst[minus + k] = e - o} for {@code k < len}. Half the multiplications of
   * two {@link #combine} calls, and each source run is read once for both rows. {@code terms >= 2}; the two
   * destination runs must not overlap each other or the source runs.
   */
  void evenOdd(float[] dst, int plus, int minus, float[] src, int[] offsets, float[] coef, int terms, int len);

  /**
   * Two rows of the transpose of such a transform, whose terms at {@code p} and {@code -p} (terms {@code t} and
   * {@code t + 1} for odd {@code t} with {@code t + 1 < terms - 1}) have equal coefficients in the even row and
   * opposite ones in the odd row: with {@code x_t = src[offsets[t] + k]}, the even row adds
   * {@code evenCoef[t] * (x_t + x_{t+1})} for such a pair and {@code evenCoef[t] * x_t} for another term, the odd row
   * {@code oddCoef[t] * (x_t - x_{t+1})} and {@code oddCoef[t] * x_t}, in order of {@code t}, products unfused;
   * each row starts from its first product, or from {@code dst} when {@code accumulate}. The results go to
   * {@code dst[even + k]} and {@code dst[odd + k]} for {@code k < len}; the coefficients at {@code t + 1} of a pair
   * are not read. The two destination runs must not overlap each other or the source runs.
   */
  void pairedSums(float[] dst, int even, int odd, boolean accumulate, float[] src, int[] offsets, float[] evenCoef,
      float[] oddCoef, int terms, int len);

  /**
   * One window position of max pooling over {@code c} channels: with {@code best = out[o + ch]} and
   * {@code v = in[i + ch]}, {@code out[o + ch] = Math.max(best, v)} and, when {@code argmax} is not null,
   * {@code argmax[o + ch] = i + ch} where {@code best - v} has its sign bit set (v greater: the first maximum in
   * window order wins ties).
   */
  void maxInto(float[] out, int o, int[] argmax, float[] in, int i, int c);

  /**
   * {@code dst[dd + j] = Math.max(src[s + j] + bias[j], 0)} for {@code j < n}: without the addition when {@code bias}
   * is null, without the maximum unless {@code relu}. {@code dst} may be {@code src} at the same offset.
   */
  void biasRelu(float[] src, int s, float[] dst, int dd, int n, float[] bias, boolean relu);

  /**
   * Over row-major {@code [rows, n]} data with {@code n = sums.length}: when {@code relu}, {@code g[i] = 0} unless
   * {@code y[i]}'s bits read as a positive int (so {@code y > 0}, or a positive NaN), by masking {@code g}'s bits;
   * then {@code sums[j] += g[r][j]} for each row {@code r} in order.
   */
  void maskColumnSums(float[] g, float[] y, boolean relu, float[] sums);

  /** What runs, for {@code cohort info}: e.g. {@code "jdk.incubator.vector, 256-bit"} or why the plain loops do. */
  String describe();

  private static Lanes select() {
    if ("false".equals(System.getProperty("cohort.tensor.vector"))) {
      return new ScalarLanes("plain loops (-Dcohort.tensor.vector=false)");
    }
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return new ScalarLanes("plain loops (the JVM runs without --add-modules jdk.incubator.vector)");
    }
    // Loaded by name: a JVM without the module never links VectorLanes.
    try {
      return (Lanes) Class.forName("dev.cohort.tensor.VectorLanes").getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return new ScalarLanes("plain loops (jdk.incubator.vector failed to load: " + e + ")");
    }
  }
}
