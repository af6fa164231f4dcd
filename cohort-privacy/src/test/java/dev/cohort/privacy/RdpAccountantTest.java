package dev.cohort.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Published vectors and closed forms for the RDP accountant. Sources are named next to each expected value:
 * tensorflow/privacy compute_dp_sgd_privacy_test.py (TFP), google/differential-privacy
 * python/dp_accounting/dp_accounting/rdp/rdp_privacy_accountant_test.py (dp_accounting) and the deprecated
 * tensorflow/privacy rdp_accountant_test.py (last present in tensorflow/privacy at the parent of bb1b7a6).
 */
class RdpAccountantTest {

  private static RdpAccountant accountant(OrderGrid grid, FractionalOrders mode) {
    return RdpAccountant.builder().orders(grid).fractionalOrders(mode).build();
  }

  private static DpEvent sgm(double q, double sigma) {
    return DpEvent.poissonSampled(q, DpEvent.gaussian(sigma));
  }

  private static void assertRelative(double actual, double expected, double rel) {
    assertThat(actual).isCloseTo(expected, within(rel * Math.abs(expected)));
  }

  @Test
  void tfPrivacyDpSgdVectorsMatchToOnePartInAMillion() {
    // TFP test_compute_dp_sgd_privacy Test0: n=60000, batch 150, σ=1.3, 15 epochs → T=6000, δ=1e-5,
    // ε = 0.7242234026109595 at order 19 (TF-Privacy grid, improved conversion).
    PrivacyGuarantee g0 = RdpAccountant.builder().orders(OrderGrid.tfPrivacy()).build()
        .compose(sgm(150.0 / 60000, 1.3), 6000).epsilon(1e-5);
    assertRelative(g0.epsilon(), 0.7242234026109595, 1e-6);
    assertThat(g0.optimalOrder()).hasValue(19.0);
    assertThat(g0.warnings()).isEmpty();
    // TFP Test1: n=100000, batch 100, σ=1.0, 30 epochs → T=30000, δ=1e-7, ε = 1.4154988495444842 at order 13.
    PrivacyGuarantee g1 = RdpAccountant.builder().orders(OrderGrid.tfPrivacy()).build()
        .compose(sgm(100.0 / 100000, 1.0), 30000).epsilon(1e-7);
    assertRelative(g1.epsilon(), 1.4154988495444842, 1e-6);
    assertThat(g1.optimalOrder()).hasValue(13.0);
  }

  @Test
  void fractionalOrderModesReproduceTheValuesBeforeAndAfterDpAccountingSwitchedToAbsoluteValues() {
    // TFP Test2: n=1e8, batch 1024, σ=0.1, 10 epochs → T=⌈10·1e8/1024⌉=976563, δ=1e-7, optimum at order 1.25.
    // Before tensorflow/privacy commit 8b3d8e1 (signed series): 5907982.31138195; after: 5907982.3113984.
    long steps = (long) Math.ceil(10 * 1e8 / 1024);
    PrivacyGuarantee exact = accountant(OrderGrid.tfPrivacy(), FractionalOrders.EXACT)
        .compose(sgm(1024 / 1e8, 0.1), steps).epsilon(1e-7);
    PrivacyGuarantee bound = accountant(OrderGrid.tfPrivacy(), FractionalOrders.ABSOLUTE_UPPER_BOUND)
        .compose(sgm(1024 / 1e8, 0.1), steps).epsilon(1e-7);
    assertRelative(exact.epsilon(), 5907982.31138195, 1e-12);
    assertRelative(bound.epsilon(), 5907982.3113984, 1e-12);
    assertThat(exact.optimalOrder()).hasValue(1.25);

    // TFP test_compute_dp_sgd_example_privacy: 1.2 epochs at q=0.01 → T=120, σ=0.7 (0.35 with microbatching),
    // δ=1e-5, dp_accounting grid. Signed (before 8b3d8e1): 3.2391922 and 22.5970358; absolute (current):
    // 3.2392676 and 22.6248601.
    assertRelative(accountant(OrderGrid.dpAccounting(), FractionalOrders.EXACT).compose(sgm(0.01, 0.7), 120)
        .epsilon(1e-5).epsilon(), 3.2391922, 1e-7);
    assertRelative(accountant(OrderGrid.dpAccounting(), FractionalOrders.EXACT).compose(sgm(0.01, 0.35), 120)
        .epsilon(1e-5).epsilon(), 22.5970358, 1e-7);
    assertRelative(accountant(OrderGrid.dpAccounting(), FractionalOrders.ABSOLUTE_UPPER_BOUND)
        .compose(sgm(0.01, 0.7), 120).epsilon(1e-5).epsilon(), 3.2392676, 1e-7);
    assertRelative(accountant(OrderGrid.dpAccounting(), FractionalOrders.ABSOLUTE_UPPER_BOUND)
        .compose(sgm(0.01, 0.35), 120).epsilon(1e-5).epsilon(), 22.6248601, 1e-7);
  }

