package dev.cohort.learning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.values.Struct;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import org.junit.jupiter.api.Test;

class NestTest {
  @Test
  void allFiniteFindsEveryNonFiniteValueAtAnyPositionAndAcceptsEveryFiniteOne() {
    float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.intBitsToFloat(0x7fc0_0001), Float.intBitsToFloat(0xff80_0001)};
    for (int n : new int[] {1, 7, 4095, 4096, 4097, 10_000}) {
      float[] finite = RandomStream.of(n).uniform(Shape.of(n), -1e30f, 1e30f).floatData();
      finite[0] = Float.MAX_VALUE;
      finite[n - 1] = -Float.MAX_VALUE;
      if (n > 2) {
        finite[1] = -0f;
        finite[2] = Float.MIN_VALUE;
      }
      assertThat(Nest.allFinite(Struct.of(Tensor.vector(1f), Tensor.wrap(finite.clone(), Shape.of(n))))).isTrue();
      for (int at : new int[] {0, n / 2, n - 1}) {
        for (float special : specials) {
          float[] bad = finite.clone();
          bad[at] = special;
          assertThat(Nest.allFinite(Struct.of(Tensor.vector(1f), Tensor.wrap(bad, Shape.of(n)))))
              .as("%s at %d of %d", special, at, n).isFalse();
        }
      }
    }
    assertThat(Nest.allFinite(Struct.of(Tensor.ofInts(new int[] {Integer.MAX_VALUE}, 1)))).isTrue();
  }
}
