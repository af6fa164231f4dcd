package dev.cohort.aggregators;

import static dev.cohort.aggregators.Rounds.measurement;
import static dev.cohort.aggregators.Rounds.result;
import static dev.cohort.aggregators.Rounds.server;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedSecureSumBitwidth;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT32;
import static dev.cohort.core.types.TensorType.INT64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cohort.core.Computation;
import dev.cohort.core.compiler.Compiler;
import dev.cohort.core.compiler.MapReduceForm;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.TypeAnalysis;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import dev.cohort.testing.Cases;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** TFF's aggregators/secure_test.py cases, and the secure sums' bounds, bits and quantisation error. */
class SecureSumFactoryTest {

  /** The test bound process of TFF's secure_test.py: state {@code factor}, next adds {@code factor}. */
  private static EstimationProcess steps(float factor) {
    Computation plus = Computation.local("test.secure_plus_" + (factor > 0 ? "up" : "down"), FLOAT32, FLOAT32,
        x -> ((Tensor) x).add(factor));
    Computation initialize = Computation.federated("init", () -> federatedValue(factor, Placement.SERVER));
    FederatedType state = FederatedType.atServer(FLOAT32);
    Computation next = Computation.federated("next", "state", state, "value", FederatedType.atClients(FLOAT32),
        (s, v) -> federatedMap(plus, s));
    return new EstimationProcess(initialize, next, Computation.federated("report", "state", state, s -> s));
  }

  private static void assertMeasurements(Struct out, int upperCount, int lowerCount, double upper, double lower) {
    assertThat(measurement(out, "secure_upper_clipped_count")).isEqualTo(upperCount);
    assertThat(measurement(out, "secure_lower_clipped_count")).isEqualTo(lowerCount);
    assertThat(measurement(out, "secure_upper_threshold")).isEqualTo(upper);
    assertThat(measurement(out, "secure_lower_threshold")).isEqualTo(lower);
  }

  @Test
  void integerConstantBounds() {
    AggregationProcess p = SecureSumFactory.integers(1, -1).create(INT32);
    assertThat(p.next().typeSignature().toString()).isEqualTo("(<state=<>@SERVER,value={int32}@CLIENTS> -> "
        + "<state=<>@SERVER,result=int32@SERVER,measurements=<secure_upper_clipped_count=int32,"
        + "secure_lower_clipped_count=int32,secure_upper_threshold=int32,secure_lower_threshold=int32>@SERVER>)");
    Struct out = new Rounds(p).next(List.of(-2, -1, 0, 1, 2, 3));
    assertThat(result(out)).isEqualTo(1.0);
    assertMeasurements(out, 2, 1, 1, -1);
  }

  @Test
  void floatConstantBounds() {
    Struct out = new Rounds(SecureSumFactory.floats(1.0, -1.0).create(FLOAT32))
        .next(List.of(-2.5, -0.5, 0.0, 1.0, 1.5, 2.5));
    assertThat(result(out)).isCloseTo(1.5, within(1e-6));
    assertMeasurements(out, 2, 1, 1.0, -1.0);
  }

  @Test
  void floatSingleProcessBounds() {
    Rounds rounds = new Rounds(SecureSumFactory.estimated(steps(1f)).create(FLOAT32));
    List<Double> data = List.of(-2.5, -0.5, 0.0, 1.0, 1.5, 3.5);
    Struct out = rounds.next(data);
    assertThat(result(out)).isCloseTo(1.5, within(1e-6));
    assertMeasurements(out, 2, 1, 1.0, -1.0);
    out = rounds.next(data);
    assertThat(result(out)).isCloseTo(2.0, within(1e-6));
    assertMeasurements(out, 1, 1, 2.0, -2.0);
    out = rounds.next(data);
    assertThat(result(out)).isCloseTo(2.5, within(1e-6));
    assertMeasurements(out, 1, 0, 3.0, -3.0);
  }

  @Test
  void floatTwoProcessBounds() {
    Rounds rounds = new Rounds(SecureSumFactory.estimated(steps(1f), steps(-1f)).create(FLOAT32));
    List<Double> data = List.of(-2.5, -0.5, 0.0, 1.0, 1.5, 3.5);
    assertMeasurements(rounds.next(data), 2, 1, 1.0, -1.0);
    Struct out = rounds.next(data);
    assertThat(result(out)).isCloseTo(2.0, within(1e-6));
    assertMeasurements(out, 1, 1, 2.0, -2.0);
  }