  @Test
  void gaussianWithoutSamplingMatchesTfPrivacyAndTheClosedForm() {
    // TFP test_compute_dp_sgd_example_privacy without subsampling: ⌈1.2⌉ = 2 steps, σ=0.7 → 10.8602036,
    // σ=0.35 (microbatching) → 26.2880374.
    assertRelative(RdpAccountant.create().compose(DpEvent.gaussian(0.7), 2).epsilon(1e-5).epsilon(),
        10.8602036, 1e-7);
    assertRelative(RdpAccountant.create().compose(DpEvent.gaussian(0.35), 2).epsilon(1e-5).epsilon(),
        26.2880374, 1e-7);
    // q = 1 is the plain Gaussian: RDP(α) = α/(2σ²) (Mironov 2017), whichever way the event is written.
    RdpAccountant acc = RdpAccountant.create();
    double[] plain = acc.compose(DpEvent.gaussian(1.7)).rdp();
    double[] sampled = acc.compose(sgm(1.0, 1.7)).rdp();
    double[] orders = acc.orders().orders();
    for (int i = 0; i < orders.length; i++) {
      assertThat(plain[i]).isEqualTo(orders[i] / (2 * 1.7 * 1.7));
      assertThat(sampled[i]).isEqualTo(orders[i] / (2 * 1.7 * 1.7));
    }
  }

  @Test
  void poissonSampledRdpCurveMatchesBothPublishedVersions() {
    // q=0.01, σ=2.5, 50 steps at orders 1.5, 2.5, 5, 50, 100.
    OrderGrid grid = OrderGrid.of(1.5, 2.5, 5, 50, 100);
    double[] abs = accountant(grid, FractionalOrders.ABSOLUTE_UPPER_BOUND).compose(sgm(0.01, 2.5), 50).rdp();
    double[] exact = accountant(grid, FractionalOrders.EXACT).compose(sgm(0.01, 2.5), 50).rdp();
    // dp_accounting test_compute_rdp_poisson_sampled_gaussian (absolute values), given to 9 digits.
    double[] dpAccounting = {6.70579741e-04, 1.08548710e-03, 2.18075656e-03, 2.38460375e-02, 1.67416308e02};
    // deprecated TF-Privacy test_compute_rdp_sequence (signed series), given to 5 digits.
    double[] tfPrivacy = {6.5007e-04, 1.0854e-03, 2.1808e-03, 2.3846e-02, 1.6742e+02};
    for (int i = 0; i < 5; i++) {
      assertRelative(abs[i], dpAccounting[i], 1e-8);
      assertRelative(exact[i], tfPrivacy[i], 5e-5);
    }
    // The absolute-value series is an upper bound: 3% higher at order 1.5, equal at integer orders.
    assertThat(abs[0]).isGreaterThan(exact[0] * 1.03);
    assertThat(abs[2]).isEqualTo(exact[2]);
    // deprecated TF-Privacy test_compute_rdp_scalar: compute_rdp(q=0.1, σ=2, steps=10, order=5) = 0.07737.
    assertThat(accountant(OrderGrid.of(5), FractionalOrders.EXACT).compose(sgm(0.1, 2), 10).rdp()[0])
        .isCloseTo(0.07737, within(5e-6));
  }

