package dev.cohort.bench;

import dev.cohort.privacy.DpEvent;
import dev.cohort.privacy.FractionalOrders;
import dev.cohort.privacy.IncrementalAccountant;
import dev.cohort.privacy.PldAccountant;
import dev.cohort.privacy.PrivacyGuarantee;
import dev.cohort.privacy.RdpAccountant;
import dev.cohort.privacy.Sampling;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * Privacy accounting speed: RDP ε for 100,000 steps on dp_accounting's default grid (target &lt; 5 ms), the
 * incremental accountant's per-round cost, and PLD for 10,000 compositions of a Poisson-subsampled Gaussian with
 * its ε next to RDP's. Each workload is computed from scratch every repetition (no state is reused), warmed up,
 * then timed best-of-N.
 *
 * <p>Run: {@code bench/run PrivacyBench} (optional argument: repetitions for the RDP rows, default 50).
 */
public final class PrivacyBench {
  private PrivacyBench() {}

  private static final double DELTA = 1e-5;
  /** Rounds per timed training loop, and reads per timed read loop. */
  private static final int ROUNDS = 1000;
  /**
   * Converts the milliseconds a loop of {@link #ROUNDS} iterations took into microseconds per iteration:
   * 1000 µs per ms, divided by the iterations.
   */
  private static final double MICROSECONDS_PER_ITERATION = 1000.0 / ROUNDS;

  /** Times {@code work}: {@code warmup} untimed calls, then {@code reps} timed ones; returns sorted ms. */
  private static double[] time(DoubleSupplier work, int warmup, int reps, double[] result) {
    for (int i = 0; i < warmup; i++) {
      result[0] = work.getAsDouble();
    }
    double[] ms = new double[reps];
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      result[0] = work.getAsDouble();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    return ms;
  }

  private static void row(String name, double[] ms, String unit, double scale, String note) {
    System.out.printf(Locale.ROOT, "%-62s %10.3f %10.3f %-4s %s%n", name, ms[0] * scale, ms[ms.length / 2] * scale,
        unit, note);
  }

  private static double rdpEpsilon(double q, double sigma, long steps, FractionalOrders mode) {
    return RdpAccountant.builder().fractionalOrders(mode).build()
        .compose(DpEvent.poissonSampled(q, DpEvent.gaussian(sigma)), steps).epsilon(DELTA).epsilon();
  }

  /** Prints the table; the optional argument is the number of timed repetitions of the RDP rows. */
  public static void main(String[] args) {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    System.out.printf(Locale.ROOT, "java %s, %d processors%n", Runtime.version(),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "%-62s %10s %10s %-4s %s%n", "workload", "best", "median", "unit", "result");
    double[] r = new double[1];

    // 1. RDP epsilon for 100,000 steps on the default grid (156 orders, 99 fractional).
    double[][] rdpCases = {{0.0025, 1.3}, {0.01, 1.0}, {120.0 / 3383, 1.2}};
    for (double[] c : rdpCases) {
      for (FractionalOrders mode : FractionalOrders.values()) {
        double[] ms = time(() -> rdpEpsilon(c[0], c[1], 100_000, mode), 200, reps, r);
        row(String.format(Locale.ROOT, "rdp epsilon q=%.4g z=%.2g T=100000 dp-accounting grid %s", c[0], c[1],
            mode == FractionalOrders.EXACT ? "exact" : "abs"), ms, "ms", 1, String.format(Locale.ROOT,
            "eps=%.6f", r[0]));
      }
    }

    // 2. Incremental accountant: record a round and read epsilon, 1,000 rounds; per-round cost.
    for (boolean varying : new boolean[] {false, true}) {
      double[] ms = time(() -> {
        IncrementalAccountant acc = IncrementalAccountant.builder().delta(DELTA).build();
        double eps = 0;
        for (int round = 0; round < ROUNDS; round++) {
          // varying: a new noise multiplier every round (adaptive clipping), so nothing is cached
          double sigma = varying ? 1.2 + 1e-4 * round : 1.2;
          acc.recordRound(sigma, 120.0 / 3383, Sampling.POISSON);
          eps = acc.spent().epsilon();
        }
        return eps;
      }, 5, Math.max(5, reps / 5), r);
      row(varying ? "incremental: record + read per round, new sigma every round"
          : "incremental: record + read per round, same (q, sigma)", ms, "us", MICROSECONDS_PER_ITERATION,
          String.format(Locale.ROOT, "eps after %d rounds=%.6f", ROUNDS, r[0]));
    }
    IncrementalAccountant warm = IncrementalAccountant.builder().delta(DELTA).build();
    warm.recordRounds(1.2, 120.0 / 3383, Sampling.POISSON, 100);
    double[] readMs = time(() -> {
      double s = 0;
      for (int i = 0; i < ROUNDS; i++) {
        s += warm.spent(1e-6).epsilon(); // not the cached δ: a full conversion over the 156 orders
      }
      return s;
    }, 20, Math.max(5, reps / 5), r);
    row("incremental: read epsilon alone (conversion over 156 orders)", readMs, "us", MICROSECONDS_PER_ITERATION,
        "per read");

    // 3. PLD: 10,000 compositions of a Poisson-subsampled Gaussian, interval 1e-4, against RDP.
    double q = 0.01;
    double sigma = 1.0;
    long steps = 10_000;
    double[] pldMs = time(() -> PldAccountant.create()
        .compose(DpEvent.poissonSampled(q, DpEvent.gaussian(sigma)), steps).epsilon(DELTA).epsilon(), 2, 5, r);
    double pld = r[0];
    PrivacyGuarantee rdp = RdpAccountant.create().compose(DpEvent.poissonSampled(q, DpEvent.gaussian(sigma)), steps)
        .epsilon(DELTA);
    row("pld epsilon q=0.01 z=1 T=10000 interval 1e-4", pldMs, "ms", 1,
        String.format(Locale.ROOT, "eps=%.6f (rdp %.6f at order %s: pld is %.6f lower, %.1f%%)", pld,
            rdp.epsilon(), rdp.optimalOrder().getAsDouble(), rdp.epsilon() - pld,
            100 * (rdp.epsilon() - pld) / rdp.epsilon()));
    double[] coarse = time(() -> PldAccountant.withInterval(1e-3)
        .compose(DpEvent.poissonSampled(q, DpEvent.gaussian(sigma)), steps).epsilon(DELTA).epsilon(), 2, 5, r);
    row("pld epsilon q=0.01 z=1 T=10000 interval 1e-3", coarse, "ms", 1,
        String.format(Locale.ROOT, "eps=%.6f (%.2e above interval 1e-4)", r[0], r[0] - pld));
  }
}
