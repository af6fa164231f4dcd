package dev.cohort.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TuningRecommendedAggregatorsTest {
  @Test
  void everyRecipeEqualsItsRecommendedBuilder() {
    List<String> lines = CustomFederatedAlgorithms1Test.outputLines(new TuningRecommendedAggregators());
    assertThat(lines).hasSize(12);
    // the median estimator's next takes each client's value at CLIENTS and returns its state
    assertThat(lines.get(0)).startsWith("(<state=<<current_estimate=float32,").contains("value={float32}@CLIENTS>");
    assertThat(lines.stream().filter(l -> l.startsWith("same type signature")).toList())
        .hasSize(5).allMatch(l -> l.equals("same type signature and results as the builder: True"));
    // the recipes' signatures: weighted means with zeroing or clipping state, the DP state, the secure bounds
    assertThat(lines.get(1)).startsWith("(<state=<zeroing_norm=").contains("weight={float32}@CLIENTS");
    assertThat(lines.get(3)).startsWith("(<state=<clipping_norm=");
    assertThat(lines.get(5)).contains("dp_query_metrics");
    assertThat(lines.get(9)).contains("secure_upper_threshold=float32");
    assertThat(lines.get(11)).isEqualTo("<zeroing=<clipping=<mean_value=<>,mean_weight=<>>,clipping_norm=float32,"
        + "clipped_count=int32>,zeroing_norm=float32,zeroed_count=int32>@SERVER");
  }
}
