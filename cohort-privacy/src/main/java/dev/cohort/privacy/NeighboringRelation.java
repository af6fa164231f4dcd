package dev.cohort.privacy;

/**
 * Which pairs of data sets a guarantee calls neighbouring; it decides which events an accountant can bound, as in
 * dp_accounting's {@code NeighboringRelation}.
 */
public enum NeighboringRelation {
  /** Add or remove one record (the default; Poisson sampling is analysed under it). */
  ADD_OR_REMOVE_ONE,
  /** Replace one record by another (fixed-size sampling without replacement is analysed under it). */
  REPLACE_ONE,
  /** Replace one record by a special zero record (DP-FTRL tree aggregation is analysed under it). */
  REPLACE_SPECIAL
}
