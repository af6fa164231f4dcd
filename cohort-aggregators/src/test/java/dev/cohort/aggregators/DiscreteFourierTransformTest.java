package dev.cohort.aggregators;

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

/** {@link DiscreteFourierTransformFactory} and its {@link Fft}: against the naive DFT, orthogonality, sums, seeds. */
class DiscreteFourierTransformTest {
  static Stream<Cases.Case> cases() {
    return Cases.of(0xDF7L, 12);
  }

  /** The naive {@code O(n^2)} DFT, the definition. */
  private static double[][] naive(double[] re, double[] im, boolean inverse) {
    int n = re.length;
    double[] outRe = new double[n];
    double[] outIm = new double[n];
    double sign = inverse ? 1 : -1;
    for (int m = 0; m < n; m++) {
      for (int j = 0; j < n; j++) {
        double angle = sign * 2 * Math.PI * ((long) j * m % n) / n;
        outRe[m] += re[j] * Math.cos(angle) - im[j] * Math.sin(angle);
        outIm[m] += re[j] * Math.sin(angle) + im[j] * Math.cos(angle);
      }
    }
    return new double[][] {outRe, outIm};
  }

  /** Radix-2 and Bluestein lengths (primes, odd, even non-powers) against the definition, both directions. */
  @ParameterizedTest
  @MethodSource("cases")
  void theFftIsTheDft(Cases.Case c) {
    for (int n : new int[] {1, 2, 3, 5, 8, 12, 17, 64, 97, c.between(2, 300)}) {
      double[] re = new double[n];
      double[] im = new double[n];
      for (int j = 0; j < n; j++) {
        re[j] = c.uniform(-1, 1);
        im[j] = c.uniform(-1, 1);
      }
      for (boolean inverse : new boolean[] {false, true}) {
        double[][] want = naive(re, im, inverse);
        double[] gotRe = re.clone();
        double[] gotIm = im.clone();
        Fft.transform(gotRe, gotIm, inverse);
        assertThat(gotRe).as("n=%d inverse=%s re", n, inverse).containsExactly(want[0], within(1e-9 * n));
        assertThat(gotIm).as("n=%d inverse=%s im", n, inverse).containsExactly(want[1], within(1e-9 * n));
      }
    }
  }

  private static double[][] randomPhases(RandomStream r, int k) {
    double[][] phase = new double[2][k];
    for (int j = 0; j < k; j++) {
      double theta = 2 * Math.PI * r.nextDouble();
      phase[0][j] = Math.cos(theta);
      phase[1][j] = Math.sin(theta);
    }
    return phase;
  }

