package dev.cohort.simulation;

import java.util.Locale;

/**
 * How unevenly a {@link Partition} spreads labels and examples over clients.
 *
 * @param clients the number of clients
 * @param classes the number of labels ({@code 1 + } the largest)
 * @param emptyClients clients with no example
 * @param minExamples the fewest examples of a client
 * @param maxExamples the most examples of a client
 * @param meanExamples the mean examples per client
 * @param meanLabelsPerClient the mean number of distinct labels a non-empty client has
 * @param meanTotalVariation the mean, over non-empty clients, of the total variation distance between the client's
 *     label distribution and the whole data set's: 0 for identical distributions, near 1 for disjoint ones
 */
public record LabelSkew(int clients, int classes, int emptyClients, int minExamples, int maxExamples,
    double meanExamples, double meanLabelsPerClient, double meanTotalVariation) {

  /**
   * Computes the summary from each client's label counts ({@code counts[client][label]}, each row
   * {@code classes} long): a {@link Partition}'s, or those of naturally federated data.
   */
  public static LabelSkew of(int[][] counts, int classes) {
    long total = 0;
    long[] global = new long[classes];
    for (int[] client : counts) {
      for (int c = 0; c < classes; c++) {
        global[c] += client[c];
        total += client[c];
      }
    }
    int empty = 0;
    int min = Integer.MAX_VALUE;
    int max = 0;
    double labels = 0;
    double tv = 0;
    for (int[] client : counts) {
      int size = 0;
      int distinct = 0;
      for (int c = 0; c < classes; c++) {
        size += client[c];
        distinct += client[c] > 0 ? 1 : 0;
      }
      min = Math.min(min, size);
      max = Math.max(max, size);
      if (size == 0) {
        empty++;
        continue;
      }
      labels += distinct;
      double d = 0;
      for (int c = 0; c < classes; c++) {
        d += Math.abs((double) client[c] / size - (double) global[c] / total);
      }
      tv += d / 2;
    }
    int nonEmpty = counts.length - empty;
    return new LabelSkew(counts.length, classes, empty, counts.length == 0 ? 0 : min, max,
        counts.length == 0 ? 0 : (double) total / counts.length, nonEmpty == 0 ? 0 : labels / nonEmpty,
        nonEmpty == 0 ? 0 : tv / nonEmpty);
  }

  /**
   * One line, e.g. {@code 100 clients, 10 labels: examples 12..341 (mean 100.0, 0 empty), 2.31 labels per client,
   * mean TV distance 0.742}.
   */
  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%d clients, %d labels: examples %d..%d (mean %.1f, %d empty), %.2f labels"
        + " per client, mean TV distance %.3f", clients, classes, minExamples, maxExamples, meanExamples,
        emptyClients, meanLabelsPerClient, meanTotalVariation);
  }
}
