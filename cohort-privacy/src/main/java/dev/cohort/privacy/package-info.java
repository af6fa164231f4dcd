/**
 * Differential-privacy accounting: what an (ε, δ) guarantee a training run or a release actually delivered, and
 * how much noise, how many rounds or how many clients a target guarantee needs.
 *
 * <h2>Contents</h2>
 * <ul>
 *   <li>{@link dev.cohort.privacy.DpEvent} — the ledger vocabulary (Gaussian, Laplace, Poisson-sampled, sampled
 *       without replacement, self-composed, composed, DP-FTRL tree aggregation), as in dp_accounting.
 *   <li>{@link dev.cohort.privacy.PrivacyAccountant} — {@link dev.cohort.privacy.RdpAccountant} (Rényi DP,
 *       reports the optimal order) and {@link dev.cohort.privacy.PldAccountant} (privacy loss distributions,
 *       tighter); both immutable.
 *   <li>{@link dev.cohort.privacy.IncrementalAccountant} — per-round recording and cheap reads for training loops.
 *   <li>{@link dev.cohort.privacy.Calibration} — noise multiplier, number of steps, or clients per round for a
 *       target (ε, δ); results are {@link dev.cohort.privacy.Calibrated}.
 *   <li>Settings: {@link dev.cohort.privacy.OrderGrid}, {@link dev.cohort.privacy.Conversion},
 *       {@link dev.cohort.privacy.FractionalOrders}, {@link dev.cohort.privacy.NeighboringRelation},
 *       {@link dev.cohort.privacy.Sampling}; results are {@link dev.cohort.privacy.PrivacyGuarantee}s.
 *   <li>Errors: {@link dev.cohort.privacy.InvalidParameterException} — the parameter, the value and the rule as
 *       data, in a {@link dev.cohort.privacy.ParameterText} (warnings are kept the same way).
 *   <li>{@link dev.cohort.privacy.Numbers} — Cohort's one number printer (its modes serve the library's messages,
 *       the command line and the tutorials' Python-style outputs).
 * </ul>
 *
 * <p>Warnings (an optimum at the edge of the order grid, an order given up, a sampling assumption not met) are
 * logged through {@code System.getLogger("dev.cohort.privacy")} at WARNING and carried in the result.
 */
package dev.cohort.privacy;
