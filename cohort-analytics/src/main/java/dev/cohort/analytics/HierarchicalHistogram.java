package dev.cohort.analytics;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedSum;

import dev.cohort.core.Computation;
import dev.cohort.core.types.FederatedType;
import dev.cohort.privacy.DpEvent;
import dev.cohort.privacy.PrivacyAccountant;
import dev.cohort.privacy.PrivacyGuarantee;

/**
 * A hierarchical histogram for range and quantile queries, TFF's {@code build_hierarchical_histogram_process}
 * (tff.md §5.2) as the Cohort computation {@code ({float32[?]*}@CLIENTS -> float32[nodes]@SERVER)}: each client
 * builds a histogram of {@code num_bins} equal-width bins over {@code [lower_bound, upper_bound]} (values outside are
 * clipped into it) from at most {@code max_records_per_user} of its records; the server sums the leaf histograms,
 * builds the tree from the leaves ({@code build_tree_from_leaf}: leaves padded with zeros to a power of
 * {@code arity}, each parent the sum of its children) and, for {@code central-gaussian}, adds Gaussian noise of
 * standard deviation {@code noise_multiplier * max_records_per_user * sqrt(layers)} to every node. The result is the
 * tree's layers, root first, flattened; {@link HistogramTree} reads it and answers queries.
 *
 * <pre>{@code
 * HierarchicalHistogram h = HierarchicalHistogram.builder(0, 100, 16).maxRecordsPerUser(1).noiseMultiplier(1.0).build();
 * HistogramTree tree = h.decode(h.computation().call(clients)).consistent();
 * tree.range(0, 7);         // records in the first half of [0, 100]
 * tree.quantile(0.5);       // the median, to the bin
 * }</pre>
 *
 * <p>Clipping: {@code sub-sampling} keeps a client's first {@code max_records_per_user} records and
 * {@code distinct} its first {@code max_records_per_user} distinct bins, each counted once (TFF samples them at
 * random; taking the first keeps runs deterministic and the sensitivity the same). One client then changes each
 * layer by at most {@code max_records_per_user} in L2 norm, hence the noise above: with noise multiplier {@code z}
 * the release is the Gaussian mechanism with noise multiplier {@code z}, user-level, add-or-remove-one
 * ({@link #dpEvent()}). The noise stream is keyed on the seed, which must be secret in a deployment.
 *
 * @param lowerBound the lower end of the range
 * @param upperBound the upper end, above {@code lowerBound}
 * @param numBins the leaves with data, at least 1
 * @param arity the children of each node, at least 2
 * @param distinct whether clipping counts distinct bins ({@code distinct}) or records ({@code sub-sampling})
 * @param maxRecordsPerUser the records (or distinct bins) a client contributes, at least 1
 * @param noiseMultiplier {@code z}, at least 0 (0: {@code no-noise})
 * @param seed the key of the noise stream
 */
