package dev.cohort.aggregators;

import static dev.cohort.aggregators.Rounds.flatResult;
import static dev.cohort.aggregators.Rounds.result;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cohort.core.ContextStack;
import dev.cohort.core.runtime.InProcessContext;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.privacy.DpEvent;
import dev.cohort.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TFF's aggregators/differential_privacy_test.py cases for {@code gaussian_fixed} (tff.md §7.2, privacy.md §2). */
class DifferentiallyPrivateFactoryTest {
  private static final long SEED = 20260511L;

  @Test
  void withoutNoiseTheClippedValuesAreSummed() {
    AggregationProcess p = DifferentiallyPrivateFactory.gaussianFixed(0.0, 1, 1.0, SEED).create(FLOAT32);
    assertThat(p.stateType().toString()).isEqualTo("<query_state=<l2_norm_clip=float32,stddev=float32,"
        + "denominator=float32,noise_seed=int64,round=int64>,agg_state=<>,dp_event=<noise_multiplier=float32>,"
        + "is_init_state=bool>@SERVER");
    assertThat(p.measurementsType().toString()).isEqualTo("<dp_query_metrics=<>,dp=<>>@SERVER");
    assertThat(result(new Rounds(p).next(List.of(0.5, 1.0, 1.5)))).isEqualTo(2.5);
    AggregationProcess vectors = DifferentiallyPrivateFactory.gaussianFixed(0.0, 1, 1.0, SEED)
        .create(TensorType.of(DType.FLOAT32, 2));
    Struct out = new Rounds(vectors).next(List.of(new float[] {0.1f, 0.2f}, new float[] {5f / 13, 12f / 13},
        new float[] {3f, 4f}));
    assertThat(flatResult(out)).containsExactly(new double[] {0.1 + 5 / 13.0 + 3 / 5.0, 0.2 + 12 / 13.0 + 4 / 5.0},
        within(1e-6));
  }

  @Test
  void theNoiseOnTheMeanHasStandardDeviationClipTimesMultiplierOverClients() {
    // TFF's test_noise: one client value 0.36788, clip 1, noise multiplier 3.14159, 500 rounds.
    double z = 3.14159;
    Rounds rounds = new Rounds(DifferentiallyPrivateFactory.gaussianFixed(z, 1, 1.0, SEED).create(FLOAT32));
    double[] results = new double[500];
    for (int i = 0; i < results.length; i++) {
      results[i] = result(rounds.next(List.of(0.36788)));
    }
    checkNormal(results, 0.36788, z);
    // 10,000 coordinates of one round, clip 1, z = 2, 4 expected clients: standard deviation 2 / 4 on the mean.
    AggregationProcess wide = DifferentiallyPrivateFactory.gaussianFixed(2.0, 4, 1.0, SEED)
        .create(TensorType.of(DType.FLOAT32, 10_000));
    checkNormal(flatResult(new Rounds(wide).next(List.of(new float[10_000]))), 0.0, 0.5);
  }

  /** The sample mean and standard deviation lie within 3 standard errors of {@code mean} and {@code stddev}. */
  private static void checkNormal(double[] x, double mean, double stddev) {
    int n = x.length;
    double m = Arrays.stream(x).average().orElseThrow();
    double s = Math.sqrt(Arrays.stream(x).map(v -> (v - m) * (v - m)).sum() / (n - 1));
    assertThat(m).isCloseTo(mean, within(3 * stddev / Math.sqrt(n)));
    assertThat(s).isCloseTo(stddev, within(3 * stddev / Math.sqrt(2.0 * (n - 1))));
  }

  @Test
  @SuppressWarnings("try") // the scope installs the context
  void theSameSeedGivesTheSameNoiseAtAnyThreadCount() {
    List<float[]> clients = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      clients.add(new float[] {i * 0.1f, -i * 0.05f, 1f});
    }
    TensorType vector = TensorType.of(DType.FLOAT32, 3);
    List<double[]> runs = new ArrayList<>();
    for (int threads : new int[] {1, 4}) {
      try (InProcessContext context = InProcessContext.builder().threads(threads).build();
           ContextStack.Scope scope = ContextStack.install(context)) {
        Rounds rounds = new Rounds(DifferentiallyPrivateFactory.gaussianFixed(1.0, 40, 1.0, SEED).create(vector));
        runs.add(flatResult(rounds.next(clients)));
        runs.add(flatResult(rounds.next(clients)));
      }
    }
    assertThat(runs.get(2)).containsExactly(runs.get(0));
    assertThat(runs.get(3)).containsExactly(runs.get(1));
    assertThat(runs.get(1)).as("the second round draws new noise").isNotEqualTo(runs.get(0));
    Rounds otherSeed = new Rounds(DifferentiallyPrivateFactory.gaussianFixed(1.0, 40, 1.0, SEED + 1).create(vector));
    assertThat(flatResult(otherSeed.next(clients))).isNotEqualTo(runs.get(0));
  }

  @Test
  void eachRoundRecordsItsDpEvent() {
    AggregationProcess p = DifferentiallyPrivateFactory.gaussianFixed(1.2, 10, 0.5, SEED).create(FLOAT32);
    Rounds rounds = new Rounds(p);
    Object initial = p.initialize().call();
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.dpEvent(initial))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("DifferentiallyPrivateFactory.dpEvent: this is the initial state; no round has run, so it records"
            + " no DP event");
    Struct out = rounds.next(List.of(1.0, 2.0));
    // The noise added has standard deviation float32(0.5 * 1.2); the event is that over the float32 clip.
    assertThat(DifferentiallyPrivateFactory.dpEvent(out.get("state")))
        .isEqualTo(DpEvent.gaussian((float) (0.5 * 1.2) / 0.5f));
    Struct noNoise = new Rounds(DifferentiallyPrivateFactory.gaussianFixed(0.0, 1, 1.0, SEED).create(FLOAT32))
        .next(List.of(1.0));
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.dpEvent(noNoise.get("state")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("DifferentiallyPrivateFactory.dpEvent: the noise multiplier is 0, so the round is not"
            + " differentially private");
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.dpEvent(Struct.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("DifferentiallyPrivateFactory.dpEvent: expected the state of a differentially"
            + " private process");
  }

  @Test
  void badParametersAreRejectedWhenBuilt() {
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.gaussianFixed(-0.5, 10, 1.0, SEED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("DifferentiallyPrivateFactory.gaussianFixed: noiseMultiplier (-0.5) must be a finite float32"
            + " >= 0");
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.gaussianFixed(Double.NaN, 10, 1.0, SEED))
        .hasMessage("DifferentiallyPrivateFactory.gaussianFixed: noiseMultiplier (NaN) must be a finite float32"
            + " >= 0");
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.gaussianFixed(1.0, 0, 1.0, SEED))
        .hasMessage("DifferentiallyPrivateFactory.gaussianFixed: clientsPerRound (0) must be >= 1");
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.gaussianFixed(1.0, 10, 0.0, SEED))
        .hasMessage("DifferentiallyPrivateFactory.gaussianFixed: clip (0.0) must be a finite float32 > 0");
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.gaussianFixed(1.0, 10, 1.0, SEED)
        .create(StructType.of(FLOAT32, INT32)))
        .hasMessage("DifferentiallyPrivateFactory.gaussianFixed: the value type must be a float32 tensor type or a"
            + " struct of float32 tensor types with fully known shapes, found <float32,int32>");
  }
}
