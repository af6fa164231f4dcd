package dev.cohort.privacy;

import java.util.OptionalLong;

/**
 * The outcome of a {@link Calibration}: the parameters that meet the target and the guarantee they achieve.
 *
 * @param noiseMultiplier the noise multiplier σ of each step
 * @param samplingRate the sampling rate q of each step
 * @param steps the number of steps (rounds)
 * @param clientsPerRound the expected clients per round when calibrated from a population; empty otherwise
 * @param guarantee the (ε, δ) these parameters achieve, ε ≤ the target
 */
public record Calibrated(double noiseMultiplier, double samplingRate, long steps, OptionalLong clientsPerRound,
    PrivacyGuarantee guarantee) {
  /** Rejects null components. */
  public Calibrated {
    Checks.notNull("clientsPerRound", clientsPerRound);
    Checks.notNull("guarantee", guarantee);
  }
}
