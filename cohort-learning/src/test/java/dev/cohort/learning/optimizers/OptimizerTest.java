package dev.cohort.learning.optimizers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.Computation;
import dev.cohort.core.ast.Expr;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.Nest;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The optimizers against TFF's unit tests (reference tff.md §7.1; google-parfait/tensorflow-federated:
 * tensorflow_federated/python/learning/optimizers/*_test.py): four-step trajectories of a scalar weight 1.0 under the
 * constant gradient 2.0, convergence on TFF's 5-dimensional quadratic, hyper-parameters and bad arguments.
 */
class OptimizerTest {
  private static final TensorType SCALAR_SPEC = TensorType.of(DType.FLOAT32, 1);

  static Stream<Arguments> trajectories() {
    return Stream.of(
        Arguments.of("sgdm(0.01)", Optimizer.sgdm(0.01), new double[] {1.0, 0.98, 0.96, 0.94, 0.92}, 1e-6),
        Arguments.of("sgdm(0.01, 0.5)", Optimizer.sgdm(0.01, 0.5),
            new double[] {1.0, 0.98, 0.95, 0.915, 0.8775}, 1e-6),
        Arguments.of("sgdm(0.01, 0.5, nesterov)", Optimizer.sgdm(0.01, 0.5, true),
            new double[] {1.0, 0.97, 0.935, 0.8975, 0.85875}, 1e-6),
        Arguments.of("adagrad(0.01, 0, 0)", Optimizer.adagrad(0.01, 0.0, 0.0),
            new double[] {1.0, 0.99, 0.9829289, 0.9771554, 0.9721554}, 1e-6),
        Arguments.of("rmsprop(0.01, 0.5, 0)", Optimizer.rmsprop(0.01, 0.5, 0.0),
            new double[] {1.0, 0.98585784, 0.97431080, 0.96362036, 0.95329240}, 1e-6),
        Arguments.of("adam(0.1, 0.9, 0.999, 0)", Optimizer.adam(0.1, 0.9, 0.999, 0.0),
            new double[] {1.0, 0.9, 0.8, 0.7, 0.6}, 1e-6),
        Arguments.of("yogi(0.1, 0.9, 0.999, 0, 0)", Optimizer.yogi(0.1, 0.9, 0.999, 0.0, 0.0),
            new double[] {1.0, 0.9, 0.8, 0.7, 0.6}, 1e-4));
  }

