package dev.cohort.analytics;

import dev.cohort.core.types.Placement;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.tensor.Tensor;
import java.util.Arrays;

/**
 * A hierarchical histogram read for queries, TFF's {@code HierarchicalHistogramDecoder}: node, range and quantile
 * queries over the tree a {@link HierarchicalHistogram} released, and {@link #consistent()}, the efficient-tree
 * post-processing (Honaker 2015, "Efficient use of differentially private binary trees"; Hay et al. 2010), which
 * turns a noisy tree into the least-squares consistent one: every parent equal to the sum of its children, with the
 * smallest error for equal noise on every node. Queries on a noisy tree answer from the nodes they read; on a
 * consistent tree every way of reading a range gives the same answer.
 *
 * <p>Layers are numbered from the root (layer 0, one node) to the leaves (layer {@code layers() - 1}); bins are the
 * first {@code numBins} leaves, the rest padding.
 */
public final class HistogramTree {
  private final double[] nodes;
  private final int arity;
  private final int layers;
  private final double lowerBound;
  private final double upperBound;
  private final int numBins;

  private HistogramTree(double[] nodes, int arity, double lowerBound, double upperBound, int numBins) {
    this.nodes = nodes;
    this.arity = arity;
    this.layers = HierarchicalHistogram.layers(numBins, arity);
    this.lowerBound = lowerBound;
    this.upperBound = upperBound;
    this.numBins = numBins;
  }

  /**
   * The tree of a computation's output: a {@code float32[nodes]} tensor (at SERVER, or bare) or a
   * {@code double[]}, layers root first.
   *
   * @throws IllegalArgumentException if the size is not that of the tree over {@code numBins} leaves
   */
  public static HistogramTree of(Object tree, int arity, double lowerBound, double upperBound, int numBins) {
    new HierarchicalHistogram(lowerBound, upperBound, numBins, arity, false, 1, 0, 0); // checks the shape
    Object v = tree instanceof FederatedValue f && f.placement() == Placement.SERVER ? f.value() : tree;
    double[] nodes;
    if (v instanceof double[] d) {
      nodes = d.clone();
    } else if (v instanceof Tensor t) {
      float[] f = t.floatData();
      nodes = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        nodes[i] = f[i];
      }
    } else {
      throw new IllegalArgumentException("expected a float32 tensor or a double[] of tree nodes, got " + tree);
    }
    int expected = HierarchicalHistogram.nodes(numBins, arity);
    if (nodes.length != expected) {
      throw new IllegalArgumentException("a tree over " + numBins + " bins of arity " + arity + " has " + expected
          + " nodes, got " + nodes.length);
    }
    return new HistogramTree(nodes, arity, lowerBound, upperBound, numBins);
  }

  /** The layers, root to leaves. */
  public int layers() {
    return layers;
  }

  /**
   * The count at node {@code index} of {@code layer}.
   *
   * @throws IllegalArgumentException for a node outside the tree
   */
  public double node(int layer, int index) {
    if (layer < 0 || layer >= layers || index < 0 || index >= width(layer)) {
      throw new IllegalArgumentException("node (" + layer + ", " + index + ") is outside the tree of " + layers
          + " layers" + (layer >= 0 && layer < layers ? " (layer " + layer + " has " + width(layer) + " nodes)" : ""));
    }
    return nodes[start(layer) + index];
  }

  /**
   * The records in bins {@code left..right} (inclusive), read from the fewest nodes that cover them.
   *
   * @throws IllegalArgumentException unless {@code 0 <= left <= right < numBins}
   */
  public double range(int left, int right) {
    if (left < 0 || left > right || right >= numBins) {
      throw new IllegalArgumentException("range [" + left + ", " + right + "] must be within the bins [0, "
          + (numBins - 1) + "] with left <= right");
    }
    return range(0, 0, left, right);
  }

  private double range(int layer, int index, int left, int right) {
    long span = leavesUnder(layer);
    long first = index * span;
    long last = first + span - 1;
    if (right < first || left > last) {
      return 0;
    }
    if (left <= first && last <= right) {
      return nodes[start(layer) + index];
    }
    double sum = 0;
    for (int c = 0; c < arity; c++) {
      sum += range(layer + 1, index * arity + c, left, right);
    }
    return sum;
  }

  /**
   * The bin of the {@code q}-quantile: descending from the root, the child in which the cumulative count reaches
   * {@code q} times the root's count (skipping children without records), down to a leaf.
   *
   * @throws IllegalArgumentException unless {@code q} is in {@code [0, 1]}
   */
  public int quantileBin(double q) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("quantile q must be in [0, 1], got " + q);
    }
    double target = q * nodes[0];
    int index = 0;
    for (int layer = 1; layer < layers; layer++) {
      int child = index * arity;
      int chosen = -1;
      for (int c = 0; c < arity && chosen < 0; c++) {
        double count = nodes[start(layer) + child + c];
        if (count > 0 && count >= target) {
          chosen = child + c;
        } else if (count > 0) {
          target -= count;
        }
      }
      index = chosen >= 0 ? chosen : child + arity - 1;
    }
    return Math.min(index, numBins - 1);
  }

  /** The lower edge of the {@code q}-quantile's bin, in the units of the records. */
  public double quantile(double q) {
    return lowerBound + quantileBin(q) * (upperBound - lowerBound) / numBins;
  }

  /** The leaf counts of the bins (without the padding). */
  public double[] bins() {
    return Arrays.copyOfRange(nodes, start(layers - 1), start(layers - 1) + numBins);
  }

  /** The nodes, layers root first. */
  public double[] nodes() {
    return nodes.clone();
  }

  /**
   * The least-squares consistent tree (the efficient-tree estimate): a bottom-up pass combining each node's count
   * with the sum of its children's estimates, weighted by their variances, and a top-down pass spreading each
   * parent's remaining difference equally over its children. For a tree that is already consistent it is the same
   * tree; padding leaves are estimated like the others.
   */
  public HistogramTree consistent() {
    double[] z = nodes.clone();
    double k = arity;
    for (int layer = layers - 2; layer >= 0; layer--) {
      int h = layers - layer;                    // leaves have height 1
      double kh = Math.pow(k, h);
      double kh1 = Math.pow(k, h - 1);
      for (int i = 0; i < width(layer); i++) {
        double children = 0;
        for (int c = 0; c < arity; c++) {
          children += z[start(layer + 1) + i * arity + c];
        }
        int v = start(layer) + i;
        z[v] = (kh - kh1) / (kh - 1) * nodes[v] + (kh1 - 1) / (kh - 1) * children;
      }
    }
    double[] out = z.clone();
    for (int layer = 0; layer < layers - 1; layer++) {
      for (int i = 0; i < width(layer); i++) {
        double children = 0;
        for (int c = 0; c < arity; c++) {
          children += z[start(layer + 1) + i * arity + c];
        }
        double share = (out[start(layer) + i] - children) / k;
        for (int c = 0; c < arity; c++) {
          int u = start(layer + 1) + i * arity + c;
          out[u] = z[u] + share;
        }
      }
    }
    return new HistogramTree(out, arity, lowerBound, upperBound, numBins);
  }

  private int width(int layer) {
    return (int) Math.pow(arity, layer);
  }

  private long leavesUnder(int layer) {
    return (long) Math.pow(arity, layers - 1 - layer);
  }

  private int start(int layer) {
    int s = 0;
    for (int l = 0; l < layer; l++) {
      s += width(l);
    }
    return s;
  }
}
