package dev.cohort.aggregators;

import static dev.cohort.aggregators.Rounds.measurement;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.cohort.core.types.StructType;
import dev.cohort.core.values.Struct;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TFF's debug measurements, checked against the statistics computed directly. */
class DebugMeasurementsTest {
  private static final StructType PAIR = StructType.of(FLOAT32, FLOAT32);

  @Test
  void weightedStatisticsOfTheClientNormsAndTheUpdate() {
    AggregationProcess p = DebugMeasurements.add(new MeanFactory()).create(PAIR, FLOAT32);
    assertThat(p.measurementsType().toString()).isEqualTo("<mean_value=<>,mean_weight=<>,average_client_norm=float32,"
        + "std_dev_client_norm=float32,server_update_max=float32,server_update_norm=float32,"
        + "server_update_min=float32>@SERVER");
    // norms 5, 13, 1 with weights 1, 2, 1
    Struct out = new Rounds(p).next(List.of(List.of(3.0, 4.0), List.of(5.0, -12.0), List.of(0.0, 1.0)),
        List.of(1.0, 2.0, 1.0));
    double a = 4;
    double b = 6;
    double mean = (5 + 26 + 1) / a;
    double meanSquared = (25 + 2 * 169 + 1) / a;
    assertThat(measurement(out, "average_client_norm")).isCloseTo(mean, within(1e-5));
    assertThat(measurement(out, "std_dev_client_norm"))
        .isCloseTo(Math.sqrt(a * a / (a * a - b) * (meanSquared - mean * mean)), within(1e-4));
    double x = (3 + 10 + 0) / a;
    double y = (4 - 24 + 1) / a;
    assertThat(measurement(out, "server_update_max")).isCloseTo(x, within(1e-6));
    assertThat(measurement(out, "server_update_min")).isCloseTo(y, within(1e-6));
    assertThat(measurement(out, "server_update_norm")).isCloseTo(Math.hypot(x, y), within(1e-5));
  }

  @Test
  void unweightedClientsWeighOneAndTheStdDevIsBesselCorrected() {
    Struct out = new Rounds(DebugMeasurements.add(new SumFactory()).create(FLOAT32)).next(List.of(1.0, 2.0, 6.0));
    assertThat(measurement(out, "average_client_norm")).isCloseTo(3.0, within(1e-6));
    double sample = Math.sqrt(((1 - 3) * (1 - 3) + (2 - 3) * (2 - 3) + (6 - 3) * (6 - 3)) / 2.0);
    assertThat(measurement(out, "std_dev_client_norm")).isCloseTo(sample, within(1e-5));
    assertThat(measurement(out, "server_update_norm")).isCloseTo(9.0, within(1e-6));
  }

  @Test
  void theRobustBuilderPutsThemOnTheMean() {
    assertThat(Recommended.robust(true, true, true).create(PAIR, FLOAT32).measurementsType().toString())
        .startsWith("<zeroing=<clipping=<mean_value=<>,mean_weight=<>,average_client_norm=float32,");
  }
}
