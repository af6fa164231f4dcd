package dev.cohort.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cohort.tensor.RandomStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The central DP step of TFF's private heavy-hitters tutorial (tff.md §1.5, privacy.md §5). */
class LaplaceThresholdingTest {
  private static final LaplaceThresholding TUTORIAL = new LaplaceThresholding(20, 0.01, 8);

  @Test
  void scaleAndThresholdAreTheTutorials() {
    // privacy.md §5: scale m / ε = 0.4 and τ = 1 + (m / ε) ln(m / (2δ)) = 3.3965858 for ε = 20, δ = 0.01, m = 8.
    assertThat(TUTORIAL.scale()).isEqualTo(0.4);
    assertThat(TUTORIAL.threshold()).isCloseTo(3.3965858, within(5e-8));
  }

  @Test
  void laplaceDrawsHaveMeanZeroAndVarianceTwiceTheScaleSquared() {
    RandomStream random = RandomStream.of(7, 1);
    int n = 400_000;
    double sum = 0;
    double sumSquares = 0;
    for (int i = 0; i < n; i++) {
      double x = LaplaceThresholding.laplace(random, 0.4);
      sum += x;
      sumSquares += x * x;
    }
    double variance = 2 * 0.4 * 0.4;
    // Five standard errors: sqrt(var / n) for the mean; the variance of x^2 is 24 b^4 - (2 b^2)^2 = 20 b^4.
    assertThat(sum / n).isCloseTo(0, within(5 * Math.sqrt(variance / n)));
    assertThat(sumSquares / n).isCloseTo(variance, within(5 * Math.sqrt(20 * Math.pow(0.4, 4) / n)));
  }

  @Test
  void aWordOnlyOneUserSentSurvivesWithProbabilityDeltaOverL0() {
    // P(1 + Lap(b) >= τ) = 0.5 exp(-(τ - 1) / b) = δ / L0 = 0.00125: the δ of the guarantee, per word.
    HeavyHittersResult one = new HeavyHittersResult(1, List.of(new HeavyHittersResult.HeavyHitter("rare", 1, 1)), 0, 0);
    RandomStream random = RandomStream.of(11, 2);
    int n = 400_000;
    int kept = 0;
    for (int i = 0; i < n; i++) {
      kept += TUTORIAL.release(one, random).size();
    }
    double p = 0.01 / 8;
    assertThat((double) kept / n).isCloseTo(p, within(5 * Math.sqrt(p * (1 - p) / n)));
  }

  @Test
  void frequentWordsAreReleasedWithRoundedNoisyCounts() {
    HeavyHittersResult histogram = new HeavyHittersResult(100, List.of(
        new HeavyHittersResult.HeavyHitter("the", 80, 80), new HeavyHittersResult.HeavyHitter("to", 40, 40),
        new HeavyHittersResult.HeavyHitter("tear", 1, 1)), 0, 0);
    RandomStream random = RandomStream.of(3);
    List<HeavyHittersResult.HeavyHitter> released = TUTORIAL.release(histogram, random);
    RandomStream replay = RandomStream.of(3);
    double the = 80 + LaplaceThresholding.laplace(replay, 0.4);
    double to = 40 + LaplaceThresholding.laplace(replay, 0.4);
    assertThat(released).startsWith(new HeavyHittersResult.HeavyHitter("the", (long) Math.floor(the),
        (long) Math.floor(the)), new HeavyHittersResult.HeavyHitter("to", (long) Math.floor(to), (long) Math.floor(to)));
    assertThat(released.get(0).count()).isBetween(75L, 85L);
  }

  @Test
  void histogramsOutsideTheGuaranteeAndBadParametersAreRejected() {
    RandomStream random = RandomStream.of(1);
    HeavyHittersResult repeated = new HeavyHittersResult(2, List.of(new HeavyHittersResult.HeavyHitter("hi", 2, 4)),
        0, 0);
    assertThatThrownBy(() -> TUTORIAL.release(repeated, random))
        .hasMessage("word \"hi\" has count 4 from 2 users; the guarantee needs each user to send a word at most"
            + " once (multiContribution(false))");
    HeavyHittersResult partial = new HeavyHittersResult(2, List.of(), 3, 0);
    assertThatThrownBy(() -> TUTORIAL.release(partial, random))
        .hasMessage("the sketch left 3 undecoded; the guarantee holds only for a histogram decoded in full (raise the"
            + " capacity)");
    assertThatThrownBy(() -> new LaplaceThresholding(0, 0.01, 8)).hasMessage("epsilon must be positive and finite,"
        + " got 0.0");
    assertThatThrownBy(() -> new LaplaceThresholding(1, 1, 8)).hasMessage("delta must be in (0, 1), got 1.0");
    assertThatThrownBy(() -> new LaplaceThresholding(1, 0.1, 0))
        .hasMessage("max_words_per_user must be at least 1, got 0");
  }

  @Test
  void theTutorialsPipelineReleasesFromAnExactHistogram() {
    // The tutorial's second run: multi_contribution=False, max_words_per_user=8, no max_heavy_hitters.
    HeavyHittersResult exact = HeavyHittersTest.run(HeavyHitters.builder().capacity(100).stringMaxBytes(20)
        .maxWordsPerUser(8).multiContribution(false).secureSumBitwidth(32), HeavyHittersTest.DATA);
    assertThat(exact.numNotDecoded()).isZero();
    List<HeavyHittersResult.HeavyHitter> released = new LaplaceThresholding(1, 1e-3, 8)
        .release(exact, RandomStream.of(5));
    // τ = 1 + 8 ln(4000) = 67.4: ten clients cannot push a word there except by noise of probability < 1e-3 each.
    assertThat(released).isEmpty();
    assertThat(TUTORIAL.release(exact, RandomStream.of(5))).extracting(HeavyHittersResult.HeavyHitter::word)
        .contains("hello");
  }
}
