package dev.cohort.aggregators;

import static dev.cohort.aggregators.Rounds.flatResult;
import static dev.cohort.aggregators.Rounds.result;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TFF's aggregators/mean_test.py cases (tff.md §7.2) and the types TFF's tests expect. */
class MeanFactoryTest {
  private static final StructType NESTED = StructType.of(StructType.of(FLOAT32, FLOAT32), FLOAT32);
  private static final List<Object> NESTED_VALUES = List.of(List.of(List.of(1, 2), 3), List.of(List.of(2, 5), 4),
      List.of(List.of(3, 0), 5));

  @Test
  void weightedMeanOfScalars() {
    AggregationProcess mean = new MeanFactory().create(FLOAT32, FLOAT32);
    assertThat(mean.isWeighted()).isTrue();
    assertThat(mean.initialize().typeSignature().toString())
        .isEqualTo("( -> <value_sum_process=<>,weight_sum_process=<>>@SERVER)");
    assertThat(mean.next().typeSignature().toString()).isEqualTo("(<state=<value_sum_process=<>,weight_sum_process=<>>"
        + "@SERVER,value={float32}@CLIENTS,weight={float32}@CLIENTS> -> <state=<value_sum_process=<>,"
        + "weight_sum_process=<>>@SERVER,result=float32@SERVER,measurements=<mean_value=<>,mean_weight=<>>@SERVER>)");
    Struct out = new Rounds(mean).next(List.of(1, 2, 3), List.of(3, 2, 1));
    assertThat(result(out)).isCloseTo((1 * 3 + 2 * 2 + 3 * 1) / 6.0, within(1e-6));
  }

  @Test
  void unweightedMeanOfScalars() {
    AggregationProcess mean = new UnweightedMeanFactory().create(FLOAT32);
    assertThat(mean.isWeighted()).isFalse();
    assertThat(mean.next().typeSignature().toString()).isEqualTo("(<state=<<>,<>>@SERVER,value={float32}@CLIENTS> ->"
        + " <state=<<>,<>>@SERVER,result=float32@SERVER,measurements=<mean_value=<>,mean_count=<>>@SERVER>)");
    assertThat(result(new Rounds(mean).next(List.of(1, 2, 3)))).isEqualTo(2.0);
  }

  @Test
  void weightedMeanOfAStructure() {
    AggregationProcess mean = new MeanFactory().create(NESTED, FLOAT32);
    Struct out = new Rounds(mean).next(NESTED_VALUES, List.of(3, 2, 1));
    assertThat(flatResult(out)).containsExactly(new double[] {10 / 6.0, 16 / 6.0, 22 / 6.0}, within(1e-6));
  }

  @Test
  void unweightedMeanOfAStructure() {
    AggregationProcess mean = new UnweightedMeanFactory().create(NESTED);
    assertThat(flatResult(new Rounds(mean).next(NESTED_VALUES)))
        .containsExactly(new double[] {2.0, 7 / 3.0, 4.0}, within(1e-6));
  }

  @Test
  void integerWeightsWeighFloatValues() {
    AggregationProcess mean = new MeanFactory().create(FLOAT32, INT32);
    assertThat(result(new Rounds(mean).next(List.of(1, 2, 3), List.of(3, 2, 1))))
        .isCloseTo(10 / 6.0, within(1e-6));
  }

  @Test
  void noNanDivisionGivesZeroForATotalWeightOfZero() {
    AggregationProcess mean = new MeanFactory(new SumFactory(), new SumFactory(), true).create(FLOAT32, FLOAT32);
    Rounds rounds = new Rounds(mean);
    assertThat(result(rounds.next(List.of(1, 2, 3), List.of(0, 0, 0)))).isEqualTo(0.0);
    assertThat(result(rounds.next(List.of(1, 2, 3), List.of(3, 2, 1)))).isCloseTo(10 / 6.0, within(1e-6));
  }

  @Test
  void withoutNoNanDivisionATotalWeightOfZeroFails() {
    Rounds rounds = new Rounds(new MeanFactory().create(FLOAT32, FLOAT32));
    assertThatThrownBy(() -> rounds.next(List.of(1, 2, 3), List.of(0, 0, 0)))
        .isInstanceOf(ArithmeticException.class)
        .hasMessageContaining("generic_divide");
  }

  @Test
  void nonFloatValuesAndNonScalarWeightsAreRejected() {
    assertThatThrownBy(() -> new MeanFactory().create(StructType.of(FLOAT32, INT32), FLOAT32))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("MeanFactory: the value type must be a float32 tensor type or a struct of float32 tensor types"
            + " with fully known shapes, found <float32,int32>");
    assertThatThrownBy(() -> new MeanFactory().create(FLOAT32, TensorType.of(DType.FLOAT32, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("MeanFactory: the weight type must be a numeric scalar (float32, int32 or int64), found"
            + " float32[2]");
    assertThatThrownBy(() -> new UnweightedMeanFactory().create(
        TensorType.of(DType.FLOAT32, TensorType.UNKNOWN)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("UnweightedMeanFactory: the value type must be a float32 tensor type or a struct of float32 tensor"
            + " types with fully known shapes, found float32[?]");
  }
}
