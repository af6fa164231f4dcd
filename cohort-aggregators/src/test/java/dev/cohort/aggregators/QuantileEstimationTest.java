package dev.cohort.aggregators;

import static dev.cohort.aggregators.Rounds.measurement;
import static dev.cohort.aggregators.Rounds.server;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cohort.aggregators.QuantileEstimation.Update;
import dev.cohort.core.compiler.Compiler;
import dev.cohort.core.compiler.MapReduceForm;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.TypeAnalysis;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The quantile estimators of TF-Privacy's quantile_estimator_query_test.py, TFF's quantile_estimation_test.py and
 * aggregators/privacy/quantile_test.py (tff.md §7.2, privacy.md §3), and adaptive clipping built on them.
 */
class QuantileEstimationTest {
  private static final double LN2 = Math.log(2);

  /** Runs an estimation process round after round on the same client values. */
  private static final class Estimates {
    private final EstimationProcess process;
    private Object state;

    Estimates(EstimationProcess process) {
      this.process = process;
      this.state = process.initialize().call();
    }

    double current() {
      return ((Tensor) server(process.report().call(state))).getDouble();
    }

    double next(List<?> values) {
      state = process.next().call(state, values);
      return current();
    }
  }

  private static double[] iterate(EstimationProcess p, List<?> records, int rounds) {
    Estimates e = new Estimates(p);
    double[] out = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      out[i] = e.next(records);
    }
    return out;
  }

  @Test
  void theProcessPrintsTffsStateAndTypes() {
    EstimationProcess p = QuantileEstimation.noNoise(1.0, 0.5, 1.0);
    String state = "<<current_estimate=float32,target_quantile=float32,learning_rate=float32>,<>>@SERVER";
    assertThat(p.stateType().toString()).isEqualTo(state);
    assertThat(p.next().typeSignature().toString())
        .isEqualTo("(<state=" + state + ",value={float32}@CLIENTS> -> " + state + ")");
    assertThat(p.report().typeSignature().toString()).isEqualTo("(" + state + " -> float32@SERVER)");
  }

  @Test
  void iterateSequencesOfTheExactEstimator() {
    assertThat(iterate(QuantileEstimation.exact(10.0, 0.0, 1.0, Update.ARITHMETIC), List.of(8.5, 7.25), 5))
        .containsExactly(new double[] {9.0, 8.0, 7.5, 7.0, 7.0}, within(1e-5));
    assertThat(iterate(QuantileEstimation.exact(16.0, 0.0, LN2, Update.GEOMETRIC), List.of(5.0, 2.5), 5))
        .containsExactly(new double[] {8.0, 4.0, 4 / Math.sqrt(2), 2.0, 2.0}, within(1e-5));
    assertThat(iterate(QuantileEstimation.exact(0.0, 1.0, 1.0, Update.ARITHMETIC), List.of(1.5, 2.75), 5))
        .containsExactly(new double[] {1.0, 2.0, 2.5, 3.0, 3.0}, within(1e-5));
    assertThat(iterate(QuantileEstimation.exact(0.5, 1.0, LN2, Update.GEOMETRIC), List.of(1.5, 3.0), 5))
        .containsExactly(new double[] {1.0, 2.0, 2 * Math.sqrt(2), 4.0, 4.0}, within(1e-5));
  }

  @Test
  void theEstimateOfTheMedianOfAnEvenlySpacedSampleSettlesNearIt() {
    List<Double> records = new ArrayList<>();
    for (int i = 0; i <= 20; i++) {
      records.add(i * 10.0 / 20);
    }
    double[] estimates = iterate(QuantileEstimation.exact(0.0, 0.5, 1.0, Update.ARITHMETIC), records, 40);
    assertThat(estimates[39]).isCloseTo(5.0, within(0.25));
  }

  @Test
  void oneRoundWithAllRecordsAboveTheEstimate() {
    double c = 3.14159;
    double q = 0.61803;
    double lr = 2.71828;
    assertThat(iterate(QuantileEstimation.noNoise(c, q, lr), List.of(10.0, 20.0), 1)[0])
        .isCloseTo(c * Math.exp(lr * q), within(1e-4));
    assertThat(iterate(QuantileEstimation.exact(c, q, lr, Update.ARITHMETIC), List.of(10.0, 20.0), 1)[0])
        .isCloseTo(c + lr * q, within(1e-5));
  }

  @Test
  void noNoiseReportsAnAffineFunctionOfTheEstimate() {
    assertThat(new Estimates(QuantileEstimation.noNoise(1.0, 0.5, 1.0)).current()).isEqualTo(1.0);
    assertThat(new Estimates(QuantileEstimation.noNoise(1.0, 0.5, 1.0, 2.0, 1.0)).current()).isEqualTo(3.0);
    // One third of [0.5, 1.5, 2.5] lies below each estimate, so each round multiplies it by exp(1/6).
    assertThat(iterate(QuantileEstimation.noNoise(1.0, 0.5, 1.0), List.of(0.5, 1.5, 2.5), 3))
        .containsExactly(new double[] {Math.exp(1 / 6.0), Math.exp(2 / 6.0), Math.exp(3 / 6.0)}, within(1e-5));
  }

  @Test
  void aRoundWithoutClientsLeavesTheEstimate() {
    assertThat(iterate(QuantileEstimation.noNoise(2.0, 0.5, 1.0), List.of(), 1)[0]).isEqualTo(2.0);
  }

  @Test
  void adaptiveClippingConvergesToTheTargetQuantileOfTheNorms() {
    // 200 clients, each a float32[3] whose norm is log-normal; the same clients every round.
    SplittableRandom random = new SplittableRandom(20260511);
    List<float[]> clients = new ArrayList<>();
    double[] norms = new double[200];
    for (int i = 0; i < norms.length; i++) {
      float[] v = {(float) random.nextDouble(-1, 1), (float) random.nextDouble(-1, 1), (float) random.nextDouble(-1, 1)};
      double scale = Math.exp(1.0 + 0.5 * random.nextGaussian()) / Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
      for (int k = 0; k < 3; k++) {
        v[k] = (float) (v[k] * scale);
      }
      clients.add(v);
      norms[i] = Math.sqrt((double) v[0] * v[0] + (double) v[1] * v[1] + (double) v[2] * v[2]);
    }
    double[] sorted = norms.clone();
    Arrays.sort(sorted);
    double target = 0.8;
    AggregationProcess p = Robust.clipping(QuantileEstimation.noNoise(1.0, target, 0.2), new SumFactory())
        .create(TensorType.of(DType.FLOAT32, 3));
    Rounds rounds = new Rounds(p);
    double clip = 0;
    for (int round = 0; round < 100; round++) {
      clip = measurement(rounds.next(clients), "clipping_norm");
    }
    double finalClip = clip;
    long below = Arrays.stream(norms).filter(n -> n <= finalClip).count();
    assertThat(below / 200.0).isCloseTo(target, within(0.01));
    assertThat(clip).isBetween(sorted[158], sorted[161]);
  }

  /**
   * TFF's quantile_estimation_test: secure and non-secure estimation agree over 3 rounds on [0.5, 1.5, 2.5] (the secure
   * sum quantises each record to 32 bits over [-1, 1], so they agree within a few quantisation steps), and the secure
   * one's records cross to the server only inside a secure sum.
   */
  @Test
  void secureAndNonSecureEstimationAgree() {
    EstimationProcess plain = QuantileEstimation.noNoise(1.0, 0.5, 1.0, 2.0, 1.0);
    EstimationProcess secure = QuantileEstimation.noNoise(1.0, 0.5, 1.0, 2.0, 1.0, true);
    assertThat(secure.initialize().typeSignature()).isEqualTo(plain.initialize().typeSignature());
    assertThat(secure.next().typeSignature()).isEqualTo(plain.next().typeSignature());
    Object a = plain.initialize().call();
    Object b = secure.initialize().call();
    List<Double> data = List.of(0.5, 1.5, 2.5);
    for (int round = 0; round < 3; round++) {
      a = plain.next().call(a, data);
      b = secure.next().call(b, data);
      assertThat(report(secure, b)).isCloseTo(report(plain, a), within(1e-6));
    }
    assertThat(report(plain, a)).isNotEqualTo(3.0);
    MapReduceForm form = Compiler.toMapReduceForm(secure.next());
    assertThat(TypeAnalysis.contains(((StructType) form.work().typeSignature().result()).type(0),
        t -> t instanceof TensorType)).isFalse();
    assertThat(form.securelyAggregates()).isTrue();
  }

  private static double report(EstimationProcess p, Object state) {
    return ((Tensor) ((FederatedValue) p.report().call(state)).value()).getDouble();
  }

  @Test
  void badParametersAreRejectedWhenBuilt() {
    assertThatThrownBy(() -> QuantileEstimation.noNoise(1.0, 1.5, 0.2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("QuantileEstimation.noNoise: targetQuantile (1.5) must be in [0, 1]");
    assertThatThrownBy(() -> QuantileEstimation.noNoise(1.0, Double.NaN, 0.2))
        .hasMessage("QuantileEstimation.noNoise: targetQuantile (NaN) must be in [0, 1]");
    assertThatThrownBy(() -> QuantileEstimation.noNoise(-1.0, 0.5, 0.2))
        .hasMessage("QuantileEstimation.noNoise: initialEstimate (-1.0) must be a finite float32 > 0");
    assertThatThrownBy(() -> QuantileEstimation.noNoise(1.0, 0.5, 0.0))
        .hasMessage("QuantileEstimation.noNoise: learningRate (0.0) must be a finite float32 > 0");
    assertThatThrownBy(() -> QuantileEstimation.noNoise(1.0, 0.5, 0.2, 0.0, 1.0))
        .hasMessage("QuantileEstimation.noNoise: multiplier (0.0) must be a finite float32 > 0");
    assertThatThrownBy(() -> QuantileEstimation.noNoise(1.0, 0.5, 0.2, 2.0, -1.0))
        .hasMessage("QuantileEstimation.noNoise: increment (-1.0) must be a finite float32 >= 0");
    assertThatThrownBy(() -> QuantileEstimation.exact(0.0, 0.5, 0.2, Update.GEOMETRIC))
        .hasMessage("QuantileEstimation.exact: initialEstimate (0.0) must be a finite float32 > 0");
    assertThatThrownBy(() -> QuantileEstimation.exact(Double.POSITIVE_INFINITY, 0.5, 0.2, Update.ARITHMETIC))
        .hasMessage("QuantileEstimation.exact: initialEstimate (Infinity) must be a finite float32");
  }

  @Test
  void adaptiveZeroingUsesTheAffineReport() {
    // Zeroing threshold 2C + 1 from C = 1: 3.0 at first; of [1, 2, 5] only 5 is zeroed.
    AggregationProcess p = Robust.zeroing(QuantileEstimation.noNoise(1.0, 0.5, 1.0, 2.0, 1.0), NormOrder.LINF,
        new SumFactory()).create(StructType.of(FLOAT32));
    Struct out = new Rounds(p).next(List.of(List.of(1.0), List.of(2.0), List.of(5.0)));
    assertThat(measurement(out, "zeroing_norm")).isEqualTo(3.0);
    assertThat(measurement(out, "zeroed_count")).isEqualTo(1.0);
  }
}
