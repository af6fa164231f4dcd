package dev.cohort.aggregators;

import static dev.cohort.aggregators.Rounds.flatResult;
import static dev.cohort.aggregators.Rounds.measurement;
import static dev.cohort.aggregators.Rounds.result;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cohort.core.ContextStack;
import dev.cohort.core.runtime.InProcessContext;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.privacy.DpEvent;
import dev.cohort.privacy.NeighboringRelation;
import dev.cohort.privacy.RdpAccountant;
import dev.cohort.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** DP-FTRL's tree aggregation: TFF's differential_privacy_test.py tree cases (tff.md §7.2, privacy.md §2). */
class TreeAggregationTest {
  private static final long SEED = 1L;
  private static final int DIM = 10_000;

  @ParameterizedTest(name = "T={0} var={1} z={2} efficient={3}")
  @CsvSource({"5, 8.0, 2.0, false", "6, 0.5, 0.5, false", "7, 3.0, 1.0, false", "8, 1.0, 1.0, false",
      "3, 1.6666666666666667, 1.0, true", "4, 0.5714285714285714, 1.0, true"})
  void theCumulativeSumHasTheTreesVariance(int steps, double variance, double z, boolean efficient) {
    // TFF's test_tree_aggregation_factory: zero records, clip 1, one client; the sum of the first T results is the
    // tree estimate of the cumulative noise, of variance popcount(T) sigma^2 (plain) or as Honaker's estimator gives.
    AggregationProcess p = DifferentiallyPrivateFactory.treeAggregation(z, 1, 1.0, steps, efficient, SEED)
        .create(TensorType.of(DType.FLOAT32, DIM));
    Rounds rounds = new Rounds(p);
    double[] cumulative = new double[DIM];
    for (int t = 0; t < steps; t++) {
      double[] r = flatResult(rounds.next(List.of(new float[DIM])));
      for (int i = 0; i < DIM; i++) {
        cumulative[i] += r[i];
      }
    }
    double m = Arrays.stream(cumulative).average().orElseThrow();
    double s = Math.sqrt(Arrays.stream(cumulative).map(v -> (v - m) * (v - m)).sum() / (DIM - 1));
    double stddev = Math.sqrt(variance);
    assertThat(s).isCloseTo(stddev, within(3 * stddev / Math.sqrt(2.0 * (DIM - 1))));
  }

  @Test
  void withoutNoiseTheResultIsTheClippedMean() {
    AggregationProcess p = DifferentiallyPrivateFactory.treeAggregation(0.0, 3, 1.0, 4, true, SEED).create(FLOAT32);
    Rounds rounds = new Rounds(p);
    for (int t = 0; t < 4; t++) {
      assertThat(result(rounds.next(List.of(0.5, 1.5, -2.5)))).isCloseTo((0.5 + 1 - 1) / 3, within(1e-6));
    }
    assertThatThrownBy(() -> rounds.next(List.of(0.5))).isInstanceOf(IllegalStateException.class)
        .hasMessage("DifferentiallyPrivateFactory.treeAggregation: step 5 of tree 0 is beyond the 4 steps"
            + " its state holds (maxRounds); restart the tree or build the factory with a larger maxRounds");
  }

  @Test
  void theAdaptiveClipIsTakenAtRestarts() {
    // TFF's test_tree_adaptive_factory_estimate_clip: no noise, 3 clients, clip 1, restart every round, target 1,
    // rate 1: (0.5 + 1 + 1) / 3, then the clip e^(2/3) (one of three norms below 1): (0.5 + 1.5 + e^(2/3)) / 3.
    AggregationProcess p = DifferentiallyPrivateFactory.treeAdaptive(0.0, 3, 1.0, 0, 1, 1.0, 1.0, 0.0, SEED)
        .create(FLOAT32);
    assertThat(p.measurementsType().toString())
        .isEqualTo("<dp_query_metrics=<current_clip=float32,estimate_clip=float32>,dp=<>>@SERVER");
    Rounds rounds = new Rounds(p);
    List<Double> data = List.of(0.5, 1.5, 2.5);
    assertThat(result(rounds.next(data))).isCloseTo((0.5 + 1 + 1) / 3, within(1e-6));
    assertThat(result(rounds.next(data))).isCloseTo((0.5 + 1.5 + Math.exp(2.0 / 3)) / 3, within(1e-6));
    // Restarting every 3 rounds: the estimate moves each round, the clip stays 1 until the restart after round 3.
    Rounds slow = new Rounds(DifferentiallyPrivateFactory.treeAdaptive(0.0, 3, 1.0, 0, 3, 1.0, 1.0, 0.0, SEED)
        .create(FLOAT32));
    for (int r = 1; r <= 3; r++) {
      Struct out = slow.next(data);
      assertThat(result(out)).isCloseTo((0.5 + 1 + 1) / 3, within(1e-6));
      assertThat(measurement(out, "dp_query_metrics", "estimate_clip")).isCloseTo(Math.exp(2.0 * r / 3),
          within(1e-5));
      assertThat(measurement(out, "dp_query_metrics", "current_clip")).isEqualTo(r < 3 ? 1.0
          : (float) Math.exp(2.0), within(1e-5));
    }
  }

