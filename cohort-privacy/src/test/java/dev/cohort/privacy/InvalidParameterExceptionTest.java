package dev.cohort.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Validation errors carry the parameter, its value and the rule as data, so callers can rename parameters. */
class InvalidParameterExceptionTest {
  @Test
  void aFailedCheckCarriesTheParameterTheValueAndTheRule() {
    InvalidParameterException e = assertThrows(InvalidParameterException.class,
        () -> DpEvent.poissonSampled(1.5, DpEvent.gaussian(1.0)));
    assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessage("samplingRate (1.5) must be in [0, 1]");
    assertThat(e.parameter()).isEqualTo("samplingRate");
    assertThat(e.value()).isEqualTo(1.5);
    assertThat(e.rule()).isEqualTo("must be in [0, 1]");
    assertThat(e.text().parameters()).containsExactly(new ParameterText.Named("samplingRate", 1.5));
    assertThat(e.message(name -> "--" + name)).isEqualTo("--samplingRate (1.5) must be in [0, 1]");
  }

  @Test
  void aRuleThatNamesFurtherParametersListsThemAll() {
    InvalidParameterException e = assertThrows(InvalidParameterException.class,
        () -> Calibration.noiseMultiplier(RdpAccountant.create(), 0.0, 10, 1.0, 1e-5));
    assertThat(e.parameter()).isEqualTo("samplingRate");
    assertThat(e.rule()).isEqualTo("and steps (10) must both be > 0: otherwise no privacy is spent and any noise "
        + "multiplier meets the target");
    assertThat(e.text().parameters()).extracting(ParameterText.Named::parameter)
        .containsExactly("samplingRate", "steps");
    Map<String, String> flags = Map.of("samplingRate", "--sampling-rate", "steps", "--steps");
    assertThat(e.message(flags::get)).startsWith("--sampling-rate (0.0) and --steps (10) must both be > 0");
  }

  @Test
  void warningsNameTheirParametersAsDataToo() {
    PrivacyGuarantee g = PldAccountant.create().compose(DpEvent.poissonSampled(0.01, DpEvent.gaussian(1.0)), 10)
        .epsilon(1e-16);
    ParameterText w = g.warningTexts().get(0);
    assertThat(w.parameters()).containsExactly(new ParameterText.Named("delta", 1e-16));
    assertThat(g.warnings()).containsExactly(w.toString());
    assertThat(w.render(name -> "--" + name)).startsWith("--delta (1.0E-16) is below the truncation floor");
    assertThat(ParameterText.join("; ", List.of(ParameterText.of("a"), w)).toString()).startsWith("a; delta (");
  }
}
