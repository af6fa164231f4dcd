package dev.cohort.aggregators;

import static dev.cohort.aggregators.Rounds.measurement;
import static dev.cohort.aggregators.Rounds.server;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Tensor;
import dev.cohort.testing.Cases;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Quantisation and rotation: error bounds, unbiasedness, bits, inverses, keyed reproducibility. */
class CompressionTest {
  static Stream<Cases.Case> cases() {
    return Cases.of(0xC0DEL, 6);
  }

  private static float[] draw(Cases.Case c, int n, double scale) {
    float[] v = new float[n];
    for (int k = 0; k < n; k++) {
      v[k] = (float) c.uniform(-scale, scale);
    }
    return v;
  }

  /** Each decoded element is within one step {@code (max - min) / (2^bits - 1)} of the client's element. */
  @ParameterizedTest
  @MethodSource("cases")
  void quantisationErrorIsWithinOneStep(Cases.Case c) {
    int bits = c.between(1, 10);
    float[] v = draw(c, 257, c.logUniform(1e-2, 1e3));
    Tensor q = EncodedSumFactory.quantize(Tensor.of(v, v.length), bits, RandomStream.of(c.seed()));
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    for (float x : v) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    double step = ((double) max - min) / ((1 << bits) - 1);
    float[] got = q.floatData();
    for (int k = 0; k < v.length; k++) {
      assertThat((double) Math.abs(got[k] - v[k])).as("element %d, %d bits", k, bits)
          .isLessThanOrEqualTo(step * (1 + 1e-6));
    }
  }

  /** Stochastic rounding is unbiased: the mean of many decodings is within 4 standard errors of the value. */
  @Test
  void stochasticRoundingIsUnbiased() {
    float[] v = {0f, 0.3f, 0.71f, 1f};
    int draws = 20000;
    double[] mean = new double[v.length];
    for (int i = 0; i < draws; i++) {
      float[] q = EncodedSumFactory.quantize(Tensor.of(v, 4), 1, RandomStream.of(11, i)).floatData();
      for (int k = 0; k < v.length; k++) {
        mean[k] += q[k] / (double) draws;
      }
    }
    for (int k = 0; k < v.length; k++) {
      double se = Math.sqrt(v[k] * (1 - v[k]) / draws);
      assertThat(mean[k]).as("element %d", k).isCloseTo(v[k], within(4 * se + 1e-9));
    }
  }

  @Test
  void encodedSumCompressesOnlyAboveTheThresholdAndCountsBits() {
    StructType type = StructType.of(TensorType.of(DType.FLOAT32, 100), TensorType.of(DType.FLOAT32, 3));
    AggregationProcess p = EncodedSumFactory.quantizeAboveThreshold(4, 50, 3L).create(type);
    List<Object> clients = new ArrayList<>();
    float[] small = {1f, 2f, 3f};
    for (int i = 0; i < 3; i++) {
      float[] big = new float[100];
      for (int k = 0; k < 100; k++) {
        big[k] = (float) Math.sin(k + i);
      }
      clients.add(List.of(Tensor.of(big, 100), Tensor.of(small, 3)));
    }
    Struct out = new Rounds(p).next(clients);
    assertThat(measurement(out, "client_bits")).isEqualTo(100 * 4 + 64 + 3 * 32);
    assertThat(measurement(out, "uncompressed_client_bits")).isEqualTo(103 * 32);
    Struct result = (Struct) server(out.get("result"));
    assertThat(((Tensor) result.get(1)).toFloatArray()).containsExactly(3f, 6f, 9f);
    float[] big = ((Tensor) result.get(0)).toFloatArray();
    for (int k = 0; k < 100; k++) {
      double exact = Math.sin(k) + Math.sin(k + 1) + Math.sin(k + 2);
      assertThat((double) big[k]).isCloseTo(exact, within(3 * 2.0 / 15 + 1e-5));
    }
    Struct again = new Rounds(EncodedSumFactory.quantizeAboveThreshold(4, 50, 3L).create(type)).next(clients);
    assertThat(((Tensor) ((Struct) server(again.get("result"))).get(0)).toFloatArray()).containsExactly(big);
  }

  @Test
  void badEncodingParametersFailWhenBuilt() {
    assertThatThrownBy(() -> EncodedSumFactory.quantizeAboveThreshold(0, 10, 1L))
        .hasMessage("EncodedSumFactory.quantizeAboveThreshold: bits (0) must be in [1, 16]");
    assertThatThrownBy(() -> EncodedSumFactory.quantizeAboveThreshold(8, -1, 1L))
        .hasMessage("EncodedSumFactory.quantizeAboveThreshold: threshold (-1) must be >= 0");
    assertThatThrownBy(() -> new HadamardTransformFactory(new SumFactory(), 0, 1L))
        .hasMessage("HadamardTransformFactory: numRepeats (0) must be >= 1");
  }

  /** The transform is orthonormal: it keeps the L2 norm, and applied twice it is the identity. */
  @ParameterizedTest
  @MethodSource("cases")
  void walshHadamardIsOrthonormalAndSelfInverse(Cases.Case c) {
    int d = 1 << c.between(0, 9);
    double[] x = new double[d];
    double norm = 0;
    for (int k = 0; k < d; k++) {
      x[k] = c.uniform(-1, 1);
      norm += x[k] * x[k];
    }
    double[] y = x.clone();
    HadamardTransformFactory.orthonormalHadamard(y);
    double rotated = 0;
    for (double e : y) {
      rotated += e * e;
    }
    assertThat(rotated).isCloseTo(norm, within(1e-9 * Math.max(1, norm)));
    HadamardTransformFactory.orthonormalHadamard(y);
    assertThat(y).containsExactly(x, within(1e-12));
  }

  @Test
  void hadamardAroundASumGivesTheSumBack() {
    StructType type = StructType.of(TensorType.of(DType.FLOAT32, 3, 2), FLOAT32);
    AggregationProcess p = new HadamardTransformFactory(new SumFactory(), 2, 9L).create(type);
    assertThat(p.stateType().toString()).isEqualTo("<key=<seed=int64,round=int64>,inner_agg=<>>@SERVER");
    assertThat(p.measurementsType().toString()).isEqualTo("<hd=<>>@SERVER");
    Rounds rounds = new Rounds(p);
    for (int round = 0; round < 2; round++) {
      Struct out = rounds.next(List.of(
          List.of(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2), Tensor.scalar(1f)),
          List.of(Tensor.of(new float[] {-1, 0, 1, 0, -1, 0}, 3, 2), Tensor.scalar(2.5f))));
      Struct result = (Struct) server(out.get("result"));
      assertThat(((Tensor) result.get(0)).toFloatArray()).containsExactly(new float[] {0, 2, 4, 4, 4, 6},
          within(1e-5f));
      assertThat(((Tensor) result.get(0)).shape().dims()).containsExactly(3, 2);
      assertThat(((Tensor) result.get(1)).floatValue()).isCloseTo(3.5f, within(1e-5f));
    }
  }
}
