package dev.cohort.privacy;

/**
 * Turns a ledger of {@link DpEvent}s into an (ε, δ) guarantee. Accountants are immutable values: composing an
 * event returns a new accountant, so an empty accountant is also the template for every calibration search.
 *
 * <p>Two implementations: {@link RdpAccountant} (Rényi DP; fast, composes by addition, reports the optimal
 * order) and {@link PldAccountant} (privacy loss distributions; tighter, composes by FFT convolution).
 */
public sealed interface PrivacyAccountant permits RdpAccountant, PldAccountant {

  /** This ledger plus {@code event}. */
  PrivacyAccountant compose(DpEvent event);

  /** This ledger plus {@code event} repeated {@code count} times. */
  PrivacyAccountant compose(DpEvent event, long count);

  /**
   * The smallest ε this accountant can prove at the given δ.
   *
   * @throws IllegalArgumentException if δ is not in (0, 1)
   */
  PrivacyGuarantee epsilon(double delta);

  /**
   * The smallest δ this accountant can prove at the given ε.
   *
   * @throws IllegalArgumentException if ε is not a finite number ≥ 0
   */
  PrivacyGuarantee delta(double epsilon);

  /** A one-line description of the method and its settings, e.g. for reports and the command line. */
  String describe();
}
