package dev.cohort.privacy;

import static dev.cohort.privacy.ParameterText.named;

import java.util.OptionalLong;

/**
 * Answers "how much noise, how many rounds, how many clients for a target (ε, δ)?" for DP-SGD / DP-FedAvg, where
 * each step is a Poisson-sampled Gaussian: {@code selfComposed(poissonSampled(q, gaussian(σ)), steps)}.
 *
 * <p>Each search composes its candidate events onto the accountant it is given. Pass an empty accountant for a
 * fresh budget, or one that already holds earlier releases to calibrate what remains. Every result meets the
 * target (its guarantee's ε is at most the target ε), as dp_accounting's {@code calibrate_dp_mechanism} ensures.
 */
public final class Calibration {
  private Calibration() {}

  /** Relative width at which the noise-multiplier bisection stops. */
  static final double RELATIVE_TOLERANCE = 1e-7;
  private static final int MAX_DOUBLINGS = 40;

  private static DpEvent training(double samplingRate, double noiseMultiplier, long steps) {
    return DpEvent.selfComposed(DpEvent.poissonSampled(samplingRate, DpEvent.gaussian(noiseMultiplier)), steps);
  }

  /** The guarantee reported with a result (warnings logged). */
  private static PrivacyGuarantee guarantee(PrivacyAccountant accountant, double q, double sigma, long steps,
      double delta) {
    return accountant.compose(training(q, sigma, steps)).epsilon(delta);
  }

  /** The guarantee of a candidate, without logging (a search evaluates many). */
  private static PrivacyGuarantee candidate(PrivacyAccountant accountant, double q, double sigma, long steps,
      double delta) {
    return quiet(accountant.compose(training(q, sigma, steps)), delta);
  }

  private static PrivacyGuarantee quiet(PrivacyAccountant accountant, double delta) {
    if (accountant instanceof RdpAccountant rdp) {
      return rdp.quietEpsilon(delta);
    }
    return ((PldAccountant) accountant).quietEpsilon(delta);
  }

  /** ε of a candidate, without logging. */
  private static double candidateEpsilon(PrivacyAccountant accountant, double q, double sigma, long steps,
      double delta) {
    return candidate(accountant, q, sigma, steps, delta).epsilon();
  }

  /**
   * Throws if the ledger alone already spends more than the target, so that no further step, noise multiplier or
   * number of clients can meet it.
   */
  private static void requireBudgetLeft(PrivacyAccountant accountant, double targetEpsilon, double targetDelta) {
    PrivacyGuarantee spent = quiet(accountant, targetDelta);
    if (!(spent.epsilon() <= targetEpsilon)) {
      throw new InvalidParameterException(ParameterText.of(named("targetEpsilon", targetEpsilon),
          " cannot be reached: the ledger already spends epsilon=" + spent.epsilon() + " at ",
          named("targetDelta", targetDelta), becauseOf(spent)));
    }
  }

  /**
   * Throws if {@code failing}, the first candidate beyond a search's answer, misses the target only because its
   * accountant cannot certify anything at this δ (the PLD truncation floor): the answer would then be an artefact
   * of the accountant, not of the budget.
   */
  private static void requireNoFloor(double targetEpsilon, String where, PrivacyGuarantee failing) {
    ParameterText reason = becauseOf(failing);
    if (!reason.parameters().isEmpty() || !reason.toString().isEmpty()) {
      throw new InvalidParameterException(ParameterText.of(named("targetEpsilon", targetEpsilon),
          " cannot be reached " + where, reason));
    }
  }

  /**
   * Why a guarantee is +∞ where the accountant says so (the PLD truncation floor), as ": …" to append to a
   * message; empty otherwise.
   */
  private static ParameterText becauseOf(PrivacyGuarantee g) {
    if (g.epsilon() == Double.POSITIVE_INFINITY && g.hasWarnings()) {
      return ParameterText.of(": ", ParameterText.join("; ", g.warningTexts()));
    }
    return ParameterText.of();
  }

