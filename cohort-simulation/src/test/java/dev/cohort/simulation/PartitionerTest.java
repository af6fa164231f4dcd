package dev.cohort.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.values.Struct;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PartitionerTest {
  /** 10 labels, 100 examples each, interleaved (example i has label i % 10). */
  static final int[] LABELS = IntStream.range(0, 1000).map(i -> i % 10).toArray();

  static void assertCoversEveryExampleOnce(Partition p, int n) {
    int[] seen = new int[n];
    for (int k = 0; k < p.clients(); k++) {
      int[] ex = p.examples(k);
      assertThat(ex).isSorted();
      for (int i : ex) {
        seen[i]++;
      }
    }
    assertThat(seen).containsOnly(1);
  }

  @Test
  void labelSkewOfGivenCountsIsTheClosedForm() {
    // Natural clients (e.g. writers): client 0 has labels {0: 3, 1: 1}, client 1 {1: 4}, client 2 none. Overall
    // mix (3/8, 5/8); TV of client 0: (|3/4 - 3/8| + |1/4 - 5/8|) / 2 = 3/8; of client 1: (3/8 + 3/8) / 2 = 3/8.
    LabelSkew s = LabelSkew.of(new int[][] {{3, 1}, {0, 4}, {0, 0}}, 2);
    assertThat(s).isEqualTo(new LabelSkew(3, 2, 1, 0, 4, 8 / 3.0, 1.5, 0.375));
  }

  @Test
  void iidGivesBalancedClientsWithTheGlobalLabelMix() {
    Partition p = Partitioner.iid(30, 5).partition(LABELS);
    assertCoversEveryExampleOnce(p, 1000);
    assertThat(p.skew().minExamples()).isEqualTo(33);
    assertThat(p.skew().maxExamples()).isEqualTo(34);
    assertThat(p.skew().meanTotalVariation()).isLessThan(0.25);
    assertThat(p.skew().meanLabelsPerClient()).isGreaterThan(9);
    assertThat(Partitioner.iid(30, 5).partition(LABELS).examples(3)).isEqualTo(p.examples(3));
    assertThat(Partitioner.iid(30, 6).partition(LABELS).examples(3)).isNotEqualTo(p.examples(3));
  }

  @Test
  void dirichletSkewGrowsAsAlphaShrinks() {
    Partition skewed = Partitioner.dirichlet(20, 0.1, 1).partition(LABELS);
    Partition mild = Partitioner.dirichlet(20, 100, 1).partition(LABELS);
    assertCoversEveryExampleOnce(skewed, 1000);
    assertCoversEveryExampleOnce(mild, 1000);
    assertThat(skewed.skew().meanTotalVariation()).isGreaterThan(0.6);
    assertThat(mild.skew().meanTotalVariation()).isLessThan(0.2);
    assertThat(skewed.skew().meanLabelsPerClient()).isLessThan(mild.skew().meanLabelsPerClient());
    assertThat(Partitioner.dirichlet(20, 0.1, 1).partition(LABELS).labelCounts(4))
        .isEqualTo(skewed.labelCounts(4));
    assertThat(skewed.skew().toString()).startsWith("20 clients, 10 labels: examples ");
  }

  @Test
  void shardsGiveEachClientAtMostItsShardsLabels() {
    Partition p = Partitioner.shards(20, 2, 9).partition(LABELS);
    assertCoversEveryExampleOnce(p, 1000);
    for (int k = 0; k < 20; k++) {
      assertThat(p.examples(k)).hasSize(50);
      assertThat(Arrays.stream(p.labelCounts(k)).filter(c -> c > 0).count()).isBetween(1L, 2L);
    }
    assertThat(p.skew().emptyClients()).isZero();
    assertThatThrownBy(() -> Partitioner.shards(600, 2, 1).partition(LABELS))
        .hasMessage("shard partitioning (600 clients x 2 shards): needs at least 1200 examples, got 1000");
  }

  @Test
  void aPartitionBecomesClientDataOverTheSharedTensors() {
    RandomStream r = RandomStream.of(3);
    Tensor x = r.uniform(dev.cohort.tensor.Shape.of(1000, 3), 0, 1);
    Struct data = Struct.named("x", x, "y", Tensor.ofInts(LABELS, 1000));
    Partition p = Partitioner.dirichlet(12, 0.5, 2).partition(LABELS);
    ClientData cd = p.toClientData(data);
    assertThat(cd.clientIds()).startsWith("00", "01", "02").hasSize(12);
    assertThat(cd.elementType()).hasToString("<x=float32[3],y=int32>");
    int[] rows = p.examples(7);
    List<Object> examples = cd.dataset("07").toList();
    assertThat(examples).hasSize(rows.length);
    for (int i = 0; i < rows.length; i++) {
      Struct e = (Struct) examples.get(i);
      assertThat(((Tensor) e.get("y")).intValue()).isEqualTo(LABELS[rows[i]]);
      assertThat(((Tensor) e.get("x")).floatData()).containsExactly(x.getFloat(rows[i], 0), x.getFloat(rows[i], 1),
          x.getFloat(rows[i], 2));
    }
    assertThatThrownBy(() -> p.toClientData(Tensor.zeros(5, 2)))
        .hasMessage("partition: the tensors have 5 rows, but 1000 examples were partitioned");
  }

  @Test
  void dirichletSamplesHaveTheMeanAlphaOverItsSum() {
    double[] alpha = {0.05, 0.5, 2, 7.5};
    double a0 = Arrays.stream(alpha).sum();
    int n = 20000;
    double[] sum = new double[alpha.length];
    RandomStream r = RandomStream.of(17);
    for (int s = 0; s < n; s++) {
      double[] p = Gamma.dirichlet(r, alpha);
      assertThat(Arrays.stream(p).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
      for (int i = 0; i < alpha.length; i++) {
        sum[i] += p[i];
      }
    }
    for (int i = 0; i < alpha.length; i++) {
      double mean = alpha[i] / a0;
      double sigma = Math.sqrt(alpha[i] * (a0 - alpha[i]) / (a0 * a0 * (a0 + 1)) / n);
      assertThat(Math.abs(sum[i] / n - mean)).as("component %d", i).isLessThan(4 * sigma);
    }
  }

  @Test
  void gammaSamplesHaveTheirShapeAsMeanAndVariance() {
    for (double shape : new double[] {0.2, 1, 3.5}) {
      RandomStream r = RandomStream.of(23, (long) (shape * 10));
      int n = 40000;
      double sum = 0;
      double sumSq = 0;
      for (int i = 0; i < n; i++) {
        double g = Math.exp(Gamma.logSample(r, shape));
        sum += g;
        sumSq += g * g;
      }
      double mean = sum / n;
      assertThat(Math.abs(mean - shape)).as("shape %s", shape).isLessThan(4 * Math.sqrt(shape / n));
      double variance = sumSq / n - mean * mean;
      assertThat(variance).as("shape %s", shape).isBetween(0.85 * shape, 1.15 * shape);
    }
  }
}