  @Test
  void bitwidthComesFromTheBounds() {
    assertThat(SecureSumFactory.integers(1, -1).bitwidth()).isEqualTo(2);
    assertThat(SecureSumFactory.integers(1, 0).bitwidth()).isEqualTo(1);
    assertThat(SecureSumFactory.integers((1 << 20) - 1, 0).bitwidth()).isEqualTo(20);
    assertThat(SecureSumFactory.integers(1 << 20, 0).bitwidth()).isEqualTo(21);
    assertThat(SecureSumFactory.floats(1.0).bitwidth()).isEqualTo(32);
  }

  /** In MapReduceForm nothing goes through the plain aggregate: every CLIENTS-to-SERVER value is summed securely. */
  @Test
  void theValueCrossesOnlyInsideSecureIntrinsics() {
    for (AggregationProcess p : List.of(
        SecureSumFactory.estimated(steps(1f), steps(-1f)).create(StructType.of(TensorType.of(DType.FLOAT32, 2),
            FLOAT32)),
        SecureSumFactory.floats(1.0).create(FLOAT32), SecureSumFactory.integers(3).create(INT64))) {
      MapReduceForm form = Compiler.toMapReduceForm(p.next());
      StructType updates = (StructType) form.work().typeSignature().result();
      assertThat(TypeAnalysis.contains(updates.type(0), t -> t instanceof TensorType))
          .as("plain aggregate of %s: %s", p.next().typeSignature(), updates.type(0)).isFalse();
      assertThat(form.securelyAggregates()).isTrue();
    }
  }

  @Test
  void int64ValuesAndStructures() {
    AggregationProcess p = SecureSumFactory.integers(10, 0).create(StructType.of(TensorType.of(DType.INT64, 2),
        INT64));
    Struct out = new Rounds(p).next(List.of(List.of(Tensor.ofLongs(new long[] {3, 12}, 2), Tensor.scalar(-4L)),
        List.of(Tensor.ofLongs(new long[] {5, 1}, 2), Tensor.scalar(7L))));
    Struct result = (Struct) server(out.get("result"));
    assertThat(((Tensor) result.get(0)).longData()).containsExactly(8, 11);
    assertThat(((Tensor) result.get(1)).longValue()).isEqualTo(7);
    assertMeasurements(out, 1, 1, 10, 0);
  }

  @Test
  void badBoundsAndTypesFailWhenBuilt() {
    assertThatThrownBy(() -> SecureSumFactory.integers(1, 2)).hasMessage(
        "SecureSumFactory.integers: upper (1) must be > lower (2)");
    assertThatThrownBy(() -> SecureSumFactory.integers(0)).hasMessageContaining("upper (0) must be > 0");
    assertThatThrownBy(() -> SecureSumFactory.floats(-1.0, 1.0)).hasMessageContaining("must be a finite float32 >"
        + " lower (1.0)");
    assertThatThrownBy(() -> SecureSumFactory.floats(Double.NaN)).hasMessageContaining("upper (NaN)");
    assertThatThrownBy(() -> SecureSumFactory.integers(Long.MAX_VALUE, 0)).hasMessageContaining("more than 62 bits");
    assertThatThrownBy(() -> SecureSumFactory.floats(1.0).create(StructType.of(FLOAT32, INT32)))
        .hasMessage("SecureSumFactory: the value type must be a numeric tensor type or a struct of tensor types of"
            + " one dtype (float32, int32 or int64) with fully known shapes, found <float32,int32>");
    assertThatThrownBy(() -> SecureSumFactory.floats(1.0).create(INT32))
        .hasMessage("SecureSumFactory: float bounds need a float32 value type, found int32");
    assertThatThrownBy(() -> SecureSumFactory.integers(1).create(FLOAT32))
        .hasMessage("SecureSumFactory: integer bounds need an integer value type, found float32");
    assertThatThrownBy(() -> SecureSumFactory.integers(1L << 40).create(INT32))
        .hasMessageContaining("do not fit the int32 values of int32");
    assertThatThrownBy(() -> SecureSumFactory.estimated(QuantileEstimation.noNoise(1.0, 0.5, 0.2))
        .create(StructType.of(FLOAT32, TensorType.INT64)))
        .hasMessage("SecureSumFactory: the value type must be a numeric tensor type or a struct of tensor types of"
            + " one dtype (float32, int32 or int64) with fully known shapes, found <float32,int64>");
    assertThatThrownBy(() -> Computation.federated("mixed", FederatedType.atClients(StructType.of(FLOAT32, INT32)),
        v -> Primitives.secureQuantizedSum(v, -1.0, 1.0)))
        .hasMessage("Primitives.secureQuantizedSum: the value type must be a numeric tensor type or a struct of"
            + " tensor types of one dtype (float32, int32 or int64) with fully known shapes, found <float32,int32>");
  }

