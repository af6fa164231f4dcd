package dev.cohort.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cohort.core.values.FederatedValue;
import dev.cohort.privacy.PldAccountant;
import dev.cohort.privacy.RdpAccountant;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DpHistogramTest {
  static float[] call(DpHistogram h, List<List<int[]>> clients) {
    return ((Tensor) ((FederatedValue) h.computation().call(clients)).value()).floatData();
  }

  @Test
  void withoutNoiseTheCountsAreEachClientsFirstKDistinctRecords() {
    SplittableRandom r = new SplittableRandom(14);
    List<List<int[]>> clients = new ArrayList<>();
    long[] expected = new long[12];
    for (int c = 0; c < 50; c++) {
      List<int[]> batches = new ArrayList<>();
      LinkedHashSet<Integer> firstDistinct = new LinkedHashSet<>();
      for (int b = 0; b < 1 + r.nextInt(3); b++) {
        int[] batch = r.ints(r.nextInt(6), 0, 12).toArray();
        batches.add(batch);
        for (int v : batch) {
          if (firstDistinct.size() < 3) {
            firstDistinct.add(v);
          }
        }
      }
      firstDistinct.forEach(v -> expected[v]++);
      clients.add(batches);
    }
    DpHistogram h = DpHistogram.builder(12).maxBinsPerClient(3).build();
    assertThat(h.computation().typeSignature()).hasToString("({int32[?]*}@CLIENTS -> float32[12]@SERVER)");
    float[] counts = call(h, clients);
    for (int i = 0; i < 12; i++) {
      assertThat(counts[i]).as("bin %d", i).isEqualTo((float) expected[i]);
    }
  }

  @Test
  void noiseHasTheScaleOfItsMechanismAndTheSensitivity() {
    int n = 20_000;
    List<List<int[]>> none = List.of();
    DpHistogram gauss = DpHistogram.builder(n).maxBinsPerClient(4).gaussian(1.5).seed(3).build();
    assertThat(gauss.noiseScale()).isEqualTo(3.0);
    DpHistogram laplace = DpHistogram.builder(n).maxBinsPerClient(4).laplace(0.5).seed(3).build();
    assertThat(laplace.noiseScale()).isEqualTo(2.0);
    for (DpHistogram h : List.of(gauss, laplace)) {
      float[] x = call(h, none);
      double mean = 0;
      double square = 0;
      for (float v : x) {
        mean += v / (double) n;
        square += v * (double) v / n;
      }
      double variance = h.gaussian() ? 9.0 : 2 * 2.0 * 2.0;   // σ², and 2b² for Laplace
      assertThat(mean).isCloseTo(0, within(4 * Math.sqrt(variance / n)));
      assertThat(square - mean * mean).isCloseTo(variance, within(0.05 * variance));
      assertThat(call(h, none)).as("the seed fixes the noise").containsExactly(x);
    }
  }

  @Test
  void theGuaranteeIsThatOfOneReleaseOfTheMechanism() {
    DpHistogram laplace = DpHistogram.builder(5).laplace(2.0).build();
    // Laplace with noise multiplier 2 is (1/2, 0)-DP; a PLD accountant proves about that at any δ.
    assertThat(laplace.guarantee(PldAccountant.create(), 1e-6).epsilon()).isBetween(0.45, 0.5 + 1e-3);
    DpHistogram gauss = DpHistogram.builder(5).gaussian(1.0).build();
    assertThat(gauss.guarantee(RdpAccountant.create(), 1e-5).epsilon())
        .isEqualTo(RdpAccountant.create().compose(dev.cohort.privacy.DpEvent.gaussian(1.0)).epsilon(1e-5).epsilon());
    assertThatThrownBy(() -> DpHistogram.builder(5).build().dpEvent()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not differentially private");
  }

  @Test
  void badParametersAndRecordsAreNamed() {
    assertThatThrownBy(() -> DpHistogram.builder(0).build()).hasMessage("num_bins must be at least 1, got 0");
    assertThatThrownBy(() -> DpHistogram.builder(3).maxBinsPerClient(0).build())
        .hasMessage("max_bins_per_client must be at least 1, got 0");
    assertThatThrownBy(() -> DpHistogram.builder(3).gaussian(-1).build())
        .hasMessage("noise_multiplier must be finite and at least 0, got -1.0");
    assertThatThrownBy(() -> call(DpHistogram.builder(3).build(), List.of(List.of(new int[] {0, 3}))))
        .hasStackTraceContaining("record 1 is 3, outside the domain [0, 3)");
  }
}
