package dev.cohort.simulation;

import java.util.Arrays;

/**
 * Where a pass sits inside the {@code repeat}s that enclose it: the epoch index of each, outermost first. A pass
 * over a dataset itself has no epochs. Shuffles fold these into their key, so every epoch that a {@code repeat}
 * makes is shuffled afresh while the same pass of the same dataset always has the same order.
 */
final class Pass {
  static final Pass TOP = new Pass(new long[0]);

  private final long[] epochs;

  private Pass(long[] epochs) {
    this.epochs = epochs;
  }

  /** The pass for epoch {@code index} of a {@code repeat} inside this pass. */
  Pass epoch(long index) {
    long[] e = Arrays.copyOf(epochs, epochs.length + 1);
    e[epochs.length] = index;
    return new Pass(e);
  }

  /** The epoch indices, outermost first (a copy). */
  long[] epochs() {
    return epochs.clone();
  }
}