  @Test
  void theLedgerAccountsEachTreeAsTheAccountantDoes() {
    AggregationProcess p = DifferentiallyPrivateFactory.treeAdaptive(1.0, 20, 1.0, 0, 3, 0.5, 0.2, 1.0, SEED)
        .create(FLOAT32);
    Rounds rounds = new Rounds(p);
    PrivacyLedger ledger = PrivacyLedger.unsampled();
    Object state = null;
    for (int r = 0; r < 7; r++) {
      state = rounds.next(List.of(0.3, 2.0, -1.0)).get("state");
      ledger.record(state);
    }
    Object last = state;
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.dpEvent(last)).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("DifferentiallyPrivateFactory.dpEvent: a round of tree aggregation is not an event");
    // z = 1 with sigma_b = 1: z_v = (1 - 1/4)^-1/2, the count tree's multiplier 2; trees of 3, 3 and 1 steps.
    double zv = (float) Math.pow(1 - 0.25, -0.5);
    List<DpEvent> trees = new ArrayList<>();
    for (long steps : new long[] {3, 3, 1}) {
      trees.add(DpEvent.composed(DpEvent.treeAggregation(zv, steps), DpEvent.treeAggregation(2.0, steps)));
    }
    DpEvent expected = DpEvent.composed(trees);
    assertThat(ledger.event()).isEqualTo(expected);
    RdpAccountant accountant = RdpAccountant.builder().neighboringRelation(NeighboringRelation.REPLACE_SPECIAL)
        .build();
    assertThat(ledger.epsilon(accountant, 1e-5).epsilon()).isEqualTo(accountant.compose(expected).epsilon(1e-5)
        .epsilon());

    PrivacyLedger single = PrivacyLedger.unsampled();
    Rounds plain = new Rounds(DifferentiallyPrivateFactory.treeAggregation(1.5, 10, 1.0, 8, true, SEED)
        .create(FLOAT32));
    for (int r = 0; r < 5; r++) {
      single.record(plain.next(List.of(1.0)).get("state"));
    }
    assertThat(single.event()).isEqualTo(DpEvent.treeAggregation(1.5, 5));
    Object treeState = plain.next(List.of(1.0)).get("state");
    assertThatThrownBy(() -> PrivacyLedger.poissonSampled(0.1).record(treeState))
        .hasMessage("PrivacyLedger.record: tree aggregation (DP-FTRL) is not amplified by sampling; account it in"
            + " PrivacyLedger.unsampled()");
  }

  @Test
  @SuppressWarnings("try") // the scope installs the context
  void theSameSeedGivesTheSameNoiseAtAnyThreadCount() {
    List<float[]> clients = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      clients.add(new float[] {i * 0.1f, 1f, -0.5f});
    }
    List<double[]> runs = new ArrayList<>();
    for (int threads : new int[] {1, 4}) {
      try (InProcessContext context = InProcessContext.builder().threads(threads).build();
           ContextStack.Scope scope = ContextStack.install(context)) {
        Rounds rounds = new Rounds(DifferentiallyPrivateFactory.treeAdaptive(1.0, 20, SEED)
            .create(TensorType.of(DType.FLOAT32, 3)));
        for (int r = 0; r < 4; r++) {
          runs.add(flatResult(rounds.next(clients)));
        }
      }
    }
    for (int r = 0; r < 4; r++) {
      assertThat(runs.get(r + 4)).containsExactly(runs.get(r));
    }
  }

  @Test
  void badParametersAreRejectedWhenBuilt() {
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.treeAggregation(-1.0, 10, 1.0, 8, true, SEED))
        .hasMessage("DifferentiallyPrivateFactory.treeAggregation: noiseMultiplier (-1.0) must be a finite float32"
            + " >= 0");
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.treeAggregation(1.0, 10, 1.0, 0, true, SEED))
        .hasMessage("DifferentiallyPrivateFactory.treeAggregation: maxRounds (0) must be >= 1");
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.treeAggregation(1.0, 10, Double.NaN, 8, true, SEED))
        .hasMessage("DifferentiallyPrivateFactory.treeAggregation: l2NormClip (NaN) must be a finite float32 > 0");
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.treeAdaptive(1.0, 100, 0.1, 5, 5, 0.5, 0.2, 5.0, SEED))
        .hasMessage("DifferentiallyPrivateFactory.treeAdaptive: restartWarmup (5) must be 0 (none) or in [1, 4]"
            + " (restartFrequency - 1)");
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.treeAdaptive(1.0, 100, 0.1, 0, 0, 0.5, 0.2, 5.0, SEED))
        .hasMessage("DifferentiallyPrivateFactory.treeAdaptive: restartFrequency (0) must be >= 1");
  }
}
