package dev.cohort.simulation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Clients made from a centralized data set: each client's example indices (ascending, so a client keeps the data
 * set's order; shuffle its dataset to change it), its label counts, and the {@link LabelSkew} of the whole.
 */
public final class Partition {
  private final int[][] clients;
  private final int[][] labelCounts;
  private final int examples;
  private final LabelSkew skew;

  private Partition(int[][] clients, int[][] labelCounts, int examples, LabelSkew skew) {
    this.clients = clients;
    this.labelCounts = labelCounts;
    this.examples = examples;
    this.skew = skew;
  }

  /** The partition with these parts (sorted here) of the examples labelled {@code labels}. */
  static Partition of(int[][] parts, int[] labels) {
    int classes = Arrays.stream(labels).max().orElse(-1) + 1;
    int[][] sorted = new int[parts.length][];
    int[][] counts = new int[parts.length][classes];
    for (int k = 0; k < parts.length; k++) {
      sorted[k] = parts[k].clone();
      Arrays.sort(sorted[k]);
      for (int i : sorted[k]) {
        counts[k][labels[i]]++;
      }
    }
    return new Partition(sorted, counts, labels.length, LabelSkew.of(counts, classes));
  }

  /** The number of clients. */
  public int clients() {
    return clients.length;
  }

  /** The indices of client {@code k}'s examples in the centralized data, ascending (a copy). */
  public int[] examples(int k) {
    return clients[k].clone();
  }

  /** How many examples of each label client {@code k} has (a copy). */
  public int[] labelCounts(int k) {
    return labelCounts[k].clone();
  }

  /** The label skew of this partition. */
  public LabelSkew skew() {
    return skew;
  }

  /**
   * The clients as a ClientData over the centralized {@code tensors} (a {@link dev.cohort.tensor.Tensor} or a
   * {@link dev.cohort.core.values.Struct} of them with one row per example, as {@link Dataset#fromTensorSlices}
   * takes): client {@code k} has the id {@code k} zero-padded to the width of the largest id ({@code "007"}), so ids
   * sort in client order; its dataset reads its rows from the shared tensors, copying nothing until iterated.
   *
   * @throws IllegalArgumentException if the tensors do not have one row per partitioned example
   */
  public ClientData toClientData(Object tensors) {
    Dataset all = Dataset.fromTensorSlices(tensors);
    long rows = all.count();
    if (rows != examples) {
      throw new IllegalArgumentException("partition: the tensors have " + rows + " rows, but " + examples
          + " examples were partitioned");
    }
    int width = String.valueOf(Math.max(0, clients.length - 1)).length();
    List<String> ids = new ArrayList<>();
    for (int k = 0; k < clients.length; k++) {
      ids.add(String.format("%0" + width + "d", k));
    }
    return ClientData.of(ids, all.elementType(), id -> Dataset.slices(tensors, clients[Integer.parseInt(id)]));
  }

  @Override
  public String toString() {
    return "Partition(" + skew + ")";
  }
}