  @Test
  void theSecureIntrinsicRejectsAnOutOfBoundsInput() {
    Computation raw = Computation.federated("raw", FederatedType.atClients(INT32),
        v -> federatedSecureSumBitwidth(v, Tensor.scalar(2)));
    assertThatThrownBy(() -> raw.call(List.of(1, 4)))
        .hasStackTraceContaining("federated_secure_sum_bitwidth: input 4 (element 0 of tensor 0) is outside [0, 3]");
  }

  @Test
  void estimatedBoundsInTheWrongOrderFailTheRound() {
    Rounds rounds = new Rounds(SecureSumFactory.estimated(steps(-1f), steps(1f)).create(FLOAT32));
    assertThatThrownBy(() -> rounds.next(List.of(0.5)))
        .hasStackTraceContaining("secure sum: the lower bound 1.0 must not exceed the upper bound -1.0");
  }

  @Test
  void secureQuantizedSumTakesConstantAndStructuredBounds() {
    StructType type = StructType.of(TensorType.of(DType.FLOAT32, 2), FLOAT32);
    Computation sum = Computation.federated("q", FederatedType.atClients(type),
        v -> Primitives.secureQuantizedSum(v, -1.0, 2.0));
    Object out = ((dev.cohort.core.values.FederatedValue) sum.call(List.of(
        List.of(Tensor.vector(0.5f, 3f), Tensor.scalar(-2f)), List.of(Tensor.vector(1f, 1f), Tensor.scalar(1f)))))
        .value();
    List<Tensor> t = Processes.tensors(out);
    assertThat(t.get(0).toFloatArray()).containsExactly(new float[] {1.5f, 3f}, within(1e-6f));
    assertThat(t.get(1).floatValue()).isCloseTo(0f, within(1e-6f));
    assertThatThrownBy(() -> Computation.federated("bad", FederatedType.atClients(type),
        v -> Primitives.secureQuantizedSum(v, 2.0, 1.0))).hasMessageContaining(
        "lowerBound (2.0) must not exceed upperBound (1.0)");
  }

  @Test
  void int32QuantizedSumIsExactOverTheFullRange() {
    Computation sum = Computation.federated("q", FederatedType.atClients(INT32),
        v -> Primitives.secureQuantizedSum(v, Integer.MIN_VALUE, Integer.MAX_VALUE));
    Object out = ((dev.cohort.core.values.FederatedValue) sum.call(List.of(Integer.MIN_VALUE, Integer.MAX_VALUE,
        12345))).value();
    assertThat(((Tensor) out).intValue()).isEqualTo(Integer.MIN_VALUE + Integer.MAX_VALUE + 12345);
  }

  static Stream<Cases.Case> cases() {
    return Cases.of(0x5ecL, 6);
  }

  /** Each element's error is at most half a step {@code (hi - lo) / (2 (2^32 - 1))}, plus float32 rounding. */
  @ParameterizedTest
  @MethodSource("cases")
  void quantisationErrorIsWithinHalfAStepPerClient(Cases.Case c) {
    java.util.SplittableRandom r = c.random();
    double lo = -1 - 100 * r.nextDouble();
    double hi = 1 + 100 * r.nextDouble();
    int clients = 1 + r.nextInt(20);
    int size = 16;
    List<Object> values = new ArrayList<>();
    double[] exact = new double[size];
    for (int i = 0; i < clients; i++) {
      float[] v = new float[size];
      for (int k = 0; k < size; k++) {
        v[k] = (float) (lo + (hi - lo) * r.nextDouble());
        exact[k] += v[k];
      }
      values.add(Tensor.of(v, size));
    }
    Struct out = new Rounds(SecureSumFactory.floats(hi, lo).create(TensorType.of(DType.FLOAT32, size)))
        .next(values);
    float[] got = ((Tensor) server(out.get("result"))).toFloatArray();
    double step = ((float) hi - (float) lo) / (double) Secure.SECAGG_MAX;
    for (int k = 0; k < size; k++) {
      double bound = clients * step / 2 + Math.ulp((float) exact[k]) + 1e-12;
      assertThat(Math.abs(got[k] - exact[k])).as("element %d", k).isLessThanOrEqualTo(bound);
    }
  }
}
