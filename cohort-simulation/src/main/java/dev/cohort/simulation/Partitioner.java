package dev.cohort.simulation;

import dev.cohort.tensor.RandomStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Splits a centralized data set into clients, by its labels: IID, Dirichlet over labels, or label shards. Each is
 * seeded (the same seed and labels give the same partition) and returns a {@link Partition} that lists each
 * client's example indices and summarizes the label skew it made ({@link LabelSkew}).
 */
public sealed interface Partitioner permits Partitioner.Iid, Partitioner.Dirichlet, Partitioner.Shards {
  /**
   * The partition of the examples whose labels are {@code labels} (one per example, each {@code >= 0}).
   *
   * @throws IllegalArgumentException if a label is negative, or there are too few examples for the partitioner
   */
  Partition partition(int[] labels);

  /** Examples shuffled and dealt into {@code clients} parts whose sizes differ by at most one. */
  static Iid iid(int clients, long seed) {
    return new Iid(clients, seed);
  }

  /**
   * For each label, the proportions of its examples going to each client are drawn from
   * {@code Dirichlet(alpha, ..., alpha)} (Hsu et al., "Measuring the effects of non-identical data distribution for
   * federated visual classification", 2019; Yurochkin et al. 2019): small {@code alpha} gives clients dominated by
   * few labels, large {@code alpha} approaches IID. Some clients may get no example at small {@code alpha};
   * {@link LabelSkew#emptyClients()} counts them.
   */
  static Dirichlet dirichlet(int clients, double alpha, long seed) {
    return new Dirichlet(clients, alpha, seed);
  }

  /**
   * Examples sorted by label and cut into {@code clients * shardsPerClient} equal shards, each client getting
   * {@code shardsPerClient} random shards (McMahan et al., "Communication-efficient learning of deep networks from
   * decentralized data", 2017: 200 shards of 300 MNIST examples, two per client).
   */
  static Shards shards(int clients, int shardsPerClient, long seed) {
    return new Shards(clients, shardsPerClient, seed);
  }

  /**
   * IID partitioning.
   *
   * @param clients the number of clients, at least 1
   * @param seed the seed
   */
  record Iid(int clients, long seed) implements Partitioner {
    private static final long PURPOSE = 0x4949_44L; // "IID"

    /** Validates the settings. */
    public Iid {
      requirePositive(clients, "IID partitioning: clients");
    }

    @Override
    public Partition partition(int[] labels) {
      checkLabels(labels, clients, "IID partitioning");
      int n = labels.length;
      int[] perm = RandomStream.of(seed, PURPOSE).permutation(n);
      int[][] parts = new int[clients][];
      for (int k = 0; k < clients; k++) {
        parts[k] = Arrays.copyOfRange(perm, (int) ((long) k * n / clients), (int) ((long) (k + 1) * n / clients));
      }
      return Partition.of(parts, labels);
    }
  }

  /**
   * Dirichlet partitioning over labels.
   *
   * @param clients the number of clients, at least 1
   * @param alpha the concentration, {@code > 0}
   * @param seed the seed
   */
  record Dirichlet(int clients, double alpha, long seed) implements Partitioner {
    private static final long PURPOSE = 0x4449_5249_4348_4CL; // "DIRICHL"

    /** Validates the settings. */
    public Dirichlet {
      requirePositive(clients, "Dirichlet partitioning: clients");
      if (!(alpha > 0) || Double.isInfinite(alpha)) {
        throw new IllegalArgumentException("Dirichlet partitioning: alpha (" + alpha + ") must be > 0 and finite");
      }
    }

    @Override
    public Partition partition(int[] labels) {
      int classes = checkLabels(labels, 1, "Dirichlet partitioning");
      List<List<Integer>> parts = new ArrayList<>();
      for (int k = 0; k < clients; k++) {
        parts.add(new ArrayList<>());
      }
      double[] concentration = new double[clients];
      Arrays.fill(concentration, alpha);
      for (int c = 0; c < classes; c++) {
        int label = c;
        int[] members = IntStream.range(0, labels.length).filter(i -> labels[i] == label).toArray();
        RandomStream random = RandomStream.of(seed, PURPOSE, c);
        int[] order = random.permutation(members.length);
        double[] p = Gamma.dirichlet(random, concentration);
        double cumulative = 0;
        int start = 0;
        for (int k = 0; k < clients; k++) {
          cumulative += p[k];
          int end = k == clients - 1 ? members.length : (int) Math.min(members.length,
              Math.round(cumulative * members.length));
          for (int j = start; j < end; j++) {
            parts.get(k).add(members[order[j]]);
          }
          start = Math.max(start, end);
        }
      }
      int[][] out = new int[clients][];
      for (int k = 0; k < clients; k++) {
        out[k] = parts.get(k).stream().mapToInt(Integer::intValue).toArray();
      }
      return Partition.of(out, labels);
    }
  }

  /**
   * Label-shard partitioning.
   *
   * @param clients the number of clients, at least 1
   * @param shardsPerClient shards per client, at least 1
   * @param seed the seed
   */
  record Shards(int clients, int shardsPerClient, long seed) implements Partitioner {
    private static final long PURPOSE = 0x5348_4152_4453L; // "SHARDS"

    /** Validates the settings. */
    public Shards {
      requirePositive(clients, "shard partitioning: clients");
      requirePositive(shardsPerClient, "shard partitioning: shards per client");
      if ((long) clients * shardsPerClient > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("shard partitioning: " + clients + " clients x " + shardsPerClient
            + " shards is too many shards");
      }
    }

    @Override
    public Partition partition(int[] labels) {
      int shards = clients * shardsPerClient;
      checkLabels(labels, shards, "shard partitioning (" + clients + " clients x " + shardsPerClient + " shards)");
      int n = labels.length;
      int[] sorted = IntStream.range(0, n).boxed()
          .sorted((a, b) -> labels[a] != labels[b] ? Integer.compare(labels[a], labels[b]) : Integer.compare(a, b))
          .mapToInt(Integer::intValue).toArray();
      int[] shardOrder = RandomStream.of(seed, PURPOSE).permutation(shards);
      int[][] parts = new int[clients][];
      for (int k = 0; k < clients; k++) {
        int[] part = new int[0];
        for (int s = 0; s < shardsPerClient; s++) {
          int shard = shardOrder[k * shardsPerClient + s];
          int from = (int) ((long) shard * n / shards);
          int to = (int) ((long) (shard + 1) * n / shards);
          int old = part.length;
          part = Arrays.copyOf(part, old + to - from);
          System.arraycopy(sorted, from, part, old, to - from);
        }
        parts[k] = part;
      }
      return Partition.of(parts, labels);
    }
  }

  private static void requirePositive(int value, String what) {
    if (value < 1) {
      throw new IllegalArgumentException(what + " (" + value + ") must be >= 1");
    }
  }

  /** Checks the labels and that there are at least {@code minExamples}; returns the number of classes. */
  private static int checkLabels(int[] labels, int minExamples, String partitioner) {
    int max = -1;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        throw new IllegalArgumentException(partitioner + ": label " + i + " is " + labels[i] + "; labels must be >= 0");
      }
      max = Math.max(max, labels[i]);
    }
    if (labels.length < minExamples) {
      throw new IllegalArgumentException(partitioner + ": needs at least " + minExamples + " examples, got "
          + labels.length);
    }
    return max + 1;
  }
}
