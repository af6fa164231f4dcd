package dev.cohort.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The settings accessors, and the one definition of the RDP settings both RDP builders share. */
class SettingsTest {
  @Test
  void bothRdpBuildersStartFromTheSameDefaults() {
    RdpAccountant rdp = RdpAccountant.create();
    IncrementalAccountant inc = IncrementalAccountant.builder().build();
    assertThat(rdp.orders()).isEqualTo(inc.orders()).isEqualTo(RdpSettings.DEFAULTS.orders())
        .isEqualTo(OrderGrid.dpAccounting());
    assertThat(rdp.orders().size()).isEqualTo(156);
    assertThat(rdp.conversion()).isEqualTo(RdpSettings.DEFAULTS.conversion()).isEqualTo(Conversion.IMPROVED);
    assertThat(rdp.fractionalOrders()).isEqualTo(RdpSettings.DEFAULTS.fractionalOrders())
        .isEqualTo(FractionalOrders.EXACT);
    assertThat(rdp.neighboringRelation()).isEqualTo(NeighboringRelation.ADD_OR_REMOVE_ONE);
    assertThat(inc.assumedSampling()).isEqualTo(Sampling.POISSON);
    assertThat(inc.delta()).isEqualTo(1e-5);
  }

  @Test
  void bothBuildersTakeTheSettingsAndRejectNulls() {
    RdpAccountant rdp = RdpAccountant.builder().orders(OrderGrid.tfPrivacy()).conversion(Conversion.CLASSIC)
        .fractionalOrders(FractionalOrders.ABSOLUTE_UPPER_BOUND)
        .neighboringRelation(NeighboringRelation.REPLACE_ONE).build();
    assertThat(rdp.describe()).isEqualTo("rdp (classic conversion, tf-privacy orders, absolute-upper-bound "
        + "fractional orders, replace-one)");
    IncrementalAccountant inc = IncrementalAccountant.builder().orders(OrderGrid.tfPrivacy())
        .conversion(Conversion.CLASSIC).fractionalOrders(FractionalOrders.ABSOLUTE_UPPER_BOUND)
        .assumedSampling(Sampling.FIXED_SIZE).delta(1e-6).build();
    assertThat(inc.orders()).isEqualTo(OrderGrid.tfPrivacy());
    assertThat(inc.assumedSampling()).isEqualTo(Sampling.FIXED_SIZE);
    assertThat(inc.delta()).isEqualTo(1e-6);
    // The same rounds give the same RDP whichever accountant records them.
    inc.recordRounds(1.1, 0.01, Sampling.FIXED_SIZE, 10);
    RdpAccountant same = rdp.compose(DpEvent.sampledWithoutReplacement(1000, 10, DpEvent.gaussian(1.1)), 10);
    assertThat(inc.rdp()).containsExactly(same.rdp());
    assertThatThrownBy(() -> RdpAccountant.builder().orders(null)).hasMessage("orders must not be null");
    assertThatThrownBy(() -> IncrementalAccountant.builder().conversion(null))
        .hasMessage("conversion must not be null");
    assertThatThrownBy(() -> IncrementalAccountant.builder().fractionalOrders(null))
        .hasMessage("fractionalOrders must not be null");
  }

  @Test
  void pldAccountantsReportTheirInterval() {
    assertThat(PldAccountant.create().interval()).isEqualTo(PldAccountant.DEFAULT_INTERVAL).isEqualTo(1e-4);
    assertThat(PldAccountant.withInterval(1e-3).interval()).isEqualTo(1e-3);
  }

  @Test
  void aGuaranteeSaysWhetherItHasWarnings() {
    assertThat(RdpAccountant.create().compose(DpEvent.gaussian(1.0)).epsilon(1e-5).hasWarnings()).isFalse();
    assertThat(PldAccountant.create().compose(DpEvent.poissonSampled(0.01, DpEvent.gaussian(1.0)), 10)
        .epsilon(1e-16).hasWarnings()).isTrue();
  }
}
