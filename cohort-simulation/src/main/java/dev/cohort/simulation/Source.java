package dev.cohort.simulation;

/** What a dataset iterates: opens a cursor for one pass. Must be safe to call from several threads at once. */
@FunctionalInterface
interface Source {
  /** A fresh cursor over the elements of a pass; {@code pass} carries the enclosing {@code repeat} epochs. */
  Cursor open(Pass pass);
}