  /** TFF's {@code assertAllClose}: {@code |actual - expected| <= tol + tol * |expected|}. */
  private static void assertClose(float actual, double expected, double tolerance, String what) {
    assertThat(Math.abs(actual - expected)).as("%s: %s vs expected %s", what, actual, expected)
        .isLessThanOrEqualTo(tolerance + tolerance * Math.abs(expected));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("trajectories")
  void reproducesTffsFourStepTrajectory(String name, Optimizer optimizer, double[] expected, double tolerance) {
    Object weights = Tensor.vector(1f);
    Struct state = optimizer.initialize(SCALAR_SPEC);
    List<Float> history = new ArrayList<>(List.of(1f));
    for (int i = 0; i < 4; i++) {
      Optimizer.Step step = optimizer.next(state, weights, Tensor.vector(2f));
      state = step.state();
      weights = step.weights();
      history.add(((Tensor) weights).floatValue());
    }
    for (int i = 0; i < expected.length; i++) {
      assertClose(history.get(i), expected[i], tolerance, name + " step " + i);
    }
  }

  @Test
  void adamwDecaysEveryWeightAndStepsOnlyWhereTheGradientIsNonZero() {
    // TFF's IndexedSlices gradient (rows 0 and 2 are ones) densified: rows 1 and 3 are zero.
    AdamW adamw = Optimizer.adamw(0.5, 0.0, 0.0, 1e-7, 0.004);
    Tensor weights = Tensor.ones(4, 2);
    Tensor gradients = Tensor.of(new float[] {1, 1, 0, 0, 1, 1, 0, 0}, 4, 2);
    Optimizer.Step step = adamw.next(adamw.initialize(TensorType.of(DType.FLOAT32, 4, 2)), weights, gradients);
    float[] expected = {0.498f, 0.498f, 0.998f, 0.998f, 0.498f, 0.498f, 0.998f, 0.998f};
    float[] actual = ((Tensor) step.weights()).floatData();
    for (int i = 0; i < expected.length; i++) {
      assertClose(actual[i], expected[i], 1e-6, "element " + i);
    }
  }

  @Test
  void adafactorDescendsOnTheSumOfSquaresAsTffsTestAndFactorsItsMoments() {
    Adafactor adafactor = Optimizer.adafactor(0.003);
    Tensor weights = Tensor.of(new float[] {1, 2, 3}, 1, 3);
    Struct state = adafactor.initialize(TensorType.of(DType.FLOAT32, 1, 3));
    Struct moment = (Struct) ((Struct) state.get("moments")).get(0);
    assertThat(((Tensor) moment.get("r")).shape().dims()).containsExactly(1);
    assertThat(((Tensor) moment.get("c")).shape().dims()).containsExactly(3);
    assertThat(((Tensor) moment.get("v")).shape().dims()).containsExactly(1, 3);
    double[] expected = {13.92, 13.84, 13.76, 13.70, 13.61};
    for (double e : expected) {
      Optimizer.Step step = adafactor.next(state, weights, weights.mul(2f));
      state = step.state();
      weights = (Tensor) step.weights();
      assertThat((double) weights.square().sum().floatValue()).isCloseTo(e, org.assertj.core.data.Offset.offset(0.01));
    }
  }

  // ------------------------------------------------------------------ convergence

  /**
   * TFF's test problem {@code ½ wᵀAw} (google-parfait/tensorflow-federated:
   * tensorflow_federated/python/learning/optimizers/optimizer_test_utils.py, {@code _TEST_MATRIX} and
   * {@code _INITIAL_W}): A positive definite, largest eigenvalue about 13.3, condition number about 260.
   */
  private static final Tensor A = Tensor.of(new float[] {
      3.05979016f, -0.67965499f, -2.51916374f, -0.98797549f, -1.23950244f,
      -0.67965499f, 3.65246689f, -0.47892836f, -1.56662479f, -0.27436542f,
      -2.51916374f, -0.47892836f, 7.12618873f, 4.98172794f, 3.10724048f,
      -0.98797549f, -1.56662479f, 4.98172794f, 4.259855f, 1.48831719f,
      -1.23950244f, -0.27436542f, 3.10724048f, 1.48831719f, 4.52992126f}, 5, 5);
  private static final Tensor W0 =
      Tensor.of(new float[] {-0.60170661f, 1.85227818f, -0.01349722f, -1.05771093f, 0.82254491f}, 5, 1);

  private static float quadratic(Tensor w) {
    return w.transpose(1, 0).matmul(A).matmul(w).floatValue() / 2;
  }

  static Stream<Arguments> convergence() {
    return Stream.of(
        Arguments.of("sgdm(0.1)", (Supplier<Optimizer>) () -> Optimizer.sgdm(0.1), 100),
        Arguments.of("sgdm(0.1, 0.5)", (Supplier<Optimizer>) () -> Optimizer.sgdm(0.1, 0.5), 100),
        Arguments.of("adam(0.5)", (Supplier<Optimizer>) () -> Optimizer.adam(0.5), 100),
        Arguments.of("adagrad(0.5)", (Supplier<Optimizer>) () -> Optimizer.adagrad(0.5), 100),
        Arguments.of("yogi(0.5)", (Supplier<Optimizer>) () -> Optimizer.yogi(0.5), 100),
        Arguments.of("adamw(0.5)", (Supplier<Optimizer>) () -> Optimizer.adamw(0.5), 100),
        Arguments.of("rmsprop(0.02)", (Supplier<Optimizer>) () -> Optimizer.rmsprop(0.02), 200));
  }

  @ParameterizedTest(name = "{0} in {2} steps")
  @MethodSource("convergence")
  void convergesOnTffsQuadraticProblem(String name, Supplier<Optimizer> factory, int steps) {
    Optimizer optimizer = factory.get();
    Tensor w = W0;
    assertThat(quadratic(w)).isGreaterThan(5f);
    Struct state = optimizer.initialize(TensorType.of(DType.FLOAT32, 5, 1));
    for (int i = 0; i < steps; i++) {
      Optimizer.Step step = optimizer.next(state, w, A.matmul(w));
      state = step.state();
      w = (Tensor) step.weights();
    }
    assertThat(quadratic(w)).as(name).isLessThan(0.005f);
  }

  // ------------------------------------------------------------------ hyper-parameters

  @Test
  void hyperParametersAreTffsKeysAndValues() {
    Sgdm plain = Optimizer.sgdm(0.1);
    assertThat(plain.getHparams(plain.initialize(SCALAR_SPEC))).isEqualTo(
        Struct.named("learning_rate", Tensor.scalar(0.1f)));
    Sgdm momentum = Optimizer.sgdm(0.1, 0.9);
    assertThat(momentum.getHparams(momentum.initialize(SCALAR_SPEC))).isEqualTo(
        Struct.named("learning_rate", Tensor.scalar(0.1f), "momentum", Tensor.scalar(0.9f)));
    assertThat(momentum.stateType(SCALAR_SPEC).toString())
        .isEqualTo("<learning_rate=float32,momentum=float32,accumulator=float32[1]>");
    assertThat(Optimizer.adam(0.1).stateType(StructType.of(SCALAR_SPEC)).toString()).isEqualTo(
        "<learning_rate=float32,beta_1=float32,beta_2=float32,epsilon=float32,step=int32,"
            + "accumulator=<float32[1]>,preconditioner=<float32[1]>>");
  }

  @Test
  void setHparamsChangesTheNextStepAndChecksTheValue() {
    Sgdm sgd = Optimizer.sgdm(0.01);
    Struct state = sgd.setHparams(sgd.initialize(SCALAR_SPEC), Struct.named("learning_rate", Tensor.scalar(0.5f)));
    assertThat(((Tensor) sgd.next(state, Tensor.vector(1f), Tensor.vector(2f)).weights()).floatValue()).isEqualTo(0f);
    assertThatThrownBy(() -> sgd.setHparams(state, Struct.named("learning_rate", Tensor.scalar(-1f))))
        .hasMessage("learning_rate (-1.0) must be a finite number >= 0");
    assertThatThrownBy(() -> sgd.setHparams(state, Struct.named("momentum", Tensor.scalar(0.5f))))
        .hasMessage("hyper-parameter 'momentum' is not one of this optimizer's [learning_rate]");
    assertThatThrownBy(() -> sgd.setHparams(state, Struct.named("learning_rate", Tensor.scalar(1))))
        .hasMessage("hyper-parameter 'learning_rate' must be a float32 scalar, found a int32 scalar");
  }

  @Test
  void emptyWeightsAreANoOpThatOnlyAdvancesTheStep() {
    for (Optimizer o : List.of(Optimizer.sgdm(0.1), Optimizer.sgdm(0.1, 0.9), Optimizer.adam(0.1),
        Optimizer.adamw(0.1), Optimizer.yogi(0.1), Optimizer.adagrad(0.1), Optimizer.rmsprop(0.1),
        Optimizer.adafactor(0.1))) {
      Struct state = o.initialize(StructType.EMPTY);
      Optimizer.Step step = o.next(state, Struct.empty(), Struct.empty());
      assertThat(step.weights()).as(o.kind()).isEqualTo(Struct.empty());
      if (state.names().contains("step")) {
        assertThat(((Tensor) step.state().get("step")).intValue()).isEqualTo(1);
      }
    }
  }

  @Test
  void aScheduleSetsTheLearningRateOfEachStep() {
    ScheduledOptimizer scheduled = Optimizer.scheduleLearningRate(Optimizer.sgdm(1.0),
        new LearningRateSchedule("halving", i -> Math.pow(0.5, i)));
    Struct state = scheduled.initialize(SCALAR_SPEC);
    assertThat(scheduled.getHparams(state)).isEqualTo(Struct.named("learning_rate", Tensor.scalar(1f)));
    Object w = Tensor.vector(0f);
    List<Float> history = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Optimizer.Step step = scheduled.next(state, w, Tensor.vector(1f));
      state = step.state();
      w = step.weights();
      history.add(((Tensor) w).floatValue());
    }
    assertThat(history).containsExactly(-1f, -1.5f, -1.75f);
    assertThat(((Tensor) state.get("round_num")).intValue()).isEqualTo(3);
    assertThatThrownBy(() -> Optimizer.scheduleLearningRate(Optimizer.adafactor(0.1),
        new LearningRateSchedule("halving", i -> 1)))
        .hasMessageContaining("Adafactor keeps it under 'hparams'");
  }

