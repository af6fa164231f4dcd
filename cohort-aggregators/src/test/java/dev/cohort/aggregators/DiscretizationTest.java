package dev.cohort.aggregators;

import static dev.cohort.aggregators.Rounds.server;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import dev.cohort.testing.Cases;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Discretization, modular clipping and concatenation, alone and composed as distributed DP composes them. */
class DiscretizationTest {
  private static final int N = 8;

  static Stream<Cases.Case> cases() {
    return Cases.of(0xD15CL, 6);
  }

  private static List<Object> clients(Cases.Case c, int count, double[] exact) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      float[] v = new float[N];
      for (int k = 0; k < N; k++) {
        v[k] = (float) c.uniform(-3, 3);
        exact[k] += v[k];
      }
      out.add(Tensor.of(v, N));
    }
    return out;
  }

  private static float[] sum(AggregationProcess p, List<Object> clients) {
    return ((Tensor) server(new Rounds(p).next(clients).get("result"))).toFloatArray();
  }

  /** Deterministic rounding: each client's element is off by at most half a step. */
  @ParameterizedTest
  @MethodSource("cases")
  void deterministicErrorIsAtMostHalfAStepPerClient(Cases.Case c) {
    double step = c.logUniform(1e-3, 1);
    int count = c.between(1, 10);
    double[] exact = new double[N];
    List<Object> values = clients(c, count, exact);
    float[] got = sum(DiscretizationFactory.deterministic(new SumFactory(), step).create(TensorType.of(DType.FLOAT32,
        N)), values);
    for (int k = 0; k < N; k++) {
      assertThat(Math.abs(got[k] - exact[k])).isLessThanOrEqualTo(count * step / 2 * (1 + 1e-5) + 1e-5);
    }
  }

  /** Stochastic rounding: each client's element is off by less than one step. */
  @ParameterizedTest
  @MethodSource("cases")
  void stochasticErrorIsBelowOneStepPerClient(Cases.Case c) {
    double scale = c.logUniform(1, 1000);
    int count = c.between(1, 10);
    double[] exact = new double[N];
    List<Object> values = clients(c, count, exact);
    float[] got = sum(DiscretizationFactory.scaled(new SumFactory(), scale, true, c.seed())
        .create(TensorType.of(DType.FLOAT32, N)), values);
    for (int k = 0; k < N; k++) {
      assertThat(Math.abs(got[k] - exact[k])).isLessThanOrEqualTo(count / scale * (1 + 1e-5) + 1e-5);
    }
  }

  @Test
  void stochasticRoundingIsUnbiased() {
    float x = 0.3f;
    int draws = 4000;
    double mean = 0;
    AggregationProcess p = DiscretizationFactory.stochastic(new SumFactory(), 1.0, 17L).create(FLOAT32);
    Rounds rounds = new Rounds(p);
    for (int i = 0; i < draws; i++) {
      mean += Rounds.result(rounds.next(List.of(x))) / draws;
    }
    assertThat(mean).isCloseTo(x, within(4 * Math.sqrt(x * (1 - x) / draws)));
  }

  @Test
  void statesAndMeasurementsAreTffs() {
    assertThat(DiscretizationFactory.scaled(new SumFactory(), 2.0, false, 0L).create(FLOAT32).stateType()
        .toString()).isEqualTo("<scale_factor=float32,prior_norm_bound=float32,inner_agg_process=<>>@SERVER");
    AggregationProcess stochastic = DiscretizationFactory.stochastic(new SumFactory(), 0.5, 1L).create(FLOAT32);
    assertThat(stochastic.stateType().toString())
        .isEqualTo("<step_size=float32,inner_agg_process=<>,key=<seed=int64,round=int64>>@SERVER");
    assertThat(stochastic.measurementsType().toString()).isEqualTo("<stochastic_discretization=<>>@SERVER");
    assertThat(new ModularClippingSumFactory(-5, 10).create(INT32).measurementsType().toString())
        .isEqualTo("<modclip=<>>@SERVER");
  }

  /**
   * TFF's distortion measurement: each client's mean squared rounding error, aggregated by the distortion factory.
   * Step 0.5 on {@code [0.3, 1.1]} and {@code [0.74, -0.2]}: grids {@code [1, 2]} and {@code [1, 0]} (half to even),
   * errors {@code 0.2, -0.1} and {@code -0.24, 0.2}, mean squared errors 0.025 and 0.0488, their mean 0.0369.
   */
  @Test
  void distortionIsTheClientsMeanSquaredRoundingError() {
    TensorType pair = TensorType.of(DType.FLOAT32, 2);
    AggregationProcess p = DiscretizationFactory.deterministic(new SumFactory(), 0.5, new UnweightedMeanFactory())
        .create(pair);
    assertThat(p.measurementsType().toString())
        .isEqualTo("<deterministic_discretization=<>,distortion=float32>@SERVER");
    Struct out = new Rounds(p).next(List.of(Tensor.vector(0.3f, 1.1f), Tensor.vector(0.74f, -0.2f)));
    assertThat(Rounds.flatResult(out)).containsExactly(new double[] {1.0, 1.0}, within(1e-6));
    assertThat(Rounds.measurement(out, "distortion")).isCloseTo(0.0369, within(1e-6));
    AggregationProcess s = DiscretizationFactory.stochastic(new SumFactory(), 0.5, 3L, new UnweightedMeanFactory())
        .create(pair);
    assertThat(s.measurementsType().toString()).isEqualTo("<stochastic_discretization=<>,distortion=float32>@SERVER");
    Rounds rounds = new Rounds(s);
    for (int round = 0; round < 5; round++) {
      double d = Rounds.measurement(rounds.next(List.of(Tensor.vector(0.3f, 1.1f), Tensor.vector(0.74f, -0.2f))),
          "distortion");
      assertThat(d).isBetween(0.0, 0.25);
    }
    assertThatThrownBy(() -> DiscretizationFactory.deterministic(new SumFactory(), 0.5, null))
        .hasMessage("distortion");
  }

  /**
   * TFF's estimated_stddev: 10,000 elements drawn from N(0, sigma^2), rounded, summed (one client) and wrapped into
   * {@code [-500, 500)}; the wrapped-normal estimate is sigma within 3 % for sigma 30 (no wrapping) and 300 (much of
   * the mass wraps).
   */
  @Test
  void theWrappedStandardDeviationIsEstimated() {
    TensorType vector = TensorType.of(DType.INT32, 10_000);
    for (double sigma : new double[] {30, 300}) {
      int[] draws = new int[10_000];
      java.util.SplittableRandom r = new java.util.SplittableRandom(9);
      for (int k = 0; k < draws.length; k++) {
        double g = Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
        draws[k] = (int) Math.round(sigma * g);
      }
      AggregationProcess p = new ModularClippingSumFactory(-500, 500, new SumFactory(), true).create(vector);
      assertThat(p.measurementsType().toString()).isEqualTo("<modclip=<>,estimated_stddev=float32>@SERVER");
      Struct out = new Rounds(p).next(List.of(Tensor.wrap(draws, dev.cohort.tensor.Shape.of(10_000))));
      assertThat(Rounds.measurement(out, "estimated_stddev")).as("sigma %s", sigma).isCloseTo(sigma,
          within(0.03 * sigma));
    }
    assertThatThrownBy(() -> new ModularClippingSumFactory(-5, 5, new SumFactory(), true).create(INT32))
        .hasMessage("ModularClippingSumFactory: estimating the standard deviation needs more than 1 element, found"
            + " int32 with 1");
  }

  /** TFF's inflated_l2_norm_bound at a point computed by hand: norm 1, gamma 0.1, dim 100, beta e^-1/2. */
  @Test
  void theInflatedNormBoundIsTffs() {
    assertThat(DiscretizationFactory.inflatedL2NormBound(1, 0.1, Math.exp(-0.5), 100))
        .isCloseTo(Math.sqrt(1.4), within(1e-12));
    assertThat(DiscretizationFactory.inflatedL2NormBound(1, 0.1, 0.0, 100)).isEqualTo(2.0);
  }

  /**
   * Conditional stochastic rounding (beta 0.9) of 1,000 halves keeps every rounded norm within the inflated bound of
   * the value's norm (sqrt 250): about 22.68, where unconditional rounding (norm sqrt of a Binomial(1000, 1/2)) exceeds
   * it in some rounds.
   */
  @Test
  void conditionalRoundingKeepsTheNormWithinTheInflatedBound() {
    TensorType vector = TensorType.of(DType.FLOAT32, 1000);
    float[] halves = new float[1000];
    java.util.Arrays.fill(halves, 0.5f);
    double threshold = DiscretizationFactory.inflatedL2NormBound(Math.sqrt(250), 1, 0.9, 1000);
    assertThat(threshold).isCloseTo(22.68, within(0.01));
    Rounds conditional = new Rounds(DiscretizationFactory.scaled(new SumFactory(), 1.0, 0.9, 0.0, 6L).create(vector));
    Rounds unconditional = new Rounds(DiscretizationFactory.scaled(new SumFactory(), 1.0, true, 6L).create(vector));
    int exceeded = 0;
    for (int round = 0; round < 20; round++) {
      double norm = norm(Rounds.flatResult(conditional.next(List.of(Tensor.of(halves, 1000)))));
      assertThat(norm).as("round %d", round).isLessThanOrEqualTo(threshold);
      if (norm(Rounds.flatResult(unconditional.next(List.of(Tensor.of(halves, 1000))))) > threshold) {
        exceeded++;
      }
    }
    assertThat(exceeded).as("unconditional rounds above the bound").isPositive();
    AggregationProcess prior = DiscretizationFactory.scaled(new SumFactory(), 1.0, 0.9, 20.0, 6L).create(vector);
    assertThat(((Tensor) ((Struct) server(prior.initialize().call())).get("prior_norm_bound")).floatValue())
        .isEqualTo(20f);
    double priorThreshold = DiscretizationFactory.inflatedL2NormBound(20, 1, 0.9, 1000);
    assertThat(norm(Rounds.flatResult(new Rounds(prior).next(List.of(Tensor.of(halves, 1000))))))
        .isLessThanOrEqualTo(priorThreshold);
  }

  private static double norm(double[] x) {
    return Math.sqrt(java.util.Arrays.stream(x).map(v -> v * v).sum());
  }

  /** TFF's docstring example: {@code [20, 5, -15, 10]} in {@code [-5, 10)} is {@code [5, 5, 0, -5]}. */
  @Test
  void modularClippingWrapsIntoTheRange() {
    AggregationProcess p = new ModularClippingSumFactory(-5, 10).create(TensorType.of(DType.INT32, 4));
    Struct out = new Rounds(p).next(List.of(Tensor.ofInts(new int[] {20, 5, -15, 10}, 4)));
    assertThat(((Tensor) server(out.get("result"))).intData()).containsExactly(5, 5, 0, -5);
    Struct two = new Rounds(new ModularClippingSumFactory(0, 7).create(INT32)).next(List.of(5, 6));
    assertThat(Rounds.result(two)).isEqualTo(4.0);
  }

  @Test
  void concatenationFlattensForTheInnerFactoryAndRestoresTheStructure() {
    StructType type = StructType.named("a", TensorType.of(DType.FLOAT32, 2), "b", TensorType.of(DType.FLOAT32, 2, 2));
    AggregationProcess p = Concat.concatFactory(new MeanFactory()).create(type, FLOAT32);
    assertThat(p.next().typeSignature().result().toString()).contains("result=<a=float32[2],b=float32[2,2]>@SERVER");
    Struct out = new Rounds(p).next(List.of(
        List.of(Tensor.vector(1, 2), Tensor.of(new float[] {1, 2, 3, 4}, 2, 2)),
        List.of(Tensor.vector(3, 4), Tensor.of(new float[] {5, 6, 7, 8}, 2, 2))), List.of(1f, 3f));
    Struct result = (Struct) server(out.get("result"));
    assertThat(((Tensor) result.get("a")).toFloatArray()).containsExactly(new float[] {2.5f, 3.5f}, within(1e-6f));
    assertThat(((Tensor) result.get("b")).shape().dims()).containsExactly(2, 2);
    assertThat(((Tensor) result.get("b")).toFloatArray()).containsExactly(new float[] {4, 5, 6, 7}, within(1e-6f));
    assertThatThrownBy(() -> Concat.concatFactory(new SumFactory()).create(StructType.of(FLOAT32, INT32)))
        .hasMessage("Concat.concatFactory: the value type must be a numeric tensor type or a struct of tensor types"
            + " of one dtype (float32, int32 or int64) with fully known shapes, found <float32,int32>");
  }

  /** Distributed DP's pipeline without noise: rotate, discretize, wrap, sum; the sum comes back within the bound. */
  @ParameterizedTest
  @MethodSource("cases")
  void rotatedDiscretizedModularSumRecoversTheSum(Cases.Case c) {
    double scale = 100;
    int count = c.between(1, 10);
    double[] exact = new double[N];
    List<Object> values = clients(c, count, exact);
    UnweightedAggregationFactory ddp = new HadamardTransformFactory(Concat.concatFactory(
        DiscretizationFactory.scaled(new ModularClippingSumFactory(-(1 << 20), 1 << 20), scale, true, 3L)), 1, 5L);
    float[] got = sum(ddp.create(TensorType.of(DType.FLOAT32, N)), values);
    for (int k = 0; k < N; k++) {
      // each rotated coordinate is off by < 1/scale per client; the inverse rotation keeps the L2 error
      assertThat(Math.abs(got[k] - exact[k])).isLessThanOrEqualTo(count * Math.sqrt(N) / scale + 1e-4);
    }
  }

  @Test
  void badParametersFailWhenBuilt() {
    assertThatThrownBy(() -> DiscretizationFactory.deterministic(new SumFactory(), 0.0))
        .hasMessage("DiscretizationFactory: step_size (0.0) must be a finite float32 > 0");
    assertThatThrownBy(() -> DiscretizationFactory.scaled(new SumFactory(), 1.0, 1.0, 0.0, 1L))
        .hasMessage("DiscretizationFactory: beta (1.0) must be in [0, 1)");
    assertThatThrownBy(() -> DiscretizationFactory.scaled(new SumFactory(), 1.0, 0.5, -1.0, 1L))
        .hasMessage("DiscretizationFactory: priorNormBound (-1.0) must be a finite float32 >= 0 (0 for none)");
    assertThatThrownBy(() -> DiscretizationFactory.scaled(new SumFactory(), 1.0, 0.5, 2.0, 1L)
        .create(StructType.of(FLOAT32, FLOAT32)))
        .hasMessage("DiscretizationFactory: a priorNormBound needs a tensor value type, found <float32,float32>");
    assertThatThrownBy(() -> new ModularClippingSumFactory(3, 3))
        .hasMessage("ModularClippingSumFactory: lower (3) must be < upper (3)");
    assertThatThrownBy(() -> new ModularClippingSumFactory(Integer.MIN_VALUE, Integer.MAX_VALUE))
        .hasMessageContaining("overflows int32");
    assertThatThrownBy(() -> new ModularClippingSumFactory(-4, 4).create(FLOAT32))
        .hasMessage("ModularClippingSumFactory: the value type must be an integer tensor type or a struct of integer"
            + " tensor types with fully known shapes, found float32");
    assertThatThrownBy(() -> DiscretizationFactory.deterministic(new SumFactory(), 0.5).create(TensorType.INT32))
        .hasMessageStartingWith("DiscretizationFactory: the value type must be a float32 tensor type");
  }
}
