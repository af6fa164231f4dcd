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
import dev.cohort.privacy.PrivacyGuarantee;
import dev.cohort.privacy.RdpAccountant;
import dev.cohort.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code gaussian_adaptive} (TFF's differential_privacy_test.py and TF-Privacy's quantile_adaptive_clip_sum_query,
 * tff.md §7.2, privacy.md §2) and the privacy a run reports through a {@link PrivacyLedger}.
 */
class AdaptiveDpTest {
  private static final long SEED = 20260512L;

  @Test
  void theNoiseSplitIsTffs() {
    // privacy.md §2: adaptive_clip_noise_params(2.0, 100) -> sigma_b 5.0, z_v 2.0412414523; the tutorial settings.
    assertNoise(DifferentiallyPrivateFactory.adaptiveClipNoiseParams(2.0, 100), 5.0, 2.0412414523);
    assertNoise(DifferentiallyPrivateFactory.adaptiveClipNoiseParams(1.0, 100), 5.0, 1.0050378153);
    assertNoise(DifferentiallyPrivateFactory.adaptiveClipNoiseParams(1.2, 120), 6.0, 1.2060453783);
    assertNoise(DifferentiallyPrivateFactory.adaptiveClipNoiseParams(0.5, 50), 2.5, 0.5025189076);
    assertNoise(DifferentiallyPrivateFactory.adaptiveClipNoiseParams(0.0, 50), 0.0, 0.0);
    // The composed event has exactly the total multiplier: 1/z^2 = 1/z_v^2 + 1/(2 sigma_b)^2.
    DifferentiallyPrivateFactory.AdaptiveNoise n = DifferentiallyPrivateFactory.adaptiveClipNoiseParams(1.2, 120);
    assertThat(1 / Math.pow(n.valueNoiseMultiplier(), 2) + 1 / Math.pow(2 * n.clippedCountStddev(), 2))
        .isCloseTo(1 / (1.2 * 1.2), within(1e-12));
    assertThat(n.event()).isEqualTo(DpEvent.composed(DpEvent.gaussian(n.valueNoiseMultiplier()),
        DpEvent.gaussian(12.0)));
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.adaptiveClipNoiseParams(1.0, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("DifferentiallyPrivateFactory.adaptiveClipNoiseParams: clippedCountStddev (0.5) is too low for"
            + " the total noiseMultiplier (1.0): it must be > noiseMultiplier / 2 (the default is clientsPerRound /"
            + " 20); increase it or lower noiseMultiplier");
  }

  private static void assertNoise(DifferentiallyPrivateFactory.AdaptiveNoise n, double sigmaB, double zv) {
    assertThat(n.clippedCountStddev()).isCloseTo(sigmaB, within(1e-12));
    assertThat(n.valueNoiseMultiplier()).isCloseTo(zv, within(1e-9));
  }

  @Test
  void theClipMovesGeometricallyTowardsTheTargetAndIsUsedFromTheNextRound() {
    // TFF's test_tree_adaptive_factory_estimate_clip numbers without the tree (no noise): clip 1, target 1, rate 1.
    AggregationProcess p = DifferentiallyPrivateFactory.gaussianAdaptive(0.0, 3, 1.0, 1.0, 1.0, 0.0, SEED)
        .create(FLOAT32);
    assertThat(p.measurementsType().toString()).isEqualTo("<dp_query_metrics=<clip=float32>,dp=<>>@SERVER");
    Rounds rounds = new Rounds(p);
    Struct first = rounds.next(List.of(0.5, 1.5, 2.5));
    assertThat(result(first)).isCloseTo((0.5 + 1 + 1) / 3, within(1e-6));
    // One of three norms is <= 1: b = 1/3, C = exp(-(1/3 - 1)) = e^(2/3).
    double clip = Math.exp(2.0 / 3);
    assertThat(measurement(first, "dp_query_metrics", "clip")).isCloseTo(clip, within(1e-6));
    assertThat(result(rounds.next(List.of(0.5, 1.5, 2.5)))).isCloseTo((0.5 + 1.5 + clip) / 3, within(1e-6));
  }

  @Test
  void theClipConvergesToTheTargetQuantile() {
    // 21 clients with norms 0, 0.5, ..., 10 and target 0.5: at C in [4.5, 5) 10 of 21 are below, at C in [5, 5.5)
    // 11 are, so the clip settles at the median 5 within one step of exp(0.2 / 42).
    AggregationProcess p = DifferentiallyPrivateFactory.gaussianAdaptive(0.0, 21, 0.1, 0.5, 0.2, 0.0, SEED)
        .create(FLOAT32);
    List<Double> norms = new ArrayList<>();
    for (int i = 0; i <= 20; i++) {
      norms.add(i * 0.5);
    }
    Rounds rounds = new Rounds(p);
    double clip = 0;
    for (int r = 0; r < 200; r++) {
      clip = measurement(rounds.next(norms), "dp_query_metrics", "clip");
    }
    assertThat(clip).isCloseTo(5.0, within(5.0 * (Math.exp(0.2 / 42) - 1) + 1e-6));
  }

  @Test
  void theValueNoiseHasStandardDeviationValueMultiplierTimesClipOverClients() {
    // Learning rate 0 keeps the clip at 1; z = 1 over 100 clients gives z_v = 1.0050378 on the sum.
    double zv = Math.pow(1.0 - Math.pow(2 * 5.0, -2), -0.5);
    AggregationProcess p = DifferentiallyPrivateFactory.gaussianAdaptive(1.0, 100, 1.0, 0.5, 0.0, 5.0, SEED)
        .create(TensorType.of(DType.FLOAT32, 10_000));
    double[] x = flatResult(new Rounds(p).next(List.of(new float[10_000])));
    double stddev = zv / 100;
    double m = Arrays.stream(x).average().orElseThrow();
    double s = Math.sqrt(Arrays.stream(x).map(v -> (v - m) * (v - m)).sum() / (x.length - 1));
    assertThat(m).isCloseTo(0.0, within(3 * stddev / Math.sqrt(x.length)));
    assertThat(s).isCloseTo(stddev, within(3 * stddev / Math.sqrt(2.0 * (x.length - 1))));
  }

  /**
   * The clipped count's noise has standard deviation {@code sigma_b}: over rounds without clients (the count is 0), the
   * fraction below is {@code noise / n + 1/2} and the clip moves by {@code exp(-lr (below - target))}, so each pair of
   * consecutive clips gives back one draw of the noise; 500 draws, mean and standard deviation within 3 standard
   * errors.
   */
  @Test
  void theClippedCountNoiseHasStandardDeviationSigmaB() {
    double n = 1000;
    double sigmaB = 50;
    double lr = 0.1;
    Rounds rounds = new Rounds(DifferentiallyPrivateFactory.gaussianAdaptive(1.0, (int) n, 1.0, 0.5, lr, sigmaB, SEED)
        .create(FLOAT32));
    double[] noise = new double[500];
    double clip = 1.0;
    for (int r = 0; r < noise.length; r++) {
      double next = measurement(rounds.next(List.of()), "dp_query_metrics", "clip");
      double below = 0.5 - Math.log(next / clip) / lr;
      noise[r] = (below - 0.5) * n;
      clip = next;
    }
    double m = Arrays.stream(noise).average().orElseThrow();
    double s = Math.sqrt(Arrays.stream(noise).map(v -> (v - m) * (v - m)).sum() / (noise.length - 1));
    assertThat(m).isCloseTo(0.0, within(3 * sigmaB / Math.sqrt(noise.length)));
    assertThat(s).isCloseTo(sigmaB, within(3 * sigmaB / Math.sqrt(2.0 * (noise.length - 1))));
  }

  @Test
  @SuppressWarnings("try") // the scope installs the context
  void theSameSeedGivesTheSameNoiseAndClipsAtAnyThreadCount() {
    List<float[]> clients = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      clients.add(new float[] {i * 0.1f, -i * 0.05f});
    }
    List<double[]> runs = new ArrayList<>();
    for (int threads : new int[] {1, 3}) {
      try (InProcessContext context = InProcessContext.builder().threads(threads).build();
           ContextStack.Scope scope = ContextStack.install(context)) {
        Rounds rounds = new Rounds(DifferentiallyPrivateFactory.gaussianAdaptive(1.0, 30, SEED)
            .create(TensorType.of(DType.FLOAT32, 2)));
        for (int r = 0; r < 3; r++) {
          Struct out = rounds.next(clients);
          double[] result = flatResult(out);
          runs.add(new double[] {result[0], result[1], measurement(out, "dp_query_metrics", "clip")});
        }
      }
    }
    for (int r = 0; r < 3; r++) {
      assertThat(runs.get(r + 3)).containsExactly(runs.get(r));
    }
    assertThat(runs.get(1)[2]).as("the clip adapts").isNotEqualTo(runs.get(0)[2]);
  }

