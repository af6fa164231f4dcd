package dev.cohort.bench;

import dev.cohort.analytics.HeavyHitters;
import dev.cohort.analytics.HeavyHittersResult;
import dev.cohort.core.Computation;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Sequence;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Heavy hitters at scale (issue 14): simulated clients, each with 8 words drawn from a Zipf vocabulary, through the
 * whole {@link HeavyHitters} computation (each client's capped histogram encoded as an IBLT contribution, the
 * contributions summed, the sum decoded at the server), timed end to end for several client counts, with the peak
 * heap of each run (the JVM's heap pools' peak usage, reset before the run) to show that memory does not grow with
 * the clients, and the process's CPU time (all threads, GC included), whose clients per CPU-second do not depend on
 * what else the machine runs. The decoded counts are checked against the exact counts of the generated words.
 *
 * <p>Run: {@code bench/run HeavyHittersBench [--clients N,N,...] [--vocabulary V] [--capacity C] [--secure]}
 * (defaults: 250000,500000,1000000 clients; 10,000 words, Zipf exponent 1; capacity 12,000; plain sums). Clients are
 * generated on demand from (seed, client), so the input itself takes no memory.
 */
public final class HeavyHittersBench {
  private static final int WORDS_PER_CLIENT = 8;

  private HeavyHittersBench() {}

  /**
   * Zipf(1) over ranks 0..V-1 (probability proportional to {@code 1 / (rank + 1)}) as Walker's alias table, so that a
   * draw costs O(1): column {@code i} keeps rank {@code i} with probability {@code keep[i]}, else gives
   * {@code alias[i]}.
   */
  record Zipf(double[] keep, int[] alias) {
    static Zipf of(int vocabulary) {
      double[] p = new double[vocabulary];
      double sum = 0;
      for (int r = 0; r < vocabulary; r++) {
        sum += 1.0 / (r + 1);
      }
      for (int r = 0; r < vocabulary; r++) {
        p[r] = vocabulary / (r + 1) / sum;                  // scaled so that the mean is 1
      }
      double[] keep = new double[vocabulary];
      int[] alias = new int[vocabulary];
      ArrayDeque<Integer> small = new ArrayDeque<>();
      ArrayDeque<Integer> large = new ArrayDeque<>();
      for (int r = 0; r < vocabulary; r++) {
        (p[r] < 1 ? small : large).add(r);
      }
      while (!small.isEmpty() && !large.isEmpty()) {
        int s = small.poll();
        int l = large.peek();
        keep[s] = p[s];
        alias[s] = l;
        p[l] -= 1 - p[s];
        if (p[l] < 1) {
          small.add(large.poll());
        }
      }
      for (int r : large) {
        keep[r] = 1;
      }
      for (int r : small) {
        keep[r] = 1;                                        // rounding leftovers
      }
      return new Zipf(keep, alias);
    }

    int size() {
      return keep.length;
    }

    int draw(RandomStream random) {
      int column = random.nextInt(keep.length);
      return random.nextDouble() < keep[column] ? column : alias[column];
    }
  }

  /** Client {@code c}'s 8 word ranks, from the stream keyed on (1, c). */
  static int[] ranks(Zipf zipf, int c) {
    RandomStream random = RandomStream.of(1, c);
    int[] ranks = new int[WORDS_PER_CLIENT];
    for (int i = 0; i < ranks.length; i++) {
      ranks[i] = zipf.draw(random);
    }
    return ranks;
  }

  private static String word(int rank) {
    return "w" + rank;
  }

  /** The CPU time of this process (all threads, GC included). */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long peakHeapBytes() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak;
  }

  private static void resetPeaks() {
    System.gc();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
  }

  /** Runs the benchmark and prints one row per client count. */
  public static void main(String[] args) {
    int[] clientCounts = {250_000, 500_000, 1_000_000};
    int vocabulary = 10_000;
    int capacity = 12_000;
    boolean secure = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--clients" -> clientCounts = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--vocabulary" -> vocabulary = Integer.parseInt(args[++i]);
        case "--capacity" -> capacity = Integer.parseInt(args[++i]);
        case "--secure" -> secure = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; expected --clients N,..."
            + " --vocabulary V --capacity C --secure");
      }
    }
    Zipf zipf = Zipf.of(vocabulary);
    HeavyHitters.Builder b = HeavyHitters.builder().capacity(capacity).stringMaxBytes(10);
    Computation hh = (secure ? b.secureSumBitwidth(32) : b).build();
    System.out.printf(Locale.ROOT, "heavy hitters: %d words per client, Zipf(1) over %d words, capacity %d, %s sums,"
        + " %d processors, max heap %d MiB%n", WORDS_PER_CLIENT, vocabulary, capacity, secure ? "secure" : "plain",
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
    System.out.printf(Locale.ROOT, "%-10s %9s %12s %9s %16s %14s %8s %s%n", "clients", "seconds", "clients/s",
        "cpu s", "clients/cpu-s", "peak heap MiB", "decoded", "check");
    run(hh, zipf, 200_000); // warm-up: the JIT compiles the encode path
    for (int n : clientCounts) {
      resetPeaks();
      long t0 = System.nanoTime();
      long cpu0 = cpuNanos();
      HeavyHittersResult r = run(hh, zipf, n);
      double seconds = (System.nanoTime() - t0) / 1e9;
      double cpu = (cpuNanos() - cpu0) / 1e9;
      long peak = peakHeapBytes();
      String check = check(r, zipf, n);
      System.out.printf(Locale.ROOT, "%-10d %9.2f %12.0f %9.2f %16.0f %14.1f %8d %s%n", n, seconds, n / seconds, cpu,
          n / cpu, peak / 1048576.0, r.heavyHitters().size(), check);
    }
  }

  private static HeavyHittersResult run(Computation hh, Zipf zipf, int n) {
    FederatedValue clients = FederatedValue.atClients("simulated clients", n, c -> {
      int[] ranks = ranks(zipf, c);
      String[] words = new String[ranks.length];
      for (int i = 0; i < ranks.length; i++) {
        words[i] = word(ranks[i]);
      }
      return Sequence.of(List.of(Tensor.ofStrings(words, words.length)));
    });
    return HeavyHittersResult.of(hh.call(clients));
  }

  /** "exact" if every decoded count equals the generated words' count and nothing is left undecoded. */
  private static String check(HeavyHittersResult r, Zipf zipf, int n) {
    long[] counts = new long[zipf.size()];
    long[] users = new long[zipf.size()];
    for (int c = 0; c < n; c++) {
      int[] ranks = ranks(zipf, c);
      List<Integer> seen = new ArrayList<>();
      for (int rank : ranks) {
        counts[rank]++;
        if (!seen.contains(rank)) {
          seen.add(rank);
          users[rank]++;
        }
      }
    }
    long distinct = Arrays.stream(users).filter(u -> u > 0).count();
    if (r.numNotDecoded() != 0 || r.heavyHitters().size() != distinct) {
      return "NOT exact: " + r.heavyHitters().size() + " of " + distinct + " words, " + r.numNotDecoded()
          + " not decoded";
    }
    for (HeavyHittersResult.HeavyHitter h : r.heavyHitters()) {
      int rank = Integer.parseInt(h.word().substring(1));
      if (counts[rank] != h.count() || users[rank] != h.uniqueCount()) {
        return "NOT exact: " + h;
      }
    }
    return "exact (" + distinct + " words)";
  }
}
