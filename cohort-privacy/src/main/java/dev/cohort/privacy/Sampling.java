package dev.cohort.privacy;

/** How the records (clients) of a round were chosen. */
public enum Sampling {
  /** Each record independently with probability q (analysed under add-or-remove-one). */
  POISSON,
  /** A uniformly random subset of fixed size m out of n, q = m/n (analysed under replace-one). */
  FIXED_SIZE
}
