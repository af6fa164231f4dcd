package dev.cohort.privacy;

import java.util.List;
import java.util.OptionalDouble;

/**
 * An (ε, δ) differential-privacy guarantee as an accountant computed it.
 *
 * @param epsilon the privacy loss bound ε (may be +∞ when nothing finite can be proven; never NaN)
 * @param delta the failure probability δ
 * @param optimalOrder the Rényi order at which an RDP accountant found the bound; empty for PLD accounting and
 *     where no order bounds anything (ε = 0 or +∞ from {@code epsilon}, δ = 0 or 1 from {@code delta})
 * @param optimalOrderAtGridEdge whether that order is the smallest or the largest of the grid, so that a wider
 *     grid could give a tighter bound (Opacus warns about this too); always false for PLD accounting
 * @param warningTexts conditions the caller should report with the number (each also logged at WARNING), e.g. an
 *     optimum at the end of the order grid or a sampling assumption that the recorded rounds did not meet, with
 *     the parameters they name as data (see {@link #warnings()} for the plain text)
 */
public record PrivacyGuarantee(
    double epsilon, double delta, OptionalDouble optimalOrder, boolean optimalOrderAtGridEdge,
    List<ParameterText> warningTexts) {
  /** Copies the warning list. */
  public PrivacyGuarantee {
    Checks.notNull("optimalOrder", optimalOrder);
    warningTexts = List.copyOf(Checks.notNull("warningTexts", warningTexts));
  }

  /** The warnings as text, each parameter by its name in this library's API ({@link ParameterText#toString()}). */
  public List<String> warnings() {
    return warningTexts.stream().map(ParameterText::toString).toList();
  }

  /** Whether any warning was raised. */
  public boolean hasWarnings() {
    return !warningTexts.isEmpty();
  }
}