  @Test
  void theEpsilonTheRunReportsIsTheAccountantsForTheSameEvents() {
    double q = 120.0 / 3383;
    AggregationProcess p = DifferentiallyPrivateFactory.gaussianAdaptive(1.2, 120, SEED).create(FLOAT32);
    Rounds rounds = new Rounds(p);
    PrivacyLedger ledger = PrivacyLedger.poissonSampled(q);
    // The events: z_v and 2 sigma_b = 12 as float32 (the state's float32 multipliers), computed here from the
    // formula of privacy.md §2.
    double zv = (float) Math.pow(Math.pow(1.2, -2) - Math.pow(12.0, -2), -0.5);
    DpEvent round = DpEvent.poissonSampled(q, DpEvent.composed(DpEvent.gaussian(zv), DpEvent.gaussian(12.0)));
    for (int r = 1; r <= 3; r++) {
      Struct out = rounds.next(List.of(0.3, 0.05, 2.0));
      ledger.record(out.get("state"));
      assertThat(DifferentiallyPrivateFactory.dpEvent(out.get("state")))
          .isEqualTo(DpEvent.composed(DpEvent.gaussian(zv), DpEvent.gaussian(12.0)));
      PrivacyGuarantee reported = ledger.epsilon(RdpAccountant.create(), 1e-5);
      PrivacyGuarantee accountant = RdpAccountant.create().compose(round, r).epsilon(1e-5);
      assertThat(reported.epsilon()).isEqualTo(accountant.epsilon());
      assertThat(reported.epsilon()).isPositive();
    }
    assertThat(ledger.rounds()).isEqualTo(3);
    assertThat(ledger.event()).isEqualTo(DpEvent.selfComposed(round, 3));

    // Fixed clipping, every client every round: the ledger's epsilon after 5 rounds is that of 5 Gaussians.
    Rounds fixed = new Rounds(DifferentiallyPrivateFactory.gaussianFixed(2.0, 10, 0.5, SEED).create(FLOAT32));
    PrivacyLedger all = PrivacyLedger.unsampled();
    for (int r = 0; r < 5; r++) {
      all.record(fixed.next(List.of(1.0, 2.0)).get("state"));
    }
    assertThat(all.epsilon(RdpAccountant.create(), 1e-6).epsilon())
        .isEqualTo(RdpAccountant.create().compose(DpEvent.gaussian((float) (0.5 * 2.0) / 0.5f), 5)
            .epsilon(1e-6).epsilon());
  }

