package dev.cohort.aggregators;

import static dev.cohort.aggregators.Rounds.flatResult;
import static dev.cohort.aggregators.Rounds.measurement;
import static dev.cohort.aggregators.Rounds.result;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cohort.core.Computation;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TFF's aggregators/robust_test.py cases (tff.md §7.2) and the types TFF's tests expect. */
class RobustTest {
  /** A struct of four equal scalars, so that its L1, L2 and L∞ norms are 4v, 2v and v. */
  private static final StructType FOUR = StructType.of(FLOAT32, FLOAT32, FLOAT32, FLOAT32);

  private static List<Object> fours(double... values) {
    List<Object> out = new ArrayList<>();
    for (double v : values) {
      out.add(List.of(v, v, v, v));
    }
    return out;
  }

  /** The test norm process of TFF's robust_test.py: reports 1, 2, 3, ... in successive rounds. */
  private static EstimationProcess increasingNorm() {
    Computation plusOne = Computation.local("test.robust_plus_one", FLOAT32, FLOAT32, x -> ((Tensor) x).add(1f));
    Computation initialize = Computation.federated("init", () -> federatedValue(1f, Placement.SERVER));
    FederatedType state = FederatedType.atServer(FLOAT32);
    Computation next = Computation.federated("next", "state", state, "value", FederatedType.atClients(FLOAT32),
        (s, v) -> federatedMap(plusOne, s));
    Computation report = Computation.federated("report", "state", state, s -> s);
    return new EstimationProcess(initialize, next, report);
  }

  @Test
  void clippedSum() {
    AggregationProcess p = Robust.clipping(2.0, new SumFactory()).create(FLOAT32);
    assertThat(p.stateType().toString()).isEqualTo("<clipping_norm=<>,inner_agg=<>,clipped_count_agg=<>>@SERVER");
    assertThat(p.measurementsType().toString())
        .isEqualTo("<clipping=<>,clipping_norm=float32,clipped_count=int32>@SERVER");
    Struct out = new Rounds(p).next(List.of(1, 3, 5));
    assertThat(result(out)).isEqualTo(5.0);
    assertThat(measurement(out, "clipping_norm")).isEqualTo(2.0);
    assertThat(measurement(out, "clipped_count")).isEqualTo(2.0);
  }

  /** TFF's clipped_count_sum_factory: the flags summed by a secure sum count as the plain sum does. */
  @Test
  void theCountsMaySumSecurely() {
    AggregationProcess clip = Robust.clipping(QuantileEstimation.noNoise(2.0, 0.5, 0.2), new SumFactory(),
        SecureSumFactory.integers(1, 0)).create(FLOAT32);
    Struct out = new Rounds(clip).next(List.of(1, 3, 5));
    assertThat(result(out)).isEqualTo(5.0);
    assertThat(measurement(out, "clipped_count")).isEqualTo(2.0);
    AggregationProcess zero = Robust.zeroing(QuantileEstimation.noNoise(2.0, 0.5, 0.2), NormOrder.L2,
        new MeanFactory(), SecureSumFactory.integers(1, 0)).create(FLOAT32, FLOAT32);
    out = new Rounds(zero).next(List.of(1, 2, 5), List.of(1, 2, 2));
    assertThat(result(out)).isEqualTo(1.0);
    assertThat(measurement(out, "zeroed_count")).isEqualTo(1.0);
  }

  @Test
  void clippedWeightedMean() {
    AggregationProcess p = Robust.clipping(2.0, new MeanFactory()).create(FLOAT32, FLOAT32);
    assertThat(p.isWeighted()).isTrue();
    assertThat(p.measurementsType().toString()).isEqualTo(
        "<clipping=<mean_value=<>,mean_weight=<>>,clipping_norm=float32,clipped_count=int32>@SERVER");
    assertThat(result(new Rounds(p).next(List.of(1, 3, 5), List.of(1, 2, 1)))).isCloseTo(7 / 4.0, within(1e-6));
  }

  @Test
  void clippingUsesTheGlobalNormOfAStructure() {
    Struct sum = new Rounds(Robust.clipping(4.0, new SumFactory()).create(FOUR)).next(fours(1, 2, 3));
    assertThat(flatResult(sum)).containsExactly(new double[] {5, 5, 5, 5}, within(1e-6));
    assertThat(measurement(sum, "clipped_count")).isEqualTo(1.0);
    Struct mean = new Rounds(Robust.clipping(4.0, new MeanFactory()).create(FOUR, FLOAT32))
        .next(fours(1, 2, 3), List.of(1, 2, 1));
    assertThat(flatResult(mean)).containsExactly(new double[] {7 / 4.0, 7 / 4.0, 7 / 4.0, 7 / 4.0}, within(1e-6));
  }

  @Test
  void clippingFollowsTheNormProcess() {
    Rounds sums = new Rounds(Robust.clipping(increasingNorm(), new SumFactory()).create(FLOAT32));
    Rounds means = new Rounds(Robust.clipping(increasingNorm(), new MeanFactory()).create(FLOAT32, FLOAT32));
    double[][] expected = {{3.0, 2, 1.0}, {5.0, 2, 7 / 4.0}, {7.0, 1, 10 / 4.0}};
    for (double[] round : expected) {
      Struct sum = sums.next(List.of(1, 3, 5));
      assertThat(result(sum)).isEqualTo(round[0]);
      assertThat(measurement(sum, "clipped_count")).isEqualTo(round[1]);
      assertThat(result(means.next(List.of(1, 3, 5), List.of(1, 2, 1)))).isCloseTo(round[2], within(1e-6));
    }
  }

