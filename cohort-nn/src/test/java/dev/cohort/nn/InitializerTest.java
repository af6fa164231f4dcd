package dev.cohort.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class InitializerTest {

  private static double variance(Tensor t) {
    double mean = t.mean().floatValue();
    double v = 0;
    for (float x : t.floatData()) {
      v += (x - mean) * (x - mean);
    }
    return v / t.size();
  }

  @Test
  void constantsFillEveryElement() {
    Shape s = Shape.of(3, 4);
    assertThat(Initializer.zeros().initialize(s, RandomStream.of(0))).isEqualTo(Tensor.zeros(3, 4));
    assertThat(Initializer.ones().initialize(s, RandomStream.of(0))).isEqualTo(Tensor.ones(3, 4));
    assertThat(Initializer.constant(2.5f).initialize(s, RandomStream.of(0))).isEqualTo(Tensor.full(2.5f, 3, 4));
  }

  @Test
  void uniformStaysInItsRangeWithTheUniformVariance() {
    Tensor t = Initializer.uniform(-0.05f, 0.05f).initialize(Shape.of(200, 200), RandomStream.of(1));
    assertThat(t.min().floatValue()).isGreaterThanOrEqualTo(-0.05f);
    assertThat(t.max().floatValue()).isLessThan(0.05f);
    assertThat(variance(t)).isCloseTo(0.1 * 0.1 / 12, Offset.offset(2e-5));
  }

  @Test
  void glorotNormalHasVarianceTwoOverFanInPlusFanOutForDenseAndConvKernels() {
    Tensor dense = Initializer.glorotNormal().initialize(Shape.of(300, 200), RandomStream.of(2));
    assertThat(variance(dense)).isCloseTo(2.0 / 500, Offset.offset(0.0002));
    // A [5, 5, 32, 64] kernel has fanIn 800 and fanOut 1600 (Keras multiplies both by the receptive field).
    Tensor conv = Initializer.glorotNormal().initialize(Shape.of(5, 5, 32, 64), RandomStream.of(3));
    assertThat(variance(conv)).isCloseTo(2.0 / 2400, Offset.offset(0.00004));
    assertThat(conv.abs().max().floatValue()).isLessThanOrEqualTo((float) (2 * Math.sqrt(2.0 / 2400) / 0.87962566));
  }

  @Test
  void sameStreamGivesSameValues() {
    Shape s = Shape.of(10, 10);
    assertThat(Initializer.heNormal().initialize(s, RandomStream.of(5, 1)))
        .isEqualTo(Initializer.heNormal().initialize(s, RandomStream.of(5, 1)))
        .isNotEqualTo(Initializer.heNormal().initialize(s, RandomStream.of(5, 2)));
  }
}