  @Test
  void orderTwoHasTheClosedFormOfTheBinomialSum() {
    // A_2 = 1 + q²(e^{1/σ²} - 1), so RDP(2) = ln(1 + 1e-4(e - 1)) = 1.718134220745e-4 for q=0.01, σ=1
    // (privacy.md §1.1).
    double r = RdpAccountant.builder().orders(OrderGrid.of(2)).build().compose(sgm(0.01, 1)).rdp()[0];
    assertThat(r).isCloseTo(Math.log1p(1e-4 * Math.expm1(1)), within(1e-18));
    assertRelative(r, 1.718134220745e-4, 1e-12);
  }

  @Test
  void samplingWithoutReplacementMatchesTheDeprecatedTfPrivacyTest() {
    // TF-Privacy test_compute_rdp_sequence_without_replacement: q=0.01, σ=2.5, 50 steps (rtol 1e-4).
    OrderGrid grid = OrderGrid.of(1.001, 1.5, 2.5, 5, 50, 100, 256, 512, 1024);
    double[] expected = {3.4701e-3, 3.4701e-3, 4.6386e-3, 8.7634e-3, 9.8474e-2, 1.6776e2, 7.9297e2, 1.8174e3,
        3.8656e3};
    double[] rdp = RdpAccountant.builder().orders(grid).neighboringRelation(NeighboringRelation.REPLACE_ONE)
        .build().compose(DpEvent.sampledWithoutReplacement(10_000, 100, DpEvent.gaussian(2.5)), 50).rdp();
    for (int i = 0; i < expected.length; i++) {
      assertRelative(rdp[i], expected[i], 1e-4);
    }
  }

  @Test
  void conversionOfAConstantCurveIsTheHandComputedPureDpValue() {
    // dp_accounting test_compute_epsilon_delta_pure_dp: orders 2..32, RDP 1.1 → ε = 1.32783806176 at order 32
    // (= 1.1 + ln(31/32) - ln(32e-5)/31), and δ(1.32783806176) = 1e-5 at order 32.
    double[] orders = new double[31];
    double[] rdp = new double[31];
    for (int i = 0; i < 31; i++) {
      orders[i] = i + 2;
      rdp[i] = 1.1;
    }
    PrivacyGuarantee eps = RdpConversion.epsilon(orders, rdp, 1e-5, Conversion.IMPROVED, List.of());
    assertThat(eps.epsilon()).isCloseTo(1.32783806176, within(1e-10))
        .isCloseTo(1.1 + Math.log(31.0 / 32) - Math.log(32e-5) / 31, within(1e-14));
    assertThat(eps.optimalOrder()).hasValue(32.0);
    assertThat(eps.optimalOrderAtGridEdge()).isTrue();
    PrivacyGuarantee delta = RdpConversion.delta(orders, rdp, 1.32783806176, Conversion.IMPROVED, List.of());
    assertThat(delta.delta()).isCloseTo(1e-5, within(1e-14));
    assertThat(delta.optimalOrder()).hasValue(32.0);
  }