  // ------------------------------------------------------------------ bad arguments

  @Test
  void badHyperParametersAreRejectedAtConstructionNamingTheParameter() {
    assertThatThrownBy(() -> Optimizer.sgdm(-0.1)).hasMessage("learning_rate (-0.1) must be a finite number >= 0");
    assertThatThrownBy(() -> Optimizer.sgdm(0.1, -0.9)).hasMessage("momentum (-0.9) must be in [0, 1)");
    assertThatThrownBy(() -> Optimizer.sgdm(0.1, 1.0)).hasMessage("momentum (1.0) must be in [0, 1)");
    assertThatThrownBy(() -> Optimizer.sgdm(0.1, 0, true)).hasMessage("nesterov requires momentum > 0, found momentum 0.0");
    assertThatThrownBy(() -> Optimizer.adam(0.1, 1.0, 0.999, 1e-7)).hasMessage("beta_1 (1.0) must be in [0, 1)");
    assertThatThrownBy(() -> Optimizer.adam(0.1, 0.9, -0.1, 1e-7)).hasMessage("beta_2 (-0.1) must be in [0, 1)");
    assertThatThrownBy(() -> Optimizer.adamw(0.1, 0.9, 0.999, 1e-7, -1)).hasMessage("weight_decay (-1.0) must be a finite number >= 0");
    assertThatThrownBy(() -> Optimizer.yogi(Double.NaN)).hasMessage("learning_rate (NaN) must be a finite number >= 0");
    assertThatThrownBy(() -> Optimizer.rmsprop(0.1, 1.5, 0)).hasMessage("decay (1.5) must be in [0, 1)");
    assertThatThrownBy(() -> Optimizer.adagrad(0.1, -1, 0)).hasMessage("initial_preconditioner_value (-1.0) must be a finite number >= 0");
    assertThatThrownBy(() -> Optimizer.adafactor(0.1, -0.8, 1e-30, 1e-3, 0, true)).hasMessage("clip_threshold (0.0) must be a finite number > 0");
    assertThatThrownBy(() -> new LearningRateSchedule("not a name", i -> 1)).hasMessageContaining("dotted identifiers");
  }

