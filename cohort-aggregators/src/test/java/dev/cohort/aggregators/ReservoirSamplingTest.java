package dev.cohort.aggregators;

import static dev.cohort.aggregators.Rounds.server;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link UnweightedReservoirSamplingFactory}: types, exactness up to the sample size, uniformity, seeds, bad input. */
class ReservoirSamplingTest {
  private static List<Tensor> scalars(int n) {
    List<Tensor> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Tensor.scalar((float) i));
    }
    return out;
  }

  private static float[] sample(Struct out) {
    return ((Tensor) server(out.get("result"))).toFloatArray();
  }

  @Test
  void typesAreTffsWithTheKeyAsState() {
    StructType type = StructType.named("a", TensorType.of(DType.FLOAT32, 2), "b", TensorType.INT32);
    AggregationProcess p = new UnweightedReservoirSamplingFactory(3, 1L).create(type);
    assertThat(p.next().typeSignature().toString()).isEqualTo("(<state=<seed=int64,round=int64>@SERVER,"
        + "value={<a=float32[2],b=int32>}@CLIENTS> -> <state=<seed=int64,round=int64>@SERVER,"
        + "result=<a=float32[?,2],b=int32[?]>@SERVER,measurements=<a=int64,b=int64>@SERVER>)");
  }

  /** With at most sampleSize clients the sample is every client, in client order; with none it is empty. */
  @Test
  void upToTheSampleSizeEveryClientIsKept() {
    StructType type = StructType.named("a", TensorType.of(DType.FLOAT32, 2), "b", TensorType.INT32);
    for (int n : new int[] {0, 1, 3, 5}) {
      List<Object> clients = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        clients.add(Struct.named("a", Tensor.of(new float[] {i, -i}, 2), "b", Tensor.scalar(10 * i)));
      }
      Struct result = (Struct) server(new Rounds(new UnweightedReservoirSamplingFactory(5, 2L).create(type))
          .next(clients).get("result"));
      Tensor a = (Tensor) result.get("a");
      Tensor b = (Tensor) result.get("b");
      assertThat(a.shape().dims()).containsExactly(n, 2);
      assertThat(b.shape().dims()).containsExactly(n);
      for (int i = 0; i < n; i++) {
        assertThat(a.floatData()[2 * i]).isEqualTo(i);
        assertThat(a.floatData()[2 * i + 1]).isEqualTo(-i);
        assertThat(b.intData()[i]).isEqualTo(10 * i);
      }
    }
  }

  /**
   * Over many rounds (fresh priorities each), each of 10 clients is in a sample of 3 with probability 3/10, and each
   * sample holds 3 distinct clients: every client's count within 4 standard deviations of its mean, and the counts'
   * chi-square statistic (9 degrees of freedom) below its 0.999 quantile, 27.88.
   */
  @Test
  void theSampleIsUniform() {
    int n = 10;
    int k = 3;
    int rounds = 2000;
    Rounds r = new Rounds(new UnweightedReservoirSamplingFactory(k, 77L).create(FLOAT32));
    List<Tensor> clients = scalars(n);
    int[] counts = new int[n];
    for (int round = 0; round < rounds; round++) {
      float[] s = sample(r.next(clients));
      assertThat(s).hasSize(k).doesNotHaveDuplicates();
      for (float x : s) {
        counts[(int) x]++;
      }
    }
    double mean = rounds * (double) k / n;
    double sd = Math.sqrt(rounds * (k / (double) n) * (1 - k / (double) n));
    double chi2 = 0;
    for (int i = 0; i < n; i++) {
      assertThat((double) counts[i]).as("client %d", i).isBetween(mean - 4 * sd, mean + 4 * sd);
      chi2 += (counts[i] - mean) * (counts[i] - mean) / mean;
    }
    assertThat(chi2).isLessThan(27.88);
  }

  @Test
  void theSameSeedGivesTheSameSamplesAndAnotherSeedOthers() {
    List<Tensor> clients = scalars(40);
    List<float[]> first = samples(new UnweightedReservoirSamplingFactory(4, 5L), clients);
    List<float[]> again = samples(new UnweightedReservoirSamplingFactory(4, 5L), clients);
    List<float[]> other = samples(new UnweightedReservoirSamplingFactory(4, 6L), clients);
    for (int i = 0; i < first.size(); i++) {
      assertThat(again.get(i)).containsExactly(first.get(i));
    }
    assertThat(other).usingElementComparator((x, y) -> java.util.Arrays.equals(x, y) ? 0 : 1)
        .isNotEqualTo(first);
    assertThat(first.get(0)).isNotEqualTo(first.get(1));
  }

  private static List<float[]> samples(UnweightedReservoirSamplingFactory f, List<Tensor> clients) {
    Rounds r = new Rounds(f.create(FLOAT32));
    List<float[]> out = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      out.add(sample(r.next(clients)));
    }
    return out;
  }

  /**
   * With the sampling metadata the result carries the kept clients' priorities: distinct, and the largest of all the
   * clients' (the same seed without metadata keeps the same values).
   */
  @Test
  void theMetadataAreTheKeptPriorities() {
    AggregationProcess p = new UnweightedReservoirSamplingFactory(3, true, 8L).create(FLOAT32);
    assertThat(p.next().typeSignature().toString())
        .contains("result=<random_values=int64[?],samples=float32[?]>@SERVER");
    List<Tensor> clients = scalars(12);
    Struct result = (Struct) server(new Rounds(p).next(clients).get("result"));
    long[] priorities = ((Tensor) result.get("random_values")).longData();
    float[] samples = ((Tensor) result.get("samples")).toFloatArray();
    assertThat(priorities).hasSize(3).doesNotHaveDuplicates();
    assertThat(samples).containsExactly(sample(new Rounds(new UnweightedReservoirSamplingFactory(3, 8L)
        .create(FLOAT32)).next(clients)));
    long[] all = new long[12];
    for (int i = 0; i < 12; i++) {
      all[i] = dev.cohort.tensor.RandomStream.of(8L, 0L, UnweightedReservoirSamplingFactory.RESERVOIR, i).nextLong();
    }
    long[] top = java.util.Arrays.stream(all).sorted().skip(9).toArray();
    assertThat(java.util.Arrays.stream(priorities).sorted().toArray()).containsExactly(top);
    for (int i = 0; i < 3; i++) {
      assertThat(all[(int) samples[i]]).isEqualTo(priorities[i]);
    }
  }

  /** TFF's example: per tensor, the number of clients whose tensor holds a NaN or an infinity. */
  @Test
  void measurementsCountTheClientsWithNonFiniteValuesPerTensor() {
    TensorType pair = TensorType.of(DType.FLOAT32, 2);
    StructType type = StructType.named("a", pair, "b", pair);
    Struct out = new Rounds(new UnweightedReservoirSamplingFactory(1, 3L).create(type)).next(List.of(
        Struct.named("a", Tensor.of(new float[] {1, 2}, 2), "b", Tensor.of(new float[] {1, Float.NaN}, 2)),
        Struct.named("a", Tensor.of(new float[] {Float.NaN, Float.POSITIVE_INFINITY}, 2),
            "b", Tensor.of(new float[] {1, 2}, 2)),
        Struct.named("a", Tensor.of(new float[] {1, 2}, 2),
            "b", Tensor.of(new float[] {Float.POSITIVE_INFINITY, Float.NaN}, 2))));
    assertThat(Rounds.measurement(out, "a")).isEqualTo(1);
    assertThat(Rounds.measurement(out, "b")).isEqualTo(2);
    assertThat(((Tensor) ((Struct) server(out.get("result"))).get("a")).shape().dims()).containsExactly(1, 2);
  }

  @Test
  void badArgumentsFailWhenBuilt() {
    assertThatThrownBy(() -> new UnweightedReservoirSamplingFactory(0, 1L))
        .hasMessage("UnweightedReservoirSamplingFactory: sampleSize (0) must be >= 1");
    assertThatThrownBy(() -> new UnweightedReservoirSamplingFactory(2, 1L).create(TensorType.STRING))
        .hasMessage("UnweightedReservoirSamplingFactory: the value type must be a numeric tensor type or a struct of"
            + " numeric tensor types with fully known shapes, found str");
    assertThatThrownBy(() -> new UnweightedReservoirSamplingFactory(2, 1L).create(TensorType.of(DType.FLOAT32,
        TensorType.UNKNOWN))).hasMessageContaining("with fully known shapes, found float32[?]");
  }
}