  @Test
  void gaussianCalibratedToExactlyOneAndOneInAMillionGivesThemBack() {
    // dp_accounting test_compute_epsilon_delta_gaussian: q=1, σ=4.530877117 is exactly (1, 1e-6)-DP; with the
    // dense grid 1.000, 1.001, …, 99.999 the improved conversion returns ε = 1 and δ(1) = 1e-6 (7 places).
    // Orders here must exceed 1; dropping 1.000 changes nothing, since orders ≤ 1.01 never give the optimum.
    double[] orders = new double[98_999];
    for (int i = 1001; i < 100_000; i++) {
      orders[i - 1001] = 0.001 * i;
    }
    RdpAccountant acc = RdpAccountant.builder().orders(OrderGrid.of(orders)).build()
        .compose(DpEvent.gaussian(4.530877117));
    assertThat(acc.epsilon(1e-6).epsilon()).isCloseTo(1.0, within(5e-8));
    assertThat(acc.delta(1.0).delta()).isCloseTo(1e-6, within(5e-8));
  }

  @Test
  void classicConversionIsMironovsBoundAndNeverTighter() {
    // Mironov 2017 Prop. 3 on a single order: ε = r + ln(1/δ)/(α - 1) with r = α/(2σ²).
    RdpAccountant acc = RdpAccountant.builder().orders(OrderGrid.of(8)).conversion(Conversion.CLASSIC).build()
        .compose(DpEvent.gaussian(2.0));
    assertThat(acc.epsilon(1e-5).epsilon()).isCloseTo(8 / 8.0 + Math.log(1e5) / 7, within(1e-14));
    assertThat(acc.delta(3.0).delta()).isCloseTo(Math.exp(7 * (1.0 - 3.0)), within(1e-18));
    RdpAccountant run = RdpAccountant.create().compose(sgm(0.0025, 1.3), 6000);
    assertThat(run.withConversion(Conversion.CLASSIC).epsilon(1e-5).epsilon())
        .isGreaterThan(run.epsilon(1e-5).epsilon());
  }

  @Test
  void epsilonAndDeltaAreInverseConversions() {
    // dp_accounting test_epsilon_delta_consistency (orders 2..49).
    double[] orders = new double[48];
    for (int i = 0; i < 48; i++) {
      orders[i] = i + 2;
    }
    for (double q : new double[] {0.01, 0.1, 0.8, 1.0}) {
      for (double sigma : new double[] {0.1, 1.0, 10.0, 100.0}) {
        RdpAccountant acc = RdpAccountant.builder().orders(OrderGrid.of(orders)).build().compose(sgm(q, sigma));
        for (double delta : new double[] {0.99, 0.9, 0.1, 0.01, 1e-3, 1e-5, 1e-9, 1e-12}) {
          double eps = acc.epsilon(delta).epsilon();
          double back = acc.delta(eps).delta();
          if (eps == 0) {
            assertThat(back).isLessThanOrEqualTo(delta);
          } else {
            // Both conversions minimise over the same orders, so the round trip is exact up to rounding (about
            // 1e-14 of δ); a tolerance relative to δ keeps that meaningful at δ = 1e-12.
            assertThat(back).as("δ(ε(%s)) at q=%s σ=%s", delta, q, sigma).isCloseTo(delta, within(1e-12 * delta));
          }
        }
      }
    }
  }

