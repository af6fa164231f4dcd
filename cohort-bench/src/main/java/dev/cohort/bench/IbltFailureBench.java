package dev.cohort.bench;

import dev.cohort.analytics.iblt.Iblt;
import dev.cohort.analytics.iblt.IbltParameters;
import java.util.Locale;

/**
 * How often an IBLT fails to decode in full, by load: for each capacity and each number of distinct keys
 * {@code n} (as a fraction of the capacity), {@code trials} sketches of {@code n} distinct random keys, and the
 * fraction of them with {@code num_not_decoded > 0} and the mean fraction of keys left undecoded. The numbers behind
 * the sizing guidance in cohort-analytics/README.md.
 *
 * <p>Run: {@code bench/run IbltFailureBench [trials]} (default 200).
 */
public final class IbltFailureBench {
  private IbltFailureBench() {}

  /** Prints one row per (capacity, repetitions, load). */
  public static void main(String[] args) {
    int trials = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    double[] loads = {0.5, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5};
    System.out.printf(Locale.ROOT, "%-9s %3s %6s %6s %8s %12s %14s%n", "capacity", "R", "cells", "load", "keys",
        "P(failure)", "undecoded");
    for (int capacity : new int[] {100, 1000, 10_000}) {
      for (int repetitions : new int[] {3, 4}) {
        IbltParameters p = IbltParameters.of(capacity, 12, repetitions, 0);
        for (double load : loads) {
          int n = (int) Math.round(load * capacity);
          int failures = 0;
          double undecoded = 0;
          for (int t = 0; t < trials; t++) {
            Iblt sketch = Iblt.create(p);
            for (int k = 0; k < n; k++) {
              sketch.insert(t + ":" + k, 1);
            }
            long left = sketch.decode().numNotDecoded();
            failures += left > 0 ? 1 : 0;
            undecoded += left / (double) n;
          }
          System.out.printf(Locale.ROOT, "%-9d %3d %6d %6.2f %8d %12.4f %14.5f%n", capacity, repetitions,
              repetitions * p.tableSize(), load, n, failures / (double) trials, undecoded / trials);
        }
      }
    }
  }
}
