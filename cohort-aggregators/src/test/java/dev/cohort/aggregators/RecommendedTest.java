package dev.cohort.aggregators;

import static dev.cohort.core.types.TensorType.FLOAT32;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.compiler.Compiler;
import dev.cohort.core.compiler.MapReduceForm;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.TypeAnalysis;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each recipe of TFF's tuning-recommended-aggregators tutorial (tff.md §1.3) built by hand equals the builder. */
class RecommendedTest {
  private static final StructType TYPE = StructType.of(TensorType.of(DType.FLOAT32, 3), FLOAT32);

  private static List<Object> values(int round) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      float s = (i + 1) * (round + 1) * 0.7f;
      out.add(List.of(Tensor.vector(s, -2 * s, 0.5f), Tensor.scalar(s * s)));
    }
    return out;
  }

  private static final List<Object> WEIGHTS = List.of(1f, 2f, 3f, 4f);

  private static void assertSame(AggregationProcess recipe, AggregationProcess builder, boolean weighted) {
    assertThat(recipe.initialize().typeSignature()).isEqualTo(builder.initialize().typeSignature());
    assertThat(recipe.next().typeSignature()).isEqualTo(builder.next().typeSignature());
    Rounds a = new Rounds(recipe);
    Rounds b = new Rounds(builder);
    for (int round = 0; round < 3; round++) {
      Struct x = weighted ? a.next(values(round), WEIGHTS) : a.next(values(round));
      Struct y = weighted ? b.next(values(round), WEIGHTS) : b.next(values(round));
      assertThat(Rounds.flatResult(x)).containsExactly(Rounds.flatResult(y));
      assertThat(Rounds.server(x.get("measurements"))).isEqualTo(Rounds.server(y.get("measurements")));
    }
  }

  @Test
  void adaptiveZeroingIsRobustWithoutClipping() {
    WeightedAggregationFactory recipe = Robust.zeroing(QuantileEstimation.noNoise(10.0, 0.98, Math.log(10), 2.0,
        1.0), NormOrder.LINF, new MeanFactory());
    assertSame(recipe.create(TYPE, FLOAT32), Recommended.robust(true, false).create(TYPE, FLOAT32), true);
  }

  @Test
  void adaptiveClippingIsRobustWithoutZeroing() {
    WeightedAggregationFactory recipe = Robust.clipping(QuantileEstimation.noNoise(1.0, 0.8, 0.2), new MeanFactory());
    assertSame(recipe.create(TYPE, FLOAT32), Recommended.robust(false, true).create(TYPE, FLOAT32), true);
  }

  @Test
  void robustNestsZeroingOutsideClipping() {
    AggregationProcess p = Recommended.robust().create(TYPE, FLOAT32);
    assertThat(p.measurementsType().toString()).isEqualTo("<zeroing=<clipping=<mean_value=<>,mean_weight=<>>,"
        + "clipping_norm=float32,clipped_count=int32>,zeroing_norm=float32,zeroed_count=int32>@SERVER");
  }

  @Test
  void gaussianAdaptiveIsDpWithoutZeroing() {
    UnweightedAggregationFactory recipe = DifferentiallyPrivateFactory.gaussianAdaptive(0.1, 100, 5L);
    assertSame(recipe.create(TYPE), Recommended.dp(0.1, 100, false, 5L).create(TYPE), false);
  }

  @Test
  void quantisedMeanIsCompressionWithoutZeroingOrClipping() {
    StructType big = StructType.of(TensorType.of(DType.FLOAT32, 3), FLOAT32);
    WeightedAggregationFactory recipe = new MeanFactory(EncodedSumFactory.quantizeAboveThreshold(8, 20000, 4L),
        new SumFactory(), false);
    assertSame(recipe.create(big, FLOAT32), Recommended.compression(false, false, 4L).create(big, FLOAT32), true);
  }

  @Test
  void secureMeanIsSecureWithoutZeroingOrClipping() {
    WeightedAggregationFactory recipe = new MeanFactory(
        SecureSumFactory.estimated(QuantileEstimation.noNoise(50.0, 0.95, 1.0, 2.0, 0.0, true)),
        SecureSumFactory.floats((1 << 20) - 1, 0.0), false);
    assertSame(recipe.create(TYPE, FLOAT32), Recommended.secure(false, false).create(TYPE, FLOAT32), true);
  }

  /** TFF's secure_aggregator by hand: secure estimation of both norms, secure counts, the secure mean. */
  @Test
  void theSecureAggregatorEstimatesAndCountsSecurely() {
    WeightedAggregationFactory mean = new MeanFactory(
        SecureSumFactory.estimated(QuantileEstimation.noNoise(50.0, 0.95, 1.0, 2.0, 0.0, true)),
        SecureSumFactory.floats((1 << 20) - 1, 0.0), false);
    WeightedAggregationFactory recipe = Robust.zeroing(
        QuantileEstimation.noNoise(10.0, 0.98, Math.log(10), 2.0, 1.0, true), NormOrder.LINF,
        Robust.clipping(QuantileEstimation.noNoise(1.0, 0.8, 0.2, 1.0, 0.0, true), mean,
            SecureSumFactory.integers(1, 0)), SecureSumFactory.integers(1, 0));
    assertSame(recipe.create(TYPE, FLOAT32), Recommended.secure(true, true).create(TYPE, FLOAT32), true);
    UnweightedAggregationFactory unweighted = Robust.zeroing(
        QuantileEstimation.noNoise(10.0, 0.98, Math.log(10), 2.0, 1.0, true), NormOrder.LINF,
        Robust.clipping(QuantileEstimation.noNoise(1.0, 0.8, 0.2, 1.0, 0.0, true), new UnweightedMeanFactory(
            SecureSumFactory.estimated(QuantileEstimation.noNoise(50.0, 0.95, 1.0, 2.0, 0.0, true)),
            SecureSumFactory.integers(1, 0)), SecureSumFactory.integers(1, 0)), SecureSumFactory.integers(1, 0));
    assertSame(unweighted.create(TYPE), Recommended.secureUnweighted(true, true).create(TYPE), false);
  }

  /**
   * In the secure aggregators' MapReduceForm nothing goes through the plain aggregate: the values, weights, norm
   * indicators and clipped and zeroed flags all cross to the server inside secure sums.
   */
  @Test
  void theSecureAggregatorsAggregateNothingInTheClear() {
    for (AggregationProcess p : List.of(Recommended.secure(true, true).create(TYPE, FLOAT32),
        Recommended.secureUnweighted(true, true).create(TYPE))) {
      MapReduceForm form = Compiler.toMapReduceForm(p.next());
      StructType updates = (StructType) form.work().typeSignature().result();
      assertThat(TypeAnalysis.contains(updates.type(0), t -> t instanceof TensorType))
          .as("plain aggregate of %s: %s", p.next().typeSignature(), updates.type(0)).isFalse();
      assertThat(form.securelyAggregates()).isTrue();
    }
    MapReduceForm robust = Compiler.toMapReduceForm(Recommended.robust().create(TYPE, FLOAT32).next());
    assertThat(TypeAnalysis.contains(((StructType) robust.work().typeSignature().result()).type(0),
        t -> t instanceof TensorType)).as("the robust aggregator sums in the clear").isTrue();
  }
}
