package dev.cohort.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.cohort.testing.Cases;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LanesTest {
  static Stream<Cases.Case> cases() {
    return Cases.of(20261202, 200);
  }

  @Test
  void theTestBuildRunsTheVectorApiKernels() {
    // The surefire argLine adds jdk.incubator.vector, as the launcher does: the other tests cover this path.
    assertThat(Lanes.INSTANCE).isInstanceOf(VectorLanes.class);
    assertThat(Lanes.INSTANCE.describe()).startsWith("jdk.incubator.vector, ").endsWith("-bit");
  }

  /**
   * The Vector API and the plain loops give the same bits: random lengths (below, at and past vector lengths),
   * 0-7 terms with zero coefficients among them, overwriting and accumulating, runs at any offset, and signed
   * zeros (a result of -0 from {@code 0 + w * -0} must stay +0, as the plain loop makes it).
   */
  @ParameterizedTest
  @MethodSource("cases")
  void vectorAndScalarKernelsAgreeBitForBit(Cases.Case c) {
    int len = c.between(0, 80);
    int terms = c.between(0, 7);
    float[] src = source(c, len, terms);
    int[] offsets = new int[terms];
    float[] coef = new float[terms];
    for (int t = 0; t < terms; t++) {
      offsets[t] = c.between(0, src.length - len);
      int kind = c.random().nextInt(4);
      coef[t] = kind == 0 ? 0f : kind == 1 ? -1f : (float) c.uniform(-3, 3);
    }
    boolean accumulate = c.random().nextBoolean();
    int d = c.between(0, 9);
    float[] dst = new float[d + len + c.between(0, 9)];
    for (int i = 0; i < dst.length; i++) {
      dst[i] = c.random().nextInt(5) == 0 ? -0f : (float) c.uniform(-2, 2);
    }
    float[] scalar = dst.clone();
    float[] vector = dst.clone();
    new ScalarLanes("test").combine(scalar, d, accumulate, src, offsets, coef, terms, len);
    new VectorLanes().combine(vector, d, accumulate, src, offsets, coef, terms, len);
    for (int i = 0; i < dst.length; i++) {
      assertThat(Float.floatToRawIntBits(vector[i])).as("dst[%s] of %s, len %s, %s terms %s, accumulate %s: vector %s, scalar %s",
          i, c, len, terms, java.util.Arrays.toString(coef), accumulate, vector[i], scalar[i])
          .isEqualTo(Float.floatToRawIntBits(scalar[i]));
    }
    for (int i = 0; i < d; i++) {
      assertThat(vector[i]).as("dst[%s] before the run is left alone", i).isEqualTo(dst[i]);
    }
  }

  /**
   * A pair of transform rows gives the same bits in both, and is the two rows that {@code combine} computes (to
   * rounding: {@code evenOdd} adds the even and the odd terms apart): 2-9 terms (the vector kernels take 4 and 8),
   * lengths below, at and past vector lengths, zero coefficients and signed zeros.
   */
  @ParameterizedTest
  @MethodSource("cases")
  void vectorAndScalarEvenOddAgreeBitForBit(Cases.Case c) {
    int len = c.between(0, 80);
    int terms = c.random().nextInt(3) == 0 ? c.between(2, 9) : c.random().nextBoolean() ? 4 : 8;
    float[] src = source(c, len, terms);
    int[] offsets = new int[terms];
    float[] coef = new float[terms];
    float[] negated = new float[terms];
    for (int t = 0; t < terms; t++) {
      offsets[t] = c.between(0, src.length - len);
      int kind = c.random().nextInt(4);
      coef[t] = kind == 0 ? 0f : kind == 1 ? -1f : (float) c.uniform(-3, 3);
      negated[t] = t % 2 == 0 ? coef[t] : -coef[t];
    }
    int plus = c.between(0, 9);
    int minus = plus + len + c.between(0, 9);
    float[] dst = new float[minus + len + c.between(0, 9)];
    for (int i = 0; i < dst.length; i++) {
      dst[i] = (float) c.uniform(-2, 2);
    }
    float[] scalar = dst.clone();
    float[] vector = dst.clone();
    new ScalarLanes("test").evenOdd(scalar, plus, minus, src, offsets, coef, terms, len);
    new VectorLanes().evenOdd(vector, plus, minus, src, offsets, coef, terms, len);
    for (int i = 0; i < dst.length; i++) {
      assertThat(Float.floatToRawIntBits(vector[i])).as("dst[%s] of %s, len %s, %s terms %s: vector %s, scalar %s",
          i, c, len, terms, java.util.Arrays.toString(coef), vector[i], scalar[i])
          .isEqualTo(Float.floatToRawIntBits(scalar[i]));
      boolean inside = (i >= plus && i < plus + len) || (i >= minus && i < minus + len);
      if (!inside) {
        assertThat(vector[i]).as("dst[%s] outside both runs is left alone", i).isEqualTo(dst[i]);
      }
    }
    float[] rows = new float[dst.length];
    new ScalarLanes("test").combine(rows, plus, false, src, offsets, coef, terms, len);
    new ScalarLanes("test").combine(rows, minus, false, src, offsets, negated, terms, len);
    assertRowClose("row p", vector, rows, plus, null, src, offsets, coef, terms, len);
    assertRowClose("row -p", vector, rows, minus, null, src, offsets, negated, terms, len);
  }

  /** Random sources for {@code terms} runs of {@code len}: values in [-4, 4], a quarter of them signed zeros. */
  private static float[] source(Cases.Case c, int len, int terms) {
    float[] src = new float[len * terms + c.between(0, 40) + len];
    for (int i = 0; i < src.length; i++) {
      int kind = c.random().nextInt(8);
      src[i] = kind == 0 ? -0f : kind == 1 ? 0f : (float) c.uniform(-4, 4);
    }
    return src;
  }

  /**
   * {@code actual[at + k]} is within float32 rounding of {@code expected[at + k]}, a sum of {@code coef[t] *
   * src[offsets[t] + k]} (added to {@code start[at + k]} when {@code start} is not null), for {@code k < len}.
   */
  private static void assertRowClose(String what, float[] actual, float[] expected, int at, float[] start,
      float[] src, int[] offsets, float[] coef, int terms, int len) {
    for (int k = 0; k < len; k++) {
      float scale = start == null ? 0 : Math.abs(start[at + k]);
      for (int t = 0; t < terms; t++) {
        scale += Math.abs(coef[t] * src[offsets[t] + k]);
      }
      assertThat(actual[at + k]).as("%s at %s", what, k).isCloseTo(expected[at + k], within(1e-6f * scale + 1e-30f));
    }
  }

  /**
   * The transposed pair gives the same bits in both, and the two rows that {@code combine} computes with the pairs'
   * coefficients written out (equal in the even row, opposite in the odd one), to rounding: 2-9 terms (the vector
   * kernel takes 8), overwriting and accumulating, zero coefficients and signed zeros.
   */
  @ParameterizedTest
  @MethodSource("cases")
  void vectorAndScalarPairedSumsAgreeBitForBit(Cases.Case c) {
    int len = c.between(0, 80);
    int terms = c.random().nextInt(3) == 0 ? c.between(2, 9) : 8;
    float[] src = source(c, len, terms);
    int[] offsets = new int[terms];
    float[] even = new float[terms];
    float[] odd = new float[terms];
    for (int t = 0; t < terms; t++) {
      offsets[t] = c.between(0, src.length - len);
      int kind = c.random().nextInt(4);
      even[t] = kind == 0 ? 0f : kind == 1 ? -1f : (float) c.uniform(-3, 3);
      odd[t] = c.random().nextInt(4) == 0 ? 0f : (float) c.uniform(-3, 3);
    }
    float[] evenRow = even.clone();
    float[] oddRow = odd.clone();
    for (int t = 1; t + 1 < terms - 1; t += 2) { // the pairs' second coefficients, which pairedSums implies
      evenRow[t + 1] = even[t];
      oddRow[t + 1] = -odd[t];
      even[t + 1] = Float.NaN; // not read
      odd[t + 1] = Float.NaN;
    }
    boolean accumulate = c.random().nextBoolean();
    int ev = c.between(0, 9);
    int od = ev + len + c.between(0, 9);
    float[] dst = new float[od + len + c.between(0, 9)];
    for (int i = 0; i < dst.length; i++) {
      dst[i] = c.random().nextInt(5) == 0 ? -0f : (float) c.uniform(-2, 2);
    }
    float[] scalar = dst.clone();
    float[] vector = dst.clone();
    new ScalarLanes("test").pairedSums(scalar, ev, od, accumulate, src, offsets, even, odd, terms, len);
    new VectorLanes().pairedSums(vector, ev, od, accumulate, src, offsets, even, odd, terms, len);
    for (int i = 0; i < dst.length; i++) {
      assertThat(Float.floatToRawIntBits(vector[i])).as("dst[%s] of %s, len %s, %s terms, accumulate %s: vector %s, "
          + "scalar %s", i, c, len, terms, accumulate, vector[i], scalar[i]).isEqualTo(Float.floatToRawIntBits(scalar[i]));
      boolean inside = (i >= ev && i < ev + len) || (i >= od && i < od + len);
      if (!inside) {
        assertThat(vector[i]).as("dst[%s] outside both runs is left alone", i).isEqualTo(dst[i]);
      }
    }
    float[] rows = dst.clone();
    new ScalarLanes("test").combine(rows, ev, accumulate, src, offsets, evenRow, terms, len);
    new ScalarLanes("test").combine(rows, od, accumulate, src, offsets, oddRow, terms, len);
    assertRowClose("even row", vector, rows, ev, accumulate ? dst : null, src, offsets, evenRow, terms, len);
    assertRowClose("odd row", vector, rows, od, accumulate ? dst : null, src, offsets, oddRow, terms, len);
  }

  /**
   * Max pooling's window step gives the same maxima and argmax in both: ties (the earlier index stays), signed
   * zeros, NaN and infinities, with and without argmax, channel counts below, at and past vector lengths.
   */
  @ParameterizedTest
  @MethodSource("cases")
  void vectorAndScalarMaxPoolingAgreeBitForBit(Cases.Case c) {
    int ch = c.between(1, 70);
    float[] special = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    float[] in = new float[3 * ch + c.between(0, 20)];
    float[] out = new float[ch + c.between(0, 20)];
    for (float[] a : new float[][] {in, out}) {
      for (int k = 0; k < a.length; k++) {
        a[k] = c.random().nextInt(3) == 0 ? special[c.random().nextInt(special.length)] : (float) c.between(-3, 3);
      }
    }
    int o = c.between(0, out.length - ch);
    int i = c.between(0, in.length - ch);
    boolean withArgmax = c.random().nextInt(4) != 0;
    int[] argmax = new int[out.length];
    for (int k = 0; k < argmax.length; k++) {
      argmax[k] = c.between(0, 1000);
    }
    float[] scalarOut = out.clone();
    float[] vectorOut = out.clone();
    int[] scalarArg = argmax.clone();
    int[] vectorArg = argmax.clone();
    new ScalarLanes("test").maxInto(scalarOut, o, withArgmax ? scalarArg : null, in, i, ch);
    new VectorLanes().maxInto(vectorOut, o, withArgmax ? vectorArg : null, in, i, ch);
    for (int k = 0; k < out.length; k++) {
      assertThat(Float.floatToRawIntBits(vectorOut[k])).as("out[%s] of %s: vector %s, scalar %s", k, c, vectorOut[k], scalarOut[k])
          .isEqualTo(Float.floatToRawIntBits(scalarOut[k]));
    }
    assertThat(vectorArg).as("argmax of %s", c).isEqualTo(scalarArg);
  }
  /**
   * The bias gradient with ReLU's mask gives the same bits in both, and the plain definition's (NaN sums compare as
   * NaN): channel counts below,
   * at and past vector lengths, signed zeros, NaN (a positive NaN output passes the gradient, a negative one does
   * not) and infinities in both operands, with and without the mask, into sums that already hold values.
   */
  @ParameterizedTest
  @MethodSource("cases")
  void vectorAndScalarMaskedColumnSumsAgreeBitForBit(Cases.Case c) {
    int n = c.between(1, 70);
    int rows = c.between(0, 9);
    float[] special = {0f, -0f, 1f, -1f, Float.NaN, Float.intBitsToFloat(0xffc00000), Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE};
    float[] g = new float[rows * n];
    float[] y = new float[rows * n];
    for (float[] a : new float[][] {g, y}) {
      for (int k = 0; k < a.length; k++) {
        a[k] = c.random().nextInt(3) == 0 ? special[c.random().nextInt(special.length)] : (float) c.uniform(-3, 3);
      }
    }
    float[] sums = new float[n];
    for (int j = 0; j < n; j++) {
      sums[j] = (float) c.uniform(-1, 1);
    }
    boolean relu = c.random().nextInt(4) != 0;
    float[] expectedG = g.clone();
    float[] expectedSums = sums.clone();
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < n; j++) {
        int i = r * n + j;
        if (relu && !(Float.floatToRawIntBits(y[i]) > 0)) {
          expectedG[i] = 0f;
        }
        expectedSums[j] += expectedG[i];
      }
    }
    float[] scalarG = g.clone();
    float[] vectorG = g.clone();
    float[] scalarSums = sums.clone();
    float[] vectorSums = sums.clone();
    new ScalarLanes("test").maskColumnSums(scalarG, y, relu, scalarSums);
    new VectorLanes().maskColumnSums(vectorG, y, relu, vectorSums);
    for (float[] actual : new float[][] {scalarG, vectorG}) {
      for (int k = 0; k < g.length; k++) {
        assertThat(Float.floatToRawIntBits(actual[k])).as("gradient %s of %s (relu %s): %s, expected %s", k, c, relu,
            actual[k], expectedG[k]).isEqualTo(Float.floatToRawIntBits(expectedG[k]));
      }
    }
    for (float[] actual : new float[][] {scalarSums, vectorSums}) {
      for (int j = 0; j < n; j++) { // a sum of NaNs is NaN; which NaN's payload survives is the hardware's choice
        assertThat(Float.floatToIntBits(actual[j])).as("sum %s of %s (relu %s): %s, expected %s", j, c, relu,
            actual[j], expectedSums[j]).isEqualTo(Float.floatToIntBits(expectedSums[j]));
      }
    }
  }
  /** The convolution epilogue gives the same bits in both: NaN, signed zeros, infinities, in place or not. */
  @ParameterizedTest
  @MethodSource("cases")
  void vectorAndScalarBiasReluAgreeBitForBit(Cases.Case c) {
    int n = c.between(0, 70);
    float[] special = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    float[] src = new float[n + c.between(0, 20)];
    float[] bias = new float[n];
    for (float[] a : new float[][] {src, bias}) {
      for (int k = 0; k < a.length; k++) {
        a[k] = c.random().nextInt(3) == 0 ? special[c.random().nextInt(special.length)] : (float) c.uniform(-3, 3);
      }
    }
    int s = c.between(0, src.length - n);
    boolean relu = c.random().nextBoolean();
    boolean withBias = c.random().nextInt(4) != 0;
    boolean inPlace = c.random().nextBoolean();
    float[] scalar = inPlace ? src.clone() : new float[src.length];
    float[] vector = inPlace ? src.clone() : new float[src.length];
    new ScalarLanes("test").biasRelu(inPlace ? scalar : src, s, scalar, s, n, withBias ? bias : null, relu);
    new VectorLanes().biasRelu(inPlace ? vector : src, s, vector, s, n, withBias ? bias : null, relu);
    for (int k = 0; k < src.length; k++) {
      assertThat(Float.floatToRawIntBits(vector[k])).as("dst[%s] of %s: vector %s, scalar %s", k, c, vector[k], scalar[k])
          .isEqualTo(Float.floatToRawIntBits(scalar[k]));
    }
  }
}
