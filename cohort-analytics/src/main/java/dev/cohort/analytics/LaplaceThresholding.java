package dev.cohort.analytics;

import dev.cohort.tensor.RandomStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Central differential privacy for a heavy-hitters histogram, as TFF's private heavy-hitters tutorial applies it: add
 * Laplace noise of scale {@code b = L0 / ε} to each word's count and release the words whose noisy count is at least
 * {@code τ = 1 + b * ln(L0 / (2δ))}, with the noisy count rounded down (post-processing). This is the open-set
 * histogram mechanism of Google's differential-privacy library (common_docs/Delta_For_Thresholding.pdf).
 *
 * <p><b>Guarantee.</b> If each user contributes at most {@code L0} distinct words, each once (a
 * {@link HeavyHitters} computation with {@code multiContribution(false)} and {@code maxWordsPerUser(L0)}, one client
 * per user), the released words and counts are user-level {@code (ε, δ)}-differentially private: a count changes by
 * at most 1 in at most {@code L0} words (L1 sensitivity {@code L0}, so Laplace noise of scale {@code L0 / ε} gives
 * {@code ε}), and a word only one user has survives the threshold with probability {@code 0.5 * exp(-(τ - 1) / b)
 * = δ / L0}, at most {@code δ} over that user's {@code L0} words. The histogram must be exact: the
 * computation must not filter by k-anonymity or keep only the top words ({@code kAnonymity(1)}, no
 * {@code maxHeavyHitters}), and the sketch must have decoded in full ({@code num_not_decoded == 0}), since otherwise
 * which words appear depends on the data in ways the noise does not cover. The outputs {@code clients},
 * {@code num_not_decoded} and {@code round_timestamp} are not covered. The noise is drawn in double precision, as in
 * the tutorial, and is not hardened against floating-point attacks on the Laplace mechanism (Mironov 2012).
 *
 * @param epsilon ε, positive
 * @param delta δ, in (0, 1)
 * @param maxWordsPerUser {@code L0}, the most distinct words one user contributes, at least 1
 */
public record LaplaceThresholding(double epsilon, double delta, int maxWordsPerUser) {
  /**
   * Checks the parameters.
   *
   * @throws IllegalArgumentException naming the parameter, its range and its value
   */
  public LaplaceThresholding {
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
      throw new IllegalArgumentException("epsilon must be positive and finite, got " + epsilon);
    }
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
    }
    if (maxWordsPerUser < 1) {
      throw new IllegalArgumentException("max_words_per_user must be at least 1, got " + maxWordsPerUser);
    }
  }

  /** The Laplace scale {@code b = L0 / ε}. */
  public double scale() {
    return maxWordsPerUser / epsilon;
  }

  /** The threshold {@code τ = 1 + b * ln(L0 / (2δ))}. */
  public double threshold() {
    return 1 + scale() * Math.log(maxWordsPerUser / (2 * delta));
  }

  /**
   * The released words: for each heavy hitter in order, its count plus one Laplace draw from {@code random}; kept,
   * with the noisy count rounded down as both its count and unique count, if that is at least {@link #threshold()}.
   *
   * @throws IllegalArgumentException if the histogram is not one this mechanism covers: some word's count differs
   *     from its unique count (a user sent a word more than once) or the sketch did not decode in full
   */
  public List<HeavyHittersResult.HeavyHitter> release(HeavyHittersResult histogram, RandomStream random) {
    if (histogram.numNotDecoded() != 0) {
      throw new IllegalArgumentException("the sketch left " + histogram.numNotDecoded() + " undecoded; the guarantee"
          + " holds only for a histogram decoded in full (raise the capacity)");
    }
    List<HeavyHittersResult.HeavyHitter> released = new ArrayList<>();
    for (HeavyHittersResult.HeavyHitter h : histogram.heavyHitters()) {
      if (h.count() != h.uniqueCount()) {
        throw new IllegalArgumentException("word \"" + h.word() + "\" has count " + h.count() + " from "
            + h.uniqueCount() + " users; the guarantee needs each user to send a word at most once"
            + " (multiContribution(false))");
      }
      double noisy = h.count() + laplace(random, scale());
      if (noisy >= threshold()) {
        long count = (long) Math.floor(noisy);
        released.add(new HeavyHittersResult.HeavyHitter(h.word(), count, count));
      }
    }
    return released;
  }

  /** A Laplace draw of scale {@code b}: the difference of two exponential draws {@code -b ln(1 - u)}. */
  static double laplace(RandomStream random, double b) {
    return b * (Math.log1p(-random.nextDouble()) - Math.log1p(-random.nextDouble()));
  }
}
