package dev.cohort.learning.algorithms;

import static dev.cohort.learning.algorithms.FedAvgTest.metrics;
import static dev.cohort.learning.algorithms.FedAvgTest.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.templates.LearningProcess;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class FedKMeansTest {
  /** Client {@code c}'s 2-d points around (±3, ±3). */
  static List<Tensor> points(int client) {
    RandomStream random = RandomStream.of(77, client);
    List<Tensor> out = new ArrayList<>();
    for (int i = 0; i < 10 + client; i++) {
      float cx = (i % 2 == 0 ? 3 : -3);
      float cy = ((i / 2) % 2 == 0 ? 3 : -3);
      out.add(Tensor.vector(cx + (float) random.nextGaussian() * 0.3f, cy + (float) random.nextGaussian() * 0.3f));
    }
    return out;
  }

  static List<Sequence> data() {
    List<Sequence> out = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      out.add(Sequence.of(points(c)));
    }
    return out;
  }

  @Test
  void oneRoundMovesEachCentroidToTheMeanOfItsNearestPoints() {
    LearningProcess kmeans = FedKMeans.of(4, new int[] {2}, 5);
    Object state = kmeans.initialize().call();
    float[] c = ((Tensor) ModelWeights.fromValue(kmeans.getModelWeights().call(server(state))).trainable().get(0))
        .floatData();
    double[] sums = new double[8];
    int[] counts = new int[4];
    for (int client = 0; client < 3; client++) {
      for (Tensor p : points(client)) {
        int best = 0;
        for (int j = 1; j < 4; j++) {
          if (sq(c, j, p) < sq(c, best, p)) {
            best = j;
          }
        }
        sums[2 * best] += p.floatData()[0];
        sums[2 * best + 1] += p.floatData()[1];
        counts[best]++;
      }
    }
    Struct out = (Struct) kmeans.next().call(state, data());
    float[] next = ((Tensor) ModelWeights.fromValue(kmeans.getModelWeights().call(server(out.get("state"))))
        .trainable().get(0)).floatData();
    for (int j = 0; j < 4; j++) {
      for (int i = 0; i < 2; i++) {
        double expected = counts[j] == 0 ? 0 : sums[2 * j + i] / counts[j];
        assertThat((double) next[2 * j + i]).isCloseTo(expected, Offset.offset(1e-5));
      }
    }
    assertThat(((Struct) server(out.get("state"))).get("finalizer")).isEqualTo(Tensor.ofInts(counts, 4));
    assertThat(metrics(out, "client_work").get("num_examples")).isEqualTo(Tensor.scalar(10 + 11 + 12));
  }

  private static double sq(float[] c, int j, Tensor p) {
    double dx = c[2 * j] - p.floatData()[0];
    double dy = c[2 * j + 1] - p.floatData()[1];
    return dx * dx + dy * dy;
  }

  @Test
  void aSecondRoundWeighsOldCentroidsByTheirPoints() {
    LearningProcess kmeans = FedKMeans.of(4, new int[] {2}, 5);
    Object state = ((Struct) kmeans.next().call(kmeans.initialize().call(), data())).get("state");
    Object before = kmeans.getModelWeights().call(server(state));
    Object after = kmeans.getModelWeights().call(server(((Struct) kmeans.next().call(state, data())).get("state")));
    // the same points again: every centroid is already the mean of its points, so (n c + s) / 2n = c
    float[] b = ((Tensor) ModelWeights.fromValue(before).trainable().get(0)).floatData();
    float[] a = ((Tensor) ModelWeights.fromValue(after).trainable().get(0)).floatData();
    for (int i = 0; i < a.length; i++) {
      assertThat((double) a[i]).isCloseTo(b[i], Offset.offset(1e-5));
    }
  }

  @Test
  void badArgumentsAreRejectedNamingThem() {
    assertThatThrownBy(() -> FedKMeans.of(0, new int[] {2}, 1)).hasMessage("num_clusters (0) must be >= 1");
  }
}