  @Test
  void mismatchedWeightsGradientsAndStateAreRejectedNamingThem() {
    Sgdm sgd = Optimizer.sgdm(0.1, 0.9);
    Struct state = sgd.initialize(SCALAR_SPEC);
    assertThatThrownBy(() -> sgd.next(state, Tensor.zeros(1), Tensor.zeros(2)))
        .hasMessage("weights and gradients differ at the top level: weights is float32[1], gradients is float32[2]");
    assertThatThrownBy(() -> sgd.next(state, Tensor.zeros(2), Tensor.zeros(2)))
        .hasMessage("weights and state accumulator differ at the top level: weights is float32[2], state accumulator"
            + " is float32[1]");
    assertThatThrownBy(() -> sgd.initialize(TensorType.of(DType.FLOAT32, TensorType.UNKNOWN)))
        .hasMessageContaining("fully defined float32 tensors, found float32[?]");
  }

  // ------------------------------------------------------------------ as computations

  @Test
  void nextComputationComputesNextAndSurvivesSerialization() {
    Type weightsType = StructType.of(TensorType.of(DType.FLOAT32, 2), TensorType.of(DType.FLOAT32, 3));
    Struct weights = Struct.of(Tensor.vector(1f, 2f), Tensor.vector(3f, 4f, 5f));
    Struct gradients = Struct.of(Tensor.vector(0.5f, -1f), Tensor.vector(2f, 0f, 1f));
    for (Optimizer o : List.of(Optimizer.sgdm(0.1, 0.9, true), Optimizer.adam(0.1), Optimizer.adafactor(0.01),
        Optimizer.scheduleLearningRate(Optimizer.yogi(0.1), new LearningRateSchedule("tenth", i -> 0.1 / (i + 1))))) {
      Computation next = o.nextComputation(weightsType);
      assertThat(next.name()).isEqualTo("learning.optimizers.next");
      assertThat(((Expr.Local) next.expr()).parameters()).isEqualTo(Struct.named("optimizer", o.asParameters(),
          "weights", Tensor.scalar(weightsType.toString())));
      assertThat(Optimizer.fromParameters(o.asParameters()).asParameters()).isEqualTo(o.asParameters());
      Struct state = o.initialize(weightsType);
      Optimizer.Step expected = o.next(state, weights, gradients);
      Struct direct = (Struct) next.call(state, weights, gradients);
      Struct loaded = (Struct) Computation.deserialize(next.serialize()).call(state, weights, gradients);
      assertThat(direct.get("weights")).as(o.kind()).isEqualTo(expected.weights());
      assertThat(direct.get("state")).as(o.kind()).isEqualTo(expected.state());
      assertThat(loaded).as(o.kind()).isEqualTo(direct);
    }
    // One family serves every optimizer and weights type in one JVM: the members differ by type and parameters.
    assertThat(Optimizer.sgdm(0.1).nextComputation(SCALAR_SPEC).expr())
        .isNotEqualTo(Optimizer.sgdm(0.1).nextComputation(weightsType).expr())
        .isNotEqualTo(Optimizer.sgdm(0.2).nextComputation(SCALAR_SPEC).expr())
        .isEqualTo(Optimizer.sgdm(0.1).nextComputation(SCALAR_SPEC).expr());
    assertThatThrownBy(() -> Optimizer.fromParameters(Struct.named("kind", Tensor.scalar("Sgdm"), "learningRate",
        Tensor.scalar(-0.5f), "momentum", Tensor.scalar(0f), "nesterov", Tensor.scalar(false))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("learning_rate (-0.5) must be");
    assertThat(Nest.allFinite(weights)).isTrue();
  }
}