  /**
   * The smallest noise multiplier σ (to a relative 1e-7) such that {@code steps} steps at sampling rate q
   * satisfy (targetEpsilon, targetDelta)-DP.
   *
   * @throws IllegalArgumentException on invalid arguments, if the steps spend no privacy (q = 0 or no steps), if
   *     the ledger already spends more than the target, or if no σ up to 2^40 reaches the target (with the
   *     reason when the accountant gives one, such as δ below the PLD truncation floor)
   */
  public static Calibrated noiseMultiplier(PrivacyAccountant accountant, double samplingRate, long steps,
      double targetEpsilon, double targetDelta) {
    Checks.notNull("accountant", accountant);
    Checks.probability("samplingRate", samplingRate);
    Checks.nonNegative("steps", steps);
    positiveEpsilon(targetEpsilon);
    Checks.delta("targetDelta", targetDelta);
    if (samplingRate == 0 || steps == 0) {
      throw new InvalidParameterException(ParameterText.of(named("samplingRate", samplingRate), " and ",
          named("steps", steps), " must both be > 0: otherwise no privacy is spent and any noise multiplier "
              + "meets the target"));
    }
    requireBudgetLeft(accountant, targetEpsilon, targetDelta);
    double lo;
    double hi;
    double start = 1.0;
    if (meets(accountant, samplingRate, start, steps, targetEpsilon, targetDelta)) {
      hi = start;
      lo = start / 2;
      int k = 0;
      while (meets(accountant, samplingRate, lo, steps, targetEpsilon, targetDelta)) {
        hi = lo;
        if (++k >= MAX_DOUBLINGS) {
          // Stopping here used to return this σ as if it were the smallest, after evaluating ever smaller ones.
          throw new InvalidParameterException(ParameterText.of(named("targetEpsilon", targetEpsilon),
              " is met at ", named("targetDelta", targetDelta), " with ", named("samplingRate", samplingRate),
              " and ", named("steps", steps), " even by a noise multiplier of 2^-40: the target does not limit "
                  + "the noise"));
        }
        lo /= 2;
      }
    } else {
      lo = start;
      hi = 2 * start;
      int k = 0;
      while (!meets(accountant, samplingRate, hi, steps, targetEpsilon, targetDelta)) {
        lo = hi;
        hi *= 2;
        if (++k > MAX_DOUBLINGS) {
          PrivacyGuarantee most = candidate(accountant, samplingRate, hi, steps, targetDelta);
          throw new InvalidParameterException(ParameterText.of(named("targetEpsilon", targetEpsilon),
              " cannot be reached at ", named("targetDelta", targetDelta), " with ",
              named("samplingRate", samplingRate), " and ", named("steps", steps),
              " by any noise multiplier up to 2^40", becauseOf(most)));
        }
      }
    }
    while (hi - lo > RELATIVE_TOLERANCE * hi) {
      double mid = 0.5 * (lo + hi);
      if (meets(accountant, samplingRate, mid, steps, targetEpsilon, targetDelta)) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return new Calibrated(hi, samplingRate, steps, OptionalLong.empty(),
        guarantee(accountant, samplingRate, hi, steps, targetDelta));
  }

  /**
   * The largest number of steps at sampling rate q and noise multiplier σ that satisfies
   * (targetEpsilon, targetDelta)-DP; 0 if not even one step does (the result then holds the ledger's own
   * guarantee, which meets the target).
   *
   * @throws IllegalArgumentException on invalid arguments, if q = 0 (no step spends privacy), if the ledger
   *     already spends more than the target, if the step after the answer has ε = +∞ for a reason the accountant
   *     names (δ below the PLD truncation floor), or if the target is never exceeded within 2^40 steps
   */
  public static Calibrated maxSteps(PrivacyAccountant accountant, double samplingRate, double noiseMultiplier,
      double targetEpsilon, double targetDelta) {
    Checks.notNull("accountant", accountant);
    Checks.probability("samplingRate", samplingRate);
    Checks.positive("noiseMultiplier", noiseMultiplier);
    positiveEpsilon(targetEpsilon);
    Checks.delta("targetDelta", targetDelta);
    if (samplingRate == 0) {
      throw Checks.invalid("samplingRate", samplingRate, "must be > 0: with no sampling no step spends privacy, "
          + "so the budget does not limit the number of steps");
    }
    requireBudgetLeft(accountant, targetEpsilon, targetDelta);
    if (!meets(accountant, samplingRate, noiseMultiplier, 1, targetEpsilon, targetDelta)) {
      requireNoFloor(targetEpsilon, "with more than 0 steps",
          candidate(accountant, samplingRate, noiseMultiplier, 1, targetDelta));
      return new Calibrated(noiseMultiplier, samplingRate, 0, OptionalLong.empty(),
          RdpConversion.logWarnings(quiet(accountant, targetDelta)));
    }
    long good = 1;
    long bad = 2;
    int k = 0;
    while (meets(accountant, samplingRate, noiseMultiplier, bad, targetEpsilon, targetDelta)) {
      good = bad;
      bad *= 2;
      if (++k > MAX_DOUBLINGS) {
        throw new InvalidParameterException(ParameterText.of(named("targetEpsilon", targetEpsilon),
            " is not exceeded within 2^40 steps at ", named("samplingRate", samplingRate), " and ",
            named("noiseMultiplier", noiseMultiplier), ": the budget does not limit the number of steps"));
      }
    }
    while (bad - good > 1) {
      long mid = good + (bad - good) / 2;
      if (meets(accountant, samplingRate, noiseMultiplier, mid, targetEpsilon, targetDelta)) {
        good = mid;
      } else {
        bad = mid;
      }
    }
    requireNoFloor(targetEpsilon, "with more than " + good + " steps",
        candidate(accountant, samplingRate, noiseMultiplier, bad, targetDelta));
    return new Calibrated(noiseMultiplier, samplingRate, good, OptionalLong.empty(),
        guarantee(accountant, samplingRate, noiseMultiplier, good, targetDelta));
  }

  /**
   * TFF's DP tutorial calibration: the smallest expected number of clients per round n in [1, population] such
   * that {@code rounds} rounds with Poisson sampling rate q = n/population and noise multiplier
   * σ = noiseToClientsRatio·n satisfy (targetEpsilon, targetDelta)-DP. Holding σ/n fixed keeps the noise on the
   * averaged update fixed while more clients amplify privacy, so ε falls as n grows and the smallest feasible n is
   * found by bisection. (TFF runs Brent's method with tolerance 1; for a monotone ε both return the same n, e.g.
   * 120 clients with σ = 1.2 for population 3383, 100 rounds, ratio 0.01 and (2, 1e-5).)
   *
   * @throws IllegalArgumentException on invalid arguments, if the ledger already spends more than the target,
   *     if even n = population misses the target, or if n - 1 misses it only because ε = +∞ for a reason the
   *     accountant names (δ below the PLD truncation floor, which Poisson sampling with q &lt; 1 reaches)
   */
  public static Calibrated clientsPerRound(PrivacyAccountant accountant, long population, long rounds,
      double noiseToClientsRatio, double targetEpsilon, double targetDelta) {
    Checks.notNull("accountant", accountant);
    if (population < 1) {
      throw Checks.invalid("population", population, "must be >= 1");
    }
    Checks.nonNegative("rounds", rounds);
    Checks.positive("noiseToClientsRatio", noiseToClientsRatio);
    positiveEpsilon(targetEpsilon);
    Checks.delta("targetDelta", targetDelta);
    requireBudgetLeft(accountant, targetEpsilon, targetDelta);
    if (!meetsClients(accountant, population, population, rounds, noiseToClientsRatio, targetEpsilon,
        targetDelta)) {
      PrivacyGuarantee all = candidate(accountant, 1.0, noiseToClientsRatio * population, rounds, targetDelta);
      throw new InvalidParameterException(ParameterText.of(named("targetEpsilon", targetEpsilon),
          " cannot be reached: even all " + population + " clients per round (noise multiplier "
              + noiseToClientsRatio * population + ") give epsilon " + all.epsilon() + " at ",
          named("targetDelta", targetDelta), becauseOf(all)));
    }
    long bad = 0; // ε(bad) > target, or 0 as a sentinel below the range
    long good = population;
    while (good - bad > 1) {
      long mid = bad + (good - bad) / 2;
      if (meetsClients(accountant, mid, population, rounds, noiseToClientsRatio, targetEpsilon, targetDelta)) {
        good = mid;
      } else {
        bad = mid;
      }
    }
    if (bad > 0) {
      requireNoFloor(targetEpsilon, "with fewer than " + good + " clients per round", candidate(accountant,
          (double) bad / population, bad * noiseToClientsRatio, rounds, targetDelta));
    }
    double q = (double) good / population;
    double sigma = good * noiseToClientsRatio;
    return new Calibrated(sigma, q, rounds, OptionalLong.of(good), guarantee(accountant, q, sigma, rounds,
        targetDelta));
  }

  private static boolean meets(PrivacyAccountant accountant, double q, double sigma, long steps,
      double targetEpsilon, double targetDelta) {
    return candidateEpsilon(accountant, q, sigma, steps, targetDelta) <= targetEpsilon;
  }

  private static boolean meetsClients(PrivacyAccountant accountant, long clients, long population, long rounds,
      double ratio, double targetEpsilon, double targetDelta) {
    return meets(accountant, (double) clients / population, clients * ratio, rounds, targetEpsilon, targetDelta);
  }

  private static void positiveEpsilon(double targetEpsilon) {
    if (!(targetEpsilon > 0) || Double.isInfinite(targetEpsilon)) {
      throw Checks.invalid("targetEpsilon", targetEpsilon, "must be a finite number > 0");
    }
  }
}
