package dev.cohort.privacy;

/** How a Rényi-DP curve is turned into an (ε, δ) guarantee; both take the minimum over the order grid. */
public enum Conversion {
  /**
   * Canonne, Kamath and Steinke 2020 (arXiv 2004.00010, Prop. 12; also Asoodeh et al., arXiv 2001.05990, Eq. 20):
   * ε = r_α + ln(1 - 1/α) - (ln δ + ln α)/(α - 1) for α &gt; 1.01, with the KL shortcut ε = 0 when
   * δ² + expm1(-r_α) &gt; 0. This is dp_accounting's {@code compute_epsilon} and, without the shortcut,
   * Opacus's {@code get_privacy_spent}. The default.
   */
  IMPROVED,
  /** Mironov 2017 (arXiv 1702.07476, Prop. 3): ε = r_α + ln(1/δ)/(α - 1). Looser; kept for comparison. */
  CLASSIC
}