  @Test
  void compositionAddsAcrossEveryWayOfWritingIt() {
    // dp_accounting test_rdp_composition: six Gaussians however composed.
    OrderGrid grid = OrderGrid.of(2.71828);
    RdpAccountant acc = RdpAccountant.builder().orders(grid).build();
    DpEvent g = DpEvent.gaussian(3.14159);
    double base = acc.compose(g).rdp()[0];
    assertThat(acc.compose(g, 6).rdp()[0]).isCloseTo(6 * base, within(1e-15));
    assertThat(acc.compose(DpEvent.selfComposed(g, 6)).rdp()[0]).isCloseTo(6 * base, within(1e-15));
    assertThat(acc.compose(DpEvent.selfComposed(g, 2), 3).rdp()[0]).isCloseTo(6 * base, within(1e-15));
    assertThat(acc.compose(DpEvent.composed(g, g, g, g, g, g)).rdp()[0]).isCloseTo(6 * base, within(1e-15));
    assertThat(acc.compose(DpEvent.composed(DpEvent.selfComposed(g, 1), DpEvent.selfComposed(g, 2),
        DpEvent.selfComposed(g, 3))).rdp()[0]).isCloseTo(6 * base, within(1e-15));
    DpEvent other = DpEvent.gaussian(1.61803);
    assertThat(acc.compose(DpEvent.composed(g, other)).rdp()[0])
        .isCloseTo(base + acc.compose(other).rdp()[0], within(1e-15));
    // Gaussians composed inside one sampled event act as one with σ = (Σσᵢ⁻²)^(-1/2)
    // (dp_accounting test_compute_rdp_multi_gaussian): at q = 1 the RDPs add.
    double alpha = 3.14159;
    double r = RdpAccountant.builder().orders(OrderGrid.of(alpha)).build()
        .compose(DpEvent.poissonSampled(1.0, DpEvent.composed(DpEvent.gaussian(2.71828), DpEvent.gaussian(6.28319))))
        .rdp()[0];
    assertThat(r).isCloseTo(alpha / (2 * 2.71828 * 2.71828) + alpha / (2 * 6.28319 * 6.28319), within(1e-15));
    // A fresh accountant and an empty composition spend nothing.
    assertThat(RdpAccountant.create().epsilon(1e-5).epsilon()).isZero();
    assertThat(RdpAccountant.create().compose(sgm(0.0, 1.0), 1000).epsilon(1e-5).epsilon()).isZero();
  }

  @Test
  void noOptimalOrderIsReportedWhereEpsilonIsZeroOrInfinite() {
    // Nothing spent: every order gives ε = 0 (it used to report the first order, 1.1).
    PrivacyGuarantee none = RdpAccountant.create().compose(sgm(0.01, 1.0), 0).epsilon(1e-5);
    assertThat(none.epsilon()).isZero();
    assertThat(none.optimalOrder()).isEmpty();
    assertThat(none.optimalOrderAtGridEdge()).isFalse();
    assertThat(RdpAccountant.create().compose(sgm(0.0, 1.0), 10).epsilon(1e-5).optimalOrder()).isEmpty();
    // The improved conversion ignores orders ≤ 1.01, so a grid of only those proves nothing finite.
    PrivacyGuarantee infinite = RdpAccountant.builder().orders(OrderGrid.of(1.005, 1.01)).build()
        .compose(DpEvent.gaussian(1.0)).epsilon(1e-5);
    assertThat(infinite.epsilon()).isInfinite();
    assertThat(infinite.optimalOrder()).isEmpty();
    // δ = 0 and δ = 1 alike.
    assertThat(RdpAccountant.create().delta(1.0).optimalOrder()).isEmpty();
    assertThat(RdpAccountant.create().compose(DpEvent.gaussian(0.01)).delta(0.0).delta()).isEqualTo(1.0);
    assertThat(RdpAccountant.create().compose(DpEvent.gaussian(0.01)).delta(0.0).optimalOrder()).isEmpty();
    // A finite, positive ε keeps its order.
    assertThat(RdpAccountant.create().compose(sgm(0.01, 1.0), 100).epsilon(1e-5).optimalOrder()).isPresent();
  }

  @Test
  void laplaceRdpApproachesPureDpAtHighOrdersAndKlNearOne() {
    // dp_accounting test_laplace: Laplace(1/ε) composed `count` times is (ε·count)-DP; a huge order recovers it.
    for (double[] c : new double[][] {{0.01, 1}, {1.0, 1}, {100.0, 1}, {1.0, 100}}) {
      double eps = c[0];
      long count = (long) c[1];
      RdpAccountant acc = RdpAccountant.builder().orders(OrderGrid.of(1 + 1e-6, 1.1 - 1e-6, 1.1 + 1e-6, 1e10))
          .build().compose(DpEvent.laplace(1 / eps), count);
      assertThat(acc.epsilon(1e-10).epsilon()).isCloseTo(eps * count, within(5e-8 * Math.max(1, eps * count)));
      double[] rdp = acc.rdp();
      // Near order 1 the RDP is the KL divergence, at most min(ε, ε²/2) per step.
      assertThat(rdp[0]).isLessThanOrEqualTo(Math.min(eps, eps * eps / 2) * count * (1 + 1e-9));
      assertThat(rdp[1]).isCloseTo(rdp[2], within(1e-3 * Math.max(rdp[1], 1e-12) + 1e-9));
    }
  }