  @Test
  void badParametersAreRejectedWhenBuilt() {
    String who = "DifferentiallyPrivateFactory.gaussianAdaptive: ";
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.gaussianAdaptive(-1.0, 10, SEED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(who + "noiseMultiplier (-1.0) must be a finite float32 >= 0");
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.gaussianAdaptive(1.0, 0, SEED))
        .hasMessage(who + "clientsPerRound (0) must be >= 1");
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.gaussianAdaptive(1.0, 100, 0.0, 0.5, 0.2, 5.0, SEED))
        .hasMessage(who + "initialClip (0.0) must be a finite float32 > 0");
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.gaussianAdaptive(1.0, 100, 0.1, 1.5, 0.2, 5.0, SEED))
        .hasMessage(who + "targetUnclippedQuantile (1.5) must be in [0, 1]");
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.gaussianAdaptive(1.0, 100, 0.1, 0.5, Double.NaN, 5.0,
        SEED)).hasMessage(who + "learningRate (NaN) must be a finite float32 >= 0");
    assertThatThrownBy(() -> DifferentiallyPrivateFactory.gaussianAdaptive(1.0, 10, SEED))
        .hasMessageStartingWith("DifferentiallyPrivateFactory.adaptiveClipNoiseParams: clippedCountStddev (0.5) is"
            + " too low");
    assertThatThrownBy(() -> PrivacyLedger.poissonSampled(0.0))
        .hasMessage("PrivacyLedger.poissonSampled: samplingRate (0.0) must be in (0, 1]");
  }
}