  /** The rotation's matrix {@code R} on {@code R^d} (columns: rotated basis vectors) has {@code R^T R = I}. */
  @ParameterizedTest
  @MethodSource("cases")
  void theRotationIsOrthogonalAndTheInverseUndoesIt(Cases.Case c) {
    int d = 2 * c.between(1, 12);
    double[][] phase = randomPhases(RandomStream.of(c.seed()), d / 2);
    double[][] columns = new double[d][];
    for (int i = 0; i < d; i++) {
      double[] e = new double[d];
      e[i] = 1;
      DiscreteFourierTransformFactory.forward(e, phase);
      columns[i] = e;
    }
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        double dot = 0;
        for (int k = 0; k < d; k++) {
          dot += columns[i][k] * columns[j][k];
        }
        assertThat(dot).as("<R e_%d, R e_%d>", i, j).isCloseTo(i == j ? 1 : 0, within(1e-12));
      }
    }
    double[] x = new double[d];
    for (int k = 0; k < d; k++) {
      x[k] = c.uniform(-5, 5);
    }
    double[] y = x.clone();
    DiscreteFourierTransformFactory.forward(y, phase);
    DiscreteFourierTransformFactory.inverse(y, phase);
    assertThat(y).containsExactly(x, within(1e-12));
  }

  @Test
  void theSumThroughTheRotationIsThePlainSum() {
    StructType type = StructType.of(TensorType.of(DType.FLOAT32, 3, 3), FLOAT32, TensorType.of(DType.FLOAT32, 4));
    AggregationProcess p = new DiscreteFourierTransformFactory(new SumFactory(), 3, 21L).create(type);
    assertThat(p.stateType().toString()).isEqualTo("<key=<seed=int64,round=int64>,inner_agg=<>>@SERVER");
    assertThat(p.measurementsType().toString()).isEqualTo("<dft=<>>@SERVER");
    assertThat(p.next().typeSignature().toString())
        .contains("value={<float32[3,3],float32,float32[4]>}@CLIENTS")
        .contains("result=<float32[3,3],float32,float32[4]>@SERVER");
    RandomStream r = RandomStream.of(5L);
    Rounds rounds = new Rounds(p);
    for (int round = 0; round < 3; round++) {
      List<Object> clients = new ArrayList<>();
      double[] sum = new double[14];
      for (int c = 0; c < 7; c++) {
        float[] a = new float[9];
        float[] b = new float[4];
        float s = (float) r.nextGaussian();
        for (int k = 0; k < 9; k++) {
          a[k] = (float) (3 * r.nextGaussian());
          sum[k] += a[k];
        }
        sum[9] += s;
        for (int k = 0; k < 4; k++) {
          b[k] = (float) r.nextGaussian();
          sum[10 + k] += b[k];
        }
        clients.add(List.of(Tensor.of(a, 3, 3), Tensor.scalar(s), Tensor.of(b, 4)));
      }
      Struct out = rounds.next(clients);
      assertThat(((Tensor) ((Struct) server(out.get("result"))).get(0)).shape().dims()).containsExactly(3, 3);
      double[] got = Rounds.flatResult(out);
      for (int k = 0; k < sum.length; k++) {
        assertThat(got[k]).as("element %d, round %d", k, round).isCloseTo(sum[k], within(1e-4));
      }
    }
  }

  /** The rotated mean's extremes, which depend on the phases: same seed, same bits; another seed or round, not. */
  @Test
  void phasesComeFromTheSeedAndTheRound() {
    TensorType vector = TensorType.of(DType.FLOAT32, 7);
    List<Tensor> clients = List.of(Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7}, 7),
        Tensor.of(new float[] {0, -1, 0, 2, 0, -3, 0}, 7));
    List<Double> first = extremes(new DiscreteFourierTransformFactory(
        DebugMeasurements.add(new UnweightedMeanFactory()), 1, 4L).create(vector), clients);
    List<Double> again = extremes(new DiscreteFourierTransformFactory(
        DebugMeasurements.add(new UnweightedMeanFactory()), 1, 4L).create(vector), clients);
    List<Double> other = extremes(new DiscreteFourierTransformFactory(
        DebugMeasurements.add(new UnweightedMeanFactory()), 1, 5L).create(vector), clients);
    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
    assertThat(first.subList(0, 2)).isNotEqualTo(first.subList(2, 4));
  }

  /** {@code server_update_max} and {@code server_update_min} of the rotated mean in two rounds. */
  private static List<Double> extremes(AggregationProcess p, List<Tensor> clients) {
    Rounds rounds = new Rounds(p);
    List<Double> out = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      Struct o = rounds.next(clients);
      assertThat(Rounds.flatResult(o)).containsExactly(new double[] {0.5, 0.5, 1.5, 3, 2.5, 1.5, 3.5},
          within(1e-5));
      out.add(Rounds.measurement(o, "dft", "server_update_max"));
      out.add(Rounds.measurement(o, "dft", "server_update_min"));
    }
    return out;
  }

  @Test
  void badArgumentsFailWhenBuilt() {
    assertThatThrownBy(() -> new DiscreteFourierTransformFactory(new SumFactory(), 0, 1L))
        .hasMessage("DiscreteFourierTransformFactory: numRepeats (0) must be >= 1");
    assertThatThrownBy(() -> new DiscreteFourierTransformFactory(1L).create(TensorType.INT32))
        .hasMessage("DiscreteFourierTransformFactory: the value type must be a float32 tensor type or a struct of"
            + " float32 tensor types with fully known shapes, found int32");
  }
}