  @Test
  void treeAggregationFollowsTheDpFtrlBound() {
    // dp_accounting tests on orders 1.1..10.9 and 12..63.
    double[] orders = new double[99 + 52];
    for (int x = 1; x < 100; x++) {
      orders[x - 1] = 1 + x / 10.0;
    }
    for (int a = 12; a < 64; a++) {
      orders[99 + a - 12] = a;
    }
    OrderGrid grid = OrderGrid.of(orders);
    RdpAccountant special = RdpAccountant.builder().orders(grid)
        .neighboringRelation(NeighboringRelation.REPLACE_SPECIAL).build();
    // test_compute_eps_tree (StackOverflow setting of arXiv 2103.00039): 1600 steps, δ=1e-6: σ=1.13 gives
    // ε < 19.74 and σ=8.83 gives ε < 2.04.
    assertThat(special.compose(DpEvent.treeAggregation(1.13, 1600)).epsilon(1e-6).epsilon()).isLessThan(19.74);
    assertThat(special.compose(DpEvent.treeAggregation(8.83, 1600)).epsilon(1e-6).epsilon()).isLessThan(2.04);
    // test_no_tree_no_sampling: trees of one step each are plain Gaussians.
    double[] trees = special.compose(DpEvent.restartedTreeAggregation(0.1, 1, 1, 1, 1, 1)).rdp();
    double[] gaussians = special.compose(DpEvent.gaussian(0.1), 5).rdp();
    for (int i = 0; i < trees.length; i++) {
      assertThat(trees[i]).isCloseTo(gaussians[i], within(1e-12 * gaussians[i]));
    }
    // Closed form α·⌈log₂(T+1)⌉/(2σ²): 1600 steps need depth 11; one epoch over several trees takes the
    // deepest (test_single_epoch_multi_tree_rdp); restarted trees add up (test_compose_tree_rdp).
    double a = grid.order(0);
    assertThat(special.compose(DpEvent.treeAggregation(2.0, 1600)).rdp()[0]).isEqualTo(a * 11 / 8.0);
    assertThat(special.compose(DpEvent.treeAggregation(2.0, 10, 40, 30, 20)).rdp()[0]).isEqualTo(a * 6 / 8.0);
    assertThat(special.compose(DpEvent.restartedTreeAggregation(2.0, 400, 400, 400, 400)).rdp()[0])
        .isCloseTo(4 * a * 9 / 8.0, within(1e-12));
    // test_compute_eps_tree_decreasing: ε falls as σ grows.
    double previous = Double.POSITIVE_INFINITY;
    for (int x = 1; x < 100; x += 5) {
      double eps = special.compose(DpEvent.restartedTreeAggregation(0.1 * x, 10, 400, 400, 400, 390))
          .epsilon(1e-6).epsilon();
      assertThat(eps).isLessThan(previous);
      previous = eps;
    }
  }

