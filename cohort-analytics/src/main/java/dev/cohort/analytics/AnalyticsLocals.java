package dev.cohort.analytics;

import dev.cohort.analytics.iblt.HashBuckets;
import dev.cohort.analytics.iblt.Utf8;
import dev.cohort.core.Computation;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Sequence;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Tensor;
import java.util.LinkedHashSet;

/**
 * The local functions of {@link DpHistogram}, {@link HierarchicalHistogram} and {@link HyperLogLog}, in one place:
 * each is registered under a name that encodes its parameters ({@code analytics.histogram.client_n10_k1}), so a
 * serialized computation loads in a JVM that built one with the same parameters.
 */
final class AnalyticsLocals {
  /** A client's integer records: {@code int32[?]*}. */
  static final SequenceType INT_RECORDS = SequenceType.of(TensorType.of(DType.INT32, TensorType.UNKNOWN));
  /** A client's real records: {@code float32[?]*}. */
  static final SequenceType FLOAT_RECORDS = SequenceType.of(TensorType.of(DType.FLOAT32, TensorType.UNKNOWN));
  /** A client's items for distinct counting: {@code str*}. */
  static final SequenceType ITEMS = SequenceType.of(TensorType.STRING);

  private AnalyticsLocals() {}

  /** A name part for a double: its bits in hex, so that every value has its own name. */
  static String id(double v) {
    return "x" + Long.toHexString(Double.doubleToLongBits(v));
  }

  /**
   * {@code (int32[?]* -> int32[n])}: a client's histogram over bins {@code 0..n-1}, each of its first {@code k}
   * distinct records (in order of appearance) counted once.
   *
   * @throws IllegalArgumentException (when run) for a record outside {@code [0, n)}, naming it
   */
  static Computation distinctBins(int n, int k) {
    return Computation.local("analytics.histogram.client_n" + n + "_k" + k, INT_RECORDS,
        TensorType.of(DType.INT32, n), d -> {
          LinkedHashSet<Integer> kept = new LinkedHashSet<>();
          long index = 0;
          for (Object batch : (Sequence) d) {
            for (int v : ((Tensor) batch).intData()) {
              if (v < 0 || v >= n) {
                throw new IllegalArgumentException("record " + index + " is " + v + ", outside the domain [0, " + n
                    + ")");
              }
              if (kept.size() < k) {
                kept.add(v);
              }
              index++;
            }
          }
          int[] counts = new int[n];
          kept.forEach(v -> counts[v]++);
          return Tensor.ofInts(counts, n);
        });
  }

  /**
   * {@code (int32[n] -> float32[n])}: the summed counts plus independent noise of scale {@code scale} per entry,
   * Laplace or Gaussian (standard deviation), from the stream keyed on {@code seed}; scale 0 adds none.
   */
  static Computation noisy(String what, int n, boolean gaussian, double scale, long seed) {
    return Computation.local("analytics." + what + ".noise_n" + n + (gaussian ? "_gauss_" : "_laplace_") + id(scale)
        + "_s" + Long.toUnsignedString(seed), TensorType.of(DType.INT32, n), TensorType.of(DType.FLOAT32, n), x -> {
          int[] counts = ((Tensor) x).intData();
          RandomStream random = RandomStream.of(seed, 0x4E4F_4953_45L); // "NOISE"
          float[] out = new float[n];
          for (int i = 0; i < n; i++) {
            double noise = scale == 0 ? 0 : gaussian ? scale * random.nextGaussian()
                : LaplaceThresholding.laplace(random, scale);
            out[i] = (float) (counts[i] + noise);
          }
          return Tensor.of(out, n);
        });
  }

  /**
   * {@code (float32[?]* -> int32[bins])}: a client's leaf histogram of equal-width bins over {@code [lower, upper]}
   * (values clipped into the range; {@code upper} in the last bin), from its first {@code maxRecords} records, or
   * with {@code distinct} from its first {@code maxRecords} distinct bins, each counted once. NaN fails the client.
   */
  static Computation leafHistogram(double lower, double upper, int bins, boolean distinct, int maxRecords) {
    return Computation.local("analytics.hierarchical_histogram.client_" + id(lower) + "_" + id(upper) + "_b" + bins
        + (distinct ? "_distinct_" : "_first_") + maxRecords, FLOAT_RECORDS, TensorType.of(DType.INT32, bins), d -> {
          int[] counts = new int[bins];
          LinkedHashSet<Integer> seen = new LinkedHashSet<>();
          int taken = 0;
          long index = 0;
          for (Object batch : (Sequence) d) {
            for (float v : ((Tensor) batch).floatData()) {
              if (Float.isNaN(v)) {
                throw new IllegalArgumentException("record " + index + " is NaN");
              }
              index++;
              int bin = HierarchicalHistogram.bin(v, lower, upper, bins);
              if (distinct ? seen.size() < maxRecords && seen.add(bin) : taken < maxRecords) {
                counts[bin]++;
                taken++;
              }
            }
          }
          return Tensor.ofInts(counts, bins);
        });
  }

  /**
   * {@code (int32[bins] -> float32[nodes])}: the hierarchical histogram of summed leaf counts (TFF's
   * {@code build_tree_from_leaf}: leaves padded with 0 to a power of {@code arity}, each parent the sum of its
   * children, layers root first), plus Gaussian noise of standard deviation {@code stddev} on every node.
   */
  static Computation tree(int bins, int arity, double stddev, long seed) {
    int nodes = HierarchicalHistogram.nodes(bins, arity);
    return Computation.local("analytics.hierarchical_histogram.tree_b" + bins + "_a" + arity + "_" + id(stddev) + "_s"
        + Long.toUnsignedString(seed), TensorType.of(DType.INT32, bins), TensorType.of(DType.FLOAT32, nodes), x -> {
          double[] tree = HierarchicalHistogram.treeFromLeaves(((Tensor) x).intData(), arity);
          RandomStream random = RandomStream.of(seed, 0x5452_4545L); // "TREE"
          float[] out = new float[nodes];
          for (int i = 0; i < nodes; i++) {
            out[i] = (float) (tree[i] + (stddev == 0 ? 0 : stddev * random.nextGaussian()));
          }
          return Tensor.of(out, nodes);
        });
  }

  /** {@code (str* -> int64[32])}: a client's HyperLogLog registers ({@link HyperLogLog#add}). */
  static Computation hyperLogLogClient() {
    return Computation.local("analytics.hyperloglog.client", ITEMS, HyperLogLog.SKETCH, d -> {
      long[] registers = new long[HyperLogLog.REGISTERS];
      for (Object item : (Sequence) d) {
        HyperLogLog.add(registers, Utf8.encode(((Tensor) item).stringValue()));
      }
      return Tensor.ofLongs(registers, HyperLogLog.REGISTERS);
    });
  }

  /** {@code (int64[32] -> int64)}: the estimate of the merged registers ({@link HyperLogLog#estimate}). */
  static Computation hyperLogLogEstimate() {
    return Computation.local("analytics.hyperloglog.estimate", HyperLogLog.SKETCH, TensorType.INT64,
        x -> Tensor.scalar(HyperLogLog.estimate(((Tensor) x).longData())));
  }

  /** Hash of an item as TFF's HyperLogLog takes it: {@code to_hash_bucket_fast(item, 2^32)}. */
  static long hash32(byte[] item) {
    return HashBuckets.bucket(item, 1L << 32);
  }
}
