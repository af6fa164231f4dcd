package dev.cohort.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.testing.Cases;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The one number printer and its modes. */
class NumbersTest {
  @Test
  void formatIsTheShortestDecimalInPythonsLayoutWithoutPointZero() {
    assertThat(Numbers.format(2.0)).isEqualTo("2"); // Python's repr would say 2.0
    assertThat(Numbers.format(1e-5)).isEqualTo("1e-05");
    assertThat(Numbers.format(1e-4)).isEqualTo("0.0001");
    assertThat(Numbers.format(1.2)).isEqualTo("1.2");
    assertThat(Numbers.format(0.0025)).isEqualTo("0.0025");
    assertThat(Numbers.format(2.5e-7)).isEqualTo("2.5e-07");
    assertThat(Numbers.format(1.5e16)).isEqualTo("1.5e+16");
    assertThat(Numbers.format(1e16)).isEqualTo("1e+16");
    assertThat(Numbers.format(-3.0)).isEqualTo("-3");
    assertThat(Numbers.format(0.03547147502216967)).isEqualTo("0.03547147502216967");
    assertThat(Numbers.format(1e-300)).isEqualTo("1e-300");
    assertThat(Numbers.format(0.0)).isEqualTo("0");
    assertThat(Numbers.format(Double.NaN)).isEqualTo("nan");
    assertThat(Numbers.format(Double.NEGATIVE_INFINITY)).isEqualTo("-inf");
  }

  @Test
  void significantRoundsToTheGivenDigits() {
    assertThat(Numbers.significant(0.7242234026106552, 10)).isEqualTo("0.7242234026");
    assertThat(Numbers.significant(2.4612381221, 10)).isEqualTo("2.461238122");
    assertThat(Numbers.significant(0.0, 10)).isEqualTo("0");
    assertThat(Numbers.significant(5000.0, 10)).isEqualTo("5000");
    assertThat(Numbers.significant(5.499999999999999e21, 10)).isEqualTo("5.5e+21");
    assertThat(Numbers.significant(Double.POSITIVE_INFINITY, 10)).isEqualTo("inf");
    assertThat(Numbers.significant(Double.NaN, 10)).isEqualTo("nan"); // BigDecimal would throw
    assertThatThrownBy(() -> Numbers.significant(1.0, 0)).hasMessage("digits (0) must be in [1, 17]");
  }

  @Test
  void float64AndFloat32AreWhatPythonAndNumpyPrint() {
    assertThat(Numbers.float32(69.53334f)).isEqualTo("69.53334");
    assertThat(Numbers.float32(70f)).isEqualTo("70.0");
    assertThat(Numbers.float32(0.101132266f)).isEqualTo("0.101132266");
    assertThat(Numbers.float32(1e-5f)).isEqualTo("1e-05");
    assertThat(Numbers.float32(-0.0f)).isEqualTo("-0.0");
    assertThat(Numbers.float32(Float.MIN_VALUE)).isEqualTo("1e-45");
    assertThat(Numbers.float64((double) 21.605524f)).isEqualTo("21.60552406311035");
    assertThat(Numbers.float64(2.0)).isEqualTo("2.0");
    assertThat(Numbers.float64(1e16)).isEqualTo("1e+16");
    assertThat(Numbers.float64(-0.0)).isEqualTo("-0.0");
    assertThat(Numbers.float64(0.1 + 0.2)).isEqualTo("0.30000000000000004");
    assertThat(Numbers.float64(5e-324)).isEqualTo("5e-324");
  }

  static Stream<Cases.Case> doubles() {
    return Cases.of(20260503L, 300);
  }

  /** Every mode that claims to be shortest reads back as the same number. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("doubles")
  void shortestModesReadBack(Cases.Case c) {
    double v = Double.longBitsToDouble(c.random().nextLong());
    if (!Double.isFinite(v)) {
      return;
    }
    assertThat(Double.parseDouble(Numbers.float64(v))).isEqualTo(v);
    assertThat(Double.parseDouble(Numbers.format(v))).isEqualTo(v);
    float f = Float.intBitsToFloat(c.random().nextInt());
    if (Float.isFinite(f)) {
      assertThat(Float.parseFloat(Numbers.float32(f))).isEqualTo(f);
    }
  }
}