public record HierarchicalHistogram(double lowerBound, double upperBound, int numBins, int arity, boolean distinct,
    int maxRecordsPerUser, double noiseMultiplier, long seed) {
  /**
   * Checks the parameters (TFF's ranges).
   *
   * @throws IllegalArgumentException naming the parameter, its range and its value
   */
  public HierarchicalHistogram {
    if (!Double.isFinite(lowerBound) || !Double.isFinite(upperBound) || !(lowerBound < upperBound)) {
      throw new IllegalArgumentException("lower_bound (" + lowerBound + ") must be finite and below upper_bound ("
          + upperBound + ")");
    }
    if (numBins < 1) {
      throw new IllegalArgumentException("num_bins must be at least 1, got " + numBins);
    }
    if (arity < 2) {
      throw new IllegalArgumentException("arity must be at least 2, got " + arity);
    }
    if (maxRecordsPerUser < 1) {
      throw new IllegalArgumentException("max_records_per_user must be at least 1, got " + maxRecordsPerUser);
    }
    if (!(noiseMultiplier >= 0) || Double.isInfinite(noiseMultiplier)) {
      throw new IllegalArgumentException("noise_multiplier must be finite and at least 0, got " + noiseMultiplier);
    }
    if ((long) nodes(numBins, arity) > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a tree of " + numBins + " bins and arity " + arity + " is too large");
    }
  }

  /** A builder with TFF's defaults: arity 2, sub-sampling, 10 records per user, no noise, seed 0. */
  public static Builder builder(double lowerBound, double upperBound, int numBins) {
    return new Builder(lowerBound, upperBound, numBins);
  }

  /** Builds a {@link HierarchicalHistogram}. */
  public static final class Builder {
    private final double lowerBound;
    private final double upperBound;
    private final int numBins;
    private int arity = 2;
    private boolean distinct;
    private int maxRecordsPerUser = 10;
    private double noiseMultiplier;
    private long seed;

    private Builder(double lowerBound, double upperBound, int numBins) {
      this.lowerBound = lowerBound;
      this.upperBound = upperBound;
      this.numBins = numBins;
    }

    /** The children of each node (default 2). */
    public Builder arity(int arity) {
      this.arity = arity;
      return this;
    }

    /** Clip by distinct bins ({@code distinct}, true) or records ({@code sub-sampling}, false, the default). */
    public Builder distinct(boolean distinct) {
      this.distinct = distinct;
      return this;
    }

    /** The records a client contributes (default 10). */
    public Builder maxRecordsPerUser(int maxRecordsPerUser) {
      this.maxRecordsPerUser = maxRecordsPerUser;
      return this;
    }

    /** Central Gaussian noise with this multiplier (default 0: none). */
    public Builder noiseMultiplier(double noiseMultiplier) {
      this.noiseMultiplier = noiseMultiplier;
      return this;
    }

    /** The key of the noise stream (default 0). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * The histogram.
     *
     * @throws IllegalArgumentException for a parameter out of range
     */
    public HierarchicalHistogram build() {
      return new HierarchicalHistogram(lowerBound, upperBound, numBins, arity, distinct, maxRecordsPerUser,
          noiseMultiplier, seed);
    }
  }

  /** The layers of the tree: {@code 1 + ceil(log_arity(numBins))}. */
  public int layers() {
    return layers(numBins, arity);
  }

  /** The standard deviation of the noise on each node. */
  public double noiseStddev() {
    return noiseMultiplier * maxRecordsPerUser * Math.sqrt(layers());
  }

  /** The federated computation {@code ({float32[?]*}@CLIENTS -> float32[nodes]@SERVER)}. */
  public Computation computation() {
    Computation client = AnalyticsLocals.leafHistogram(lowerBound, upperBound, numBins, distinct, maxRecordsPerUser);
    Computation tree = AnalyticsLocals.tree(numBins, arity, noiseStddev(), seed);
    return Computation.federated("hierarchical_histogram", "records",
        FederatedType.atClients(AnalyticsLocals.FLOAT_RECORDS),
        records -> federatedMap(tree, federatedSum(federatedMap(client, records))));
  }

  /** The tree of what {@link #computation()} returned, for queries. */
  public HistogramTree decode(Object serverOutput) {
    return HistogramTree.of(serverOutput, arity, lowerBound, upperBound, numBins);
  }

  /**
   * The event of one release, for an accountant.
   *
   * @throws IllegalStateException without noise
   */
  public DpEvent dpEvent() {
    if (noiseMultiplier == 0) {
      throw new IllegalStateException("a histogram without noise (noise_multiplier 0) is not differentially private");
    }
    return DpEvent.gaussian(noiseMultiplier);
  }

  /** The (ε, δ) of one release at {@code delta}, by {@code accountant} (an empty one). */
  public PrivacyGuarantee guarantee(PrivacyAccountant accountant, double delta) {
    return accountant.compose(dpEvent()).epsilon(delta);
  }

  /** The bin of {@code v}: equal widths over {@code [lower, upper]}, values outside clipped, {@code upper} last. */
  static int bin(double v, double lower, double upper, int bins) {
    double position = (v - lower) / (upper - lower) * bins;
    return position <= 0 ? 0 : position >= bins ? bins - 1 : (int) position;
  }

  static int layers(int bins, int arity) {
    int layers = 1;
    for (long width = 1; width < bins; width *= arity) {
      layers++;
    }
    return layers;
  }

  /** The nodes of the tree over {@code bins} leaves: {@code sum_l arity^l} over its layers. */
  static int nodes(int bins, int arity) {
    long nodes = 0;
    long width = 1;
    for (int l = 0; l < layers(bins, arity); l++) {
      nodes += width;
      width *= arity;
    }
    return (int) Math.min(nodes, Integer.MAX_VALUE);
  }

  /** The tree (layers root first, flattened) whose last layer is {@code leaves} padded with zeros. */
  static double[] treeFromLeaves(int[] leaves, int arity) {
    int layers = layers(leaves.length, arity);
    double[] tree = new double[nodes(leaves.length, arity)];
    int width = tree.length - (tree.length - 1) / arity;       // the leaf layer's width: arity^(layers-1)
    int start = tree.length - width;
    for (int i = 0; i < leaves.length; i++) {
      tree[start + i] = leaves[i];
    }
    for (int l = layers - 2; l >= 0; l--) {
      int childStart = start;
      width /= arity;
      start -= width;
      for (int i = 0; i < width; i++) {
        double sum = 0;
        for (int c = 0; c < arity; c++) {
          sum += tree[childStart + i * arity + c];
        }
        tree[start + i] = sum;
      }
    }
    return tree;
  }
}