  @Test
  void zeroedSumAndMean() {
    AggregationProcess p = Robust.zeroing(2.0, NormOrder.LINF, new SumFactory()).create(FLOAT32);
    assertThat(p.stateType().toString()).isEqualTo("<zeroing_norm=<>,inner_agg=<>,zeroed_count_agg=<>>@SERVER");
    assertThat(p.measurementsType().toString())
        .isEqualTo("<zeroing=<>,zeroing_norm=float32,zeroed_count=int32>@SERVER");
    Struct out = new Rounds(p).next(List.of(1, 2, 5));
    assertThat(result(out)).isEqualTo(3.0);
    assertThat(measurement(out, "zeroed_count")).isEqualTo(1.0);
    AggregationProcess mean = Robust.zeroing(2.0, NormOrder.LINF, new MeanFactory()).create(FLOAT32, FLOAT32);
    assertThat(result(new Rounds(mean).next(List.of(1, 2, 5), List.of(1, 2, 2)))).isEqualTo(1.0);
  }

  @Test
  void zeroingMeasuresTheChosenNormOfAStructure() {
    // Values 1, 2, 5 in each of four components: L∞ = v, L2 = 2v, L1 = 4v, so thresholds 2, 4 and 8 keep 1 and 2.
    for (Object[] c : new Object[][] {{NormOrder.LINF, 2.0}, {NormOrder.L2, 4.0}, {NormOrder.L1, 8.0}}) {
      Struct out = new Rounds(Robust.zeroing((Double) c[1], (NormOrder) c[0], new SumFactory()).create(FOUR))
          .next(fours(1, 2, 5));
      assertThat(flatResult(out)).as("%s", c[0]).containsExactly(3, 3, 3, 3);
      assertThat(measurement(out, "zeroed_count")).as("%s", c[0]).isEqualTo(1.0);
      assertThat(measurement(out, "zeroing_norm")).as("%s", c[0]).isEqualTo((Double) c[1]);
    }
  }

  @Test
  void badNormsAndValueTypesAreRejectedWhenBuilt() {
    assertThatThrownBy(() -> Robust.clipping(-1.0, new SumFactory()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Robust.clipping: clippingNorm (-1.0) must be a finite float32 >= 0");
    assertThatThrownBy(() -> Robust.zeroing(Double.NaN, NormOrder.L2, new MeanFactory()))
        .hasMessage("Robust.zeroing: zeroingNorm (NaN) must be a finite float32 >= 0");
    assertThatThrownBy(() -> Robust.zeroing(1e39, NormOrder.L2, new MeanFactory()))
        .hasMessage("Robust.zeroing: zeroingNorm (1.0E39) must be a finite float32 >= 0");
    assertThatThrownBy(() -> Robust.clipping(1.0, new SumFactory()).create(StructType.of(FLOAT32, INT32)))
        .hasMessage("Robust.clipping: the value type must be a float32 tensor type or a struct of float32 tensor"
            + " types with fully known shapes, found <float32,int32>");
  }

  @Test
  void aNormProcessMustTakeClientNormsAndReportAFloat() {
    Computation initialize = Computation.federated("init", () -> federatedValue(1, Placement.SERVER));
    FederatedType state = FederatedType.atServer(INT32);
    Computation next = Computation.federated("next", "state", state, "value", FederatedType.atClients(FLOAT32),
        (s, v) -> s);
    Computation report = Computation.federated("report", "state", state, s -> s);
    assertThatThrownBy(() -> Robust.clipping(new EstimationProcess(initialize, next, report), new SumFactory()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Robust.clipping: the norm process must report float32@SERVER, found (int32@SERVER ->"
            + " int32@SERVER)");
    Computation intNext = Computation.federated("next", "state", state, "value", FederatedType.atClients(INT32),
        (s, v) -> s);
    assertThatThrownBy(() -> Robust.zeroing(new EstimationProcess(initialize, intNext, report), NormOrder.L1,
        new SumFactory()))
        .hasMessage("Robust.zeroing: the norm process's next must accept each client's norm, {float32}@CLIENTS,"
            + " found (<state=int32@SERVER,value={int32}@CLIENTS> -> int32@SERVER)");
  }

  @Test
  void aProcessSurvivesSerialization() {
    // Local functions travel by name (one per kind and value type), so a loaded next runs like the original.
    AggregationProcess p = Robust.zeroing(4.0, NormOrder.L2, Robust.clipping(2.0, new MeanFactory()))
        .create(FOUR, FLOAT32);
    AggregationProcess loaded = new AggregationProcess(Computation.deserialize(p.initialize().serialize()),
        Computation.deserialize(p.next().serialize()));
    assertThat(loaded.next().typeSignature()).isEqualTo(p.next().typeSignature());
    List<Object> values = fours(1, 1.5, 3);
    List<Integer> weights = List.of(1, 2, 1);
    assertThat(flatResult(new Rounds(loaded).next(values, weights)))
        .containsExactly(flatResult(new Rounds(p).next(values, weights)));
  }
}
