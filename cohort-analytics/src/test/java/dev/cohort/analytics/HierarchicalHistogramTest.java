package dev.cohort.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HierarchicalHistogramTest {
  @Test
  void theTreeIsBuiltFromPaddedLeaves() {
    // 5 leaves, arity 2: padded to 8; layers [15], [10, 5], [3, 7, 5, 0], [1, 2, 3, 4, 5, 0, 0, 0].
    assertThat(HierarchicalHistogram.treeFromLeaves(new int[] {1, 2, 3, 4, 5}, 2)).containsExactly(
        15, 10, 5, 3, 7, 5, 0, 1, 2, 3, 4, 5, 0, 0, 0);
    assertThat(HierarchicalHistogram.treeFromLeaves(new int[] {1, 2, 3, 4}, 3)).containsExactly(
        10, 6, 4, 0, 1, 2, 3, 4, 0, 0, 0, 0, 0);
    assertThat(HierarchicalHistogram.treeFromLeaves(new int[] {9}, 2)).containsExactly(9);
  }

  @Test
  void withoutNoiseRangesAndQuantilesAreThoseOfTheRecords() {
    SplittableRandom r = new SplittableRandom(52);
    List<List<float[]>> clients = new ArrayList<>();
    long[] bins = new long[10];
    List<Integer> kept = new ArrayList<>();
    for (int c = 0; c < 40; c++) {
      float[] records = new float[r.nextInt(5)];
      for (int i = 0; i < records.length; i++) {
        records[i] = (float) (r.nextDouble() * 14 - 2);   // some below 0 and above 10: clipped
      }
      for (int i = 0; i < Math.min(3, records.length); i++) {
        int b = (int) Math.min(9, Math.max(0, Math.floor(records[i])));
        bins[b]++;
        kept.add(b);
      }
      clients.add(List.of(records));
    }
    HierarchicalHistogram h = HierarchicalHistogram.builder(0, 10, 10).maxRecordsPerUser(3).build();
    assertThat(h.computation().typeSignature()).hasToString("({float32[?]*}@CLIENTS -> float32[31]@SERVER)");
    HistogramTree tree = h.decode(h.computation().call(clients));
    assertThat(tree.layers()).isEqualTo(5);
    for (int lo = 0; lo < 10; lo++) {
      for (int hi = lo; hi < 10; hi++) {
        long direct = 0;
        for (int b = lo; b <= hi; b++) {
          direct += bins[b];
        }
        assertThat(tree.range(lo, hi)).as("[%d, %d]", lo, hi).isEqualTo(direct);
      }
    }
    kept.sort(null);
    for (double q : new double[] {0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0}) {
      int rank = (int) Math.max(0, Math.ceil(q * kept.size()) - 1);   // the smallest bin whose cumulative >= q n
      assertThat(tree.quantileBin(q)).as("q %s", q).isEqualTo(kept.get(rank));
      assertThat(tree.quantile(q)).isEqualTo((double) kept.get(rank));
    }
    assertThat(tree.consistent().nodes()).containsExactly(tree.nodes(), within(1e-9));   // already consistent
  }

  @Test
  void distinctClippingCountsEachClientsFirstDistinctBinsOnce() {
    HierarchicalHistogram h = HierarchicalHistogram.builder(0, 4, 4).distinct(true).maxRecordsPerUser(2).build();
    List<List<float[]>> clients = List.of(List.of(new float[] {0.5f, 0.7f, 3.9f, 2.0f}), List.of(new float[] {4f}));
    double[] expected = new double[4];
    for (List<float[]> c : clients) {
      LinkedHashSet<Integer> seen = new LinkedHashSet<>();
      for (float v : c.get(0)) {
        if (seen.size() < 2) {
          seen.add(Math.min(3, (int) v));
        }
      }
      seen.forEach(b -> expected[b]++);
    }
    assertThat(h.decode(h.computation().call(clients)).bins()).containsExactly(expected);
  }

  /** The least-squares fit of leaf counts to every node (A l = x), solved by the normal equations. */
  static double[] leastSquares(double[] x, int arity, int leaves) {
    int nodes = x.length;
    int layers = HierarchicalHistogram.layers(leaves, arity);
    double[][] a = new double[nodes][leaves];
    int start = 0;
    for (int l = 0; l < layers; l++) {
      int width = (int) Math.pow(arity, l);
      int span = leaves / width;
      for (int i = 0; i < width; i++) {
        for (int j = i * span; j < (i + 1) * span; j++) {
          a[start + i][j] = 1;
        }
      }
      start += width;
    }
    double[][] m = new double[leaves][leaves + 1];
    for (int i = 0; i < leaves; i++) {
      for (int j = 0; j < leaves; j++) {
        for (int v = 0; v < nodes; v++) {
          m[i][j] += a[v][i] * a[v][j];
        }
      }
      for (int v = 0; v < nodes; v++) {
        m[i][leaves] += a[v][i] * x[v];
      }
    }
    for (int p = 0; p < leaves; p++) {      // Gauss-Jordan; the matrix is symmetric positive definite
      for (int i = 0; i < leaves; i++) {
        if (i != p) {
          double f = m[i][p] / m[p][p];
          for (int j = p; j <= leaves; j++) {
            m[i][j] -= f * m[p][j];
          }
        }
      }
    }
    double[] fit = new double[nodes];
    for (int v = 0; v < nodes; v++) {
      for (int j = 0; j < leaves; j++) {
        fit[v] += a[v][j] * m[j][leaves] / m[j][j];
      }
    }
    return fit;
  }

  @Test
  void consistencyIsTheLeastSquaresTree() {
    SplittableRandom r = new SplittableRandom(7);
    for (int[] shape : new int[][] {{2, 8}, {2, 16}, {3, 9}, {4, 16}, {2, 5}}) {
      int arity = shape[0];
      int bins = shape[1];
      int nodes = HierarchicalHistogram.nodes(bins, arity);
      double[] noisy = new double[nodes];
      for (int i = 0; i < nodes; i++) {
        noisy[i] = 10 * r.nextDouble() - 3;
      }
      HistogramTree tree = HistogramTree.of(noisy, arity, 0, 1, bins).consistent();
      int leaves = nodes - (nodes - 1) / arity;
      double[] expected = leastSquares(noisy, arity, leaves);
      double[] actual = tree.nodes();
      for (int i = 0; i < nodes; i++) {
        assertThat(actual[i]).as("arity %d, %d bins, node %d", arity, bins, i).isCloseTo(expected[i], within(1e-9));
      }
    }
  }

  @Test
  void centralGaussianNoiseIsScaledToTheClientsContributionAndConsistencyReducesItsError() {
    HierarchicalHistogram h = HierarchicalHistogram.builder(0, 1, 64).maxRecordsPerUser(2).noiseMultiplier(0.5)
        .seed(11).build();
    assertThat(h.noiseStddev()).isEqualTo(0.5 * 2 * Math.sqrt(7));
    List<List<float[]>> clients = new ArrayList<>();
    for (int c = 0; c < 200; c++) {
      clients.add(List.of(new float[] {(c % 64 + 0.5f) / 64}));
    }
    double rawError = 0;
    double consistentError = 0;
    int trials = 30;
    for (int t = 0; t < trials; t++) {
      HierarchicalHistogram ht = HierarchicalHistogram.builder(0, 1, 64).maxRecordsPerUser(2).noiseMultiplier(0.5)
          .seed(t).build();
      HistogramTree raw = ht.decode(ht.computation().call(clients));
      HistogramTree consistent = raw.consistent();
      for (int lo = 0; lo < 64; lo += 9) {
        double exact = 0;
        for (int b = lo; b < 64; b++) {
          exact += b < 200 % 64 ? 4 : 3;
        }
        rawError += Math.pow(raw.range(lo, 63) - exact, 2);
        consistentError += Math.pow(consistent.range(lo, 63) - exact, 2);
      }
    }
    assertThat(consistentError).isLessThan(rawError);
  }

  @Test
  void badParametersAndQueriesAreNamed() {
    assertThatThrownBy(() -> HierarchicalHistogram.builder(1, 1, 4).build())
        .hasMessage("lower_bound (1.0) must be finite and below upper_bound (1.0)");
    assertThatThrownBy(() -> HierarchicalHistogram.builder(0, 1, 4).arity(1).build())
        .hasMessage("arity must be at least 2, got 1");
    assertThatThrownBy(() -> HierarchicalHistogram.builder(0, 1, 0).build())
        .hasMessage("num_bins must be at least 1, got 0");
    HistogramTree t = HistogramTree.of(new double[] {3, 1, 2}, 2, 0, 1, 2);
    assertThatThrownBy(() -> t.range(1, 2)).hasMessage("range [1, 2] must be within the bins [0, 1] with left <= right");
    assertThatThrownBy(() -> t.node(2, 0)).hasMessage("node (2, 0) is outside the tree of 2 layers");
    assertThatThrownBy(() -> t.quantileBin(1.5)).hasMessage("quantile q must be in [0, 1], got 1.5");
    assertThatThrownBy(() -> HistogramTree.of(new double[] {3, 1}, 2, 0, 1, 2))
        .hasMessage("a tree over 2 bins of arity 2 has 3 nodes, got 2");
  }
}