  @Test
  void absoluteModeGivesUpOnOrdersThatDoNotConvergeAndSaysSo() {
    // dp_accounting test_log_a_frac_early_termination: q=0.1, σ=1 does not converge at small fractional orders.
    RdpAccountant bound = accountant(OrderGrid.dpAccounting(), FractionalOrders.ABSOLUTE_UPPER_BOUND)
        .compose(sgm(0.1, 1.0));
    assertThat(bound.rdp()).contains(Double.POSITIVE_INFINITY);
    PrivacyGuarantee g = bound.epsilon(1e-5);
    assertThat(g.epsilon()).isFinite();
    assertThat(g.warnings()).anyMatch(w -> w.contains("did not converge within 1000 terms"));
    // The exact mode has every order, each at most the absolute-value bound.
    double[] exact = accountant(OrderGrid.dpAccounting(), FractionalOrders.EXACT).compose(sgm(0.1, 1.0)).rdp();
    double[] abs = bound.rdp();
    for (int i = 0; i < exact.length; i++) {
      assertThat(exact[i]).isFinite().isLessThanOrEqualTo(abs[i] * (1 + 1e-12));
    }
  }

  @Test
  void theOptimalOrderMovesBetweenTheTwoFractionalModes() {
    // privacy.md §1.6: for q = 0.1, σ = 0.8, T = 1000 the optimum is 1.8 in dp_accounting and 1.7 with the
    // signed series.
    DpEvent run = DpEvent.selfComposed(sgm(0.1, 0.8), 1000);
    PrivacyGuarantee exact = accountant(OrderGrid.dpAccounting(), FractionalOrders.EXACT).compose(run).epsilon(1e-5);
    PrivacyGuarantee bound = accountant(OrderGrid.dpAccounting(), FractionalOrders.ABSOLUTE_UPPER_BOUND)
        .compose(run).epsilon(1e-5);
    assertThat(exact.optimalOrder()).hasValue(1.7);
    assertThat(bound.optimalOrder()).hasValue(1.8);
    assertThat(exact.epsilon()).isLessThan(bound.epsilon());
  }

  @Test
  void optimumAtEitherEndOfTheGridIsFlagged() {
    // TFP Test2 has its optimum at 1.25, the smallest TF-Privacy order.
    PrivacyGuarantee low = RdpAccountant.builder().orders(OrderGrid.tfPrivacy()).build()
        .compose(sgm(1024 / 1e8, 0.1), 976563).epsilon(1e-7);
    assertThat(low.optimalOrderAtGridEdge()).isTrue();
    assertThat(low.warnings()).containsExactly("the optimal RDP order 1.25 is the smallest order of the grid; "
        + "a grid extending beyond it may give a tighter bound");
    // One Gaussian with σ = 1000 wants α ≈ 1 + σ√(2 ln(1/δ)) ≈ 4800, beyond 1024.
    PrivacyGuarantee high = RdpAccountant.create().compose(DpEvent.gaussian(1000)).epsilon(1e-5);
    assertThat(high.optimalOrder()).hasValue(1024.0);
    assertThat(high.optimalOrderAtGridEdge()).isTrue();
    assertThat(high.warnings().get(0)).contains("largest order");
    assertThat(RdpAccountant.create().compose(sgm(0.0025, 1.3), 6000).epsilon(1e-5).optimalOrderAtGridEdge())
        .isFalse();
  }

