package dev.cohort.privacy;

/**
 * How the RDP of the Poisson-subsampled Gaussian is evaluated at fractional orders α, where the binomial expansion
 * of Mironov, Talwar and Zhang 2019 (arXiv 1908.10530, §3.3) is an infinite series whose coefficients C(α, i)
 * alternate in sign for i &gt; α + 1. Integer orders use the finite sum and are the same in both modes.
 */
public enum FractionalOrders {
  /**
   * The signed series, summed until its terms fall below double precision: the exact A_α (checked against
   * numerical integration of the definition). It is summed as A_α - 1, so the RDP keeps its relative precision as
   * q → 0. Where it converges slowly (q near ½, small σ) the definition is integrated numerically instead, and
   * where that would take too many points (σ ≲ 0.015) the chord between the neighbouring integer orders is used,
   * an upper bound (ln A_α is convex in α). Opacus and dp_accounting before April 2024 (commit 0b109e9) sum the
   * same signed series. The default.
   */
  EXACT,
  /**
   * dp_accounting since April 2024: every term enters with its absolute value, which is an upper bound on A_α
   * (so still a valid, slightly looser guarantee); the loop stops when both terms decrease and lie e^30 below the
   * running total, and after 1000 terms the order is given up (RDP = +∞, with a warning), as in dp_accounting
   * since September 2024 (commit 6f7deb3). Choose it to reproduce current dp_accounting numbers. Where the
   * negative terms it counts twice are too small to outweigh the tail it drops and its rounding (about 1e-16
   * absolute, so for tiny q), that sum could fall below the exact value; there the larger of the two is used, so
   * the bound is never optimistic.
   */
  ABSOLUTE_UPPER_BOUND
}
