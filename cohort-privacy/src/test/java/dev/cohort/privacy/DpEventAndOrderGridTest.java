package dev.cohort.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DpEventAndOrderGridTest {

  @Test
  void eventsAreValuesWithStructuralEquality() {
    DpEvent a = DpEvent.selfComposed(DpEvent.poissonSampled(0.01, DpEvent.gaussian(1.1)), 100);
    DpEvent b = new DpEvent.SelfComposed(new DpEvent.PoissonSampled(0.01, new DpEvent.Gaussian(1.1)), 100);
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(DpEvent.composed(List.of(DpEvent.laplace(2)))).isEqualTo(DpEvent.composed(DpEvent.laplace(2)));
    assertThat(DpEvent.restartedTreeAggregation(1.0, 4, 8))
        .isEqualTo(DpEvent.composed(DpEvent.treeAggregation(1.0, 4), DpEvent.treeAggregation(1.0, 8)));
    assertThat(((DpEvent.SampledWithoutReplacement) DpEvent.sampledWithoutReplacement(3383, 120,
        DpEvent.gaussian(1))).samplingRate()).isEqualTo(120.0 / 3383);
  }

  @Test
  void invalidEventsNameTheParameterTheValueAndTheRule() {
    assertThatThrownBy(() -> DpEvent.gaussian(0)).hasMessage("noiseMultiplier (0.0) must be a finite number > 0");
    assertThatThrownBy(() -> DpEvent.gaussian(-1.5)).hasMessage("noiseMultiplier (-1.5) must be a finite number > 0");
    assertThatThrownBy(() -> DpEvent.laplace(Double.NaN))
        .hasMessage("noiseMultiplier (NaN) must be a finite number > 0");
    assertThatThrownBy(() -> DpEvent.poissonSampled(1.01, DpEvent.gaussian(1)))
        .hasMessage("samplingRate (1.01) must be in [0, 1]");
    assertThatThrownBy(() -> DpEvent.poissonSampled(-0.2, DpEvent.gaussian(1)))
        .hasMessage("samplingRate (-0.2) must be in [0, 1]");
    assertThatThrownBy(() -> DpEvent.selfComposed(DpEvent.gaussian(1), -1)).hasMessage("count (-1) must be >= 0");
    assertThatThrownBy(() -> DpEvent.sampledWithoutReplacement(10, 11, DpEvent.gaussian(1)))
        .hasMessage("sampleSize (11) must be in [0, sourceDatasetSize (10)]");
    assertThatThrownBy(() -> DpEvent.treeAggregation(1.0)).hasMessage("stepCounts ([]) must not be empty");
    assertThatThrownBy(() -> DpEvent.treeAggregation(1.0, 3, -1)).hasMessage("stepCounts[1] (-1) must be >= 0");
    assertThatThrownBy(() -> new DpEvent.TreeAggregation(1.0, java.util.Arrays.asList(3L, 4L, null)))
        .hasMessage("stepCounts[2] must not be null");
    assertThatThrownBy(() -> DpEvent.composed(java.util.Arrays.asList(DpEvent.gaussian(1), null)))
        .hasMessage("events[1] must not be null");
    assertThatThrownBy(() -> DpEvent.poissonSampled(0.1, null)).hasMessage("event must not be null");
  }

  @Test
  void namedGridsAreThoseOfDpAccountingTfPrivacyAndOpacus() {
    // dp_accounting DEFAULT_RDP_ORDERS: 1 + x/10 for x in 1..99, 11..63, 128, 256, 512, 1024.
    OrderGrid dp = OrderGrid.dpAccounting();
    assertThat(dp.size()).isEqualTo(156);
    assertThat(dp.order(0)).isEqualTo(1 + 1 / 10.0);
    assertThat(dp.order(98)).isEqualTo(1 + 99 / 10.0);
    assertThat(dp.orders()).contains(11.0, 63.0, 128.0, 1024.0).doesNotContain(64.0);
    // TF-Privacy compute_dp_sgd_privacy: 1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5, 5..63, 128, 256, 512.
    OrderGrid tfp = OrderGrid.tfPrivacy();
    assertThat(tfp.size()).isEqualTo(72);
    assertThat(tfp.orders()).startsWith(1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0)
        .endsWith(63.0, 128.0, 256.0, 512.0);
    // Opacus RDPAccountant.DEFAULT_ALPHAS: 1.1..10.9 and 12..63 (11 missing).
    OrderGrid opacus = OrderGrid.opacus();
    assertThat(opacus.size()).isEqualTo(151);
    assertThat(opacus.orders()).doesNotContain(11.0).contains(10.9, 12.0, 63.0);
    assertThat(OrderGrid.named("tf-privacy")).isEqualTo(tfp);
    assertThat(OrderGrid.names()).containsExactly("dp-accounting", "tf-privacy", "opacus");
    for (String name : OrderGrid.names()) {
      assertThat(OrderGrid.named(name).name()).isEqualTo(name);
    }
    assertThatThrownBy(() -> OrderGrid.named("dense"))
        .hasMessage("order grid (dense) must be one of dp-accounting, tf-privacy, opacus");
  }

  @Test
  void customGridsAreSortedAndDeduplicated() {
    OrderGrid g = OrderGrid.of(8, 2, 8, 1.5);
    assertThat(g.orders()).containsExactly(1.5, 2.0, 8.0);
    assertThat(g.name()).isEqualTo("custom");
    assertThatThrownBy(() -> OrderGrid.of(2, Double.POSITIVE_INFINITY))
        .hasMessage("order (Infinity) must be a finite number > 1");
  }
}