  @Test
  void eventsTheRelationDoesNotCoverAreRejectedByName() {
    RdpAccountant addRemove = RdpAccountant.create();
    assertThatThrownBy(() -> addRemove.compose(DpEvent.sampledWithoutReplacement(100, 10, DpEvent.gaussian(1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("neighboringRelation (ADD_OR_REMOVE_ONE) must be REPLACE_ONE for "
            + "SampledWithoutReplacement events");
    assertThatThrownBy(() -> addRemove.compose(DpEvent.treeAggregation(1, 10)))
        .hasMessageStartingWith("neighboringRelation (ADD_OR_REMOVE_ONE) must be REPLACE_SPECIAL for "
            + "TreeAggregation events");
    RdpAccountant replace = RdpAccountant.builder().neighboringRelation(NeighboringRelation.REPLACE_ONE).build();
    assertThatThrownBy(() -> replace.compose(sgm(0.1, 1)))
        .hasMessageStartingWith("neighboringRelation (REPLACE_ONE) must be ADD_OR_REMOVE_ONE or REPLACE_SPECIAL");
    assertThatThrownBy(() -> addRemove.compose(DpEvent.poissonSampled(0.1, DpEvent.laplace(1))))
        .hasMessage("the event inside PoissonSampled (Laplace[noiseMultiplier=1.0]) must be a Gaussian or a "
            + "composition of Gaussians for RDP accounting");
  }

  @Test
  @Timeout(10)
  void hugeOrdersAreRefusedForSampledGaussiansAndAcceptedWhereTheyCostNothing() {
    // The subsampled Gaussian's RDP takes time proportional to the order: 1e10 used to loop ~3e10 times.
    RdpAccountant huge = RdpAccountant.builder().orders(OrderGrid.of(2, 1e10)).build();
    assertThatThrownBy(() -> huge.compose(sgm(0.01, 1.0)))
        .hasMessage("order (1.0E10) must be <= 100000 for a sampled Gaussian: its RDP takes time proportional to "
            + "the order");
    RdpAccountant replace = RdpAccountant.builder().orders(OrderGrid.of(2, 1e10))
        .neighboringRelation(NeighboringRelation.REPLACE_ONE).build();
    assertThatThrownBy(() -> replace.compose(DpEvent.sampledWithoutReplacement(100, 1, DpEvent.gaussian(1))))
        .hasMessageStartingWith("order (1.0E10) must be <= 100000");
    // Plain Gaussians and q = 1 have a closed form at any order.
    assertThat(huge.compose(DpEvent.gaussian(1e4)).rdp()[1]).isEqualTo(1e10 / 2e8);
    assertThat(huge.compose(sgm(1.0, 1e4)).rdp()[1]).isEqualTo(1e10 / 2e8);
    // At the limit every path stays fast (the timeout guards it): the integer sum, and the fractional order, whose
    // series needs α terms and then falls back to the convexity bound between the integer neighbours.
    for (double sigma : new double[] {0.01, 1, 100}) {
      double[] r = RdpAccountant.builder().orders(OrderGrid.of(99_999.5, 100_000)).build()
          .compose(sgm(0.01, sigma)).rdp();
      assertThat(r[0]).isPositive().isLessThanOrEqualTo(99_999.5 / (2 * sigma * sigma));
      assertThat(r[1]).isPositive().isLessThanOrEqualTo(100_000 / (2 * sigma * sigma));
    }
  }

  @Test
  void badArgumentsFailWithTheNameTheValueAndTheRule() {
    RdpAccountant acc = RdpAccountant.create();
    assertThatThrownBy(() -> acc.epsilon(0)).hasMessage("delta (0.0) must be in (0, 1)");
    assertThatThrownBy(() -> acc.epsilon(1.5)).hasMessage("delta (1.5) must be in (0, 1)");
    assertThatThrownBy(() -> acc.delta(-1)).hasMessage("epsilon (-1.0) must be a finite number >= 0");
    assertThatThrownBy(() -> acc.compose(sgm(0.1, 1), -3)).hasMessage("count (-3) must be >= 0");
    assertThatThrownBy(() -> OrderGrid.of()).hasMessage("orders ([]) must not be empty");
    assertThatThrownBy(() -> OrderGrid.of(2, 1.0)).hasMessage("order (1.0) must be a finite number > 1");
  }

  @Test
  void describesItsSettings() {
    assertThat(RdpAccountant.create().describe())
        .isEqualTo("rdp (improved conversion, dp-accounting orders, exact fractional orders, add-or-remove-one)");
    assertThat(RdpAccountant.builder().orders(OrderGrid.tfPrivacy()).conversion(Conversion.CLASSIC)
        .fractionalOrders(FractionalOrders.ABSOLUTE_UPPER_BOUND)
        .neighboringRelation(NeighboringRelation.REPLACE_SPECIAL).build().describe())
        .isEqualTo("rdp (classic conversion, tf-privacy orders, absolute-upper-bound fractional orders, "
            + "replace-special)");
  }
}
