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
