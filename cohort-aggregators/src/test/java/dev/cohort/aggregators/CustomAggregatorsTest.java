package dev.cohort.aggregators;

import static dev.cohort.aggregators.Rounds.measurement;
import static dev.cohort.aggregators.Rounds.result;
import static dev.cohort.aggregators.Rounds.server;
import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.Intrinsics.federatedZip;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.Computation;
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TFF's "Implementing custom aggregations" tutorial (tff.md §1.11): a user's factory, written against
 * {@link UnweightedAggregationFactory}, delegating to Cohort's {@link SumFactory} and nesting in itself.
 */
class CustomAggregatorsTest {
  private static final List<Double> CLIENT_DATA = List.of(1.0, 2.0, 5.0);

  private static final Computation ADD_ONE = Computation.local("test.tutorial_add_one", FLOAT32, FLOAT32,
      x -> ((Tensor) x).add(1f));
  private static final Computation SCALE = Computation.local("test.tutorial_scale",
      StructType.of(FLOAT32, FLOAT32), FLOAT32, a -> ((Tensor) ((Struct) a).get(0)).mul((Tensor) ((Struct) a).get(1)));
  private static final Computation UNSCALE = Computation.local("test.tutorial_unscale",
      StructType.of(FLOAT32, FLOAT32), FLOAT32, a -> ((Tensor) ((Struct) a).get(0)).div((Tensor) ((Struct) a).get(1)));

  /** The tutorial's {@code ExampleTaskFactory}: scales by the round number, delegates, unscales. */
  private record ExampleTaskFactory(UnweightedAggregationFactory inner) implements UnweightedAggregationFactory {
    @Override
    public AggregationProcess create(Type valueType) {
      AggregationProcess innerProcess = inner.create(valueType);
      Computation initialize = Computation.federated("initialize_fn",
          () -> federatedZip(List.of(federatedValue(0f, Placement.SERVER), innerProcess.initialize().apply())));
      Computation next = Computation.federated("next_fn", "state", initialize.typeSignature().result(),
          "value", FederatedType.atClients(valueType), (state, value) -> {
            Value myNewState = federatedMap(ADD_ONE, state.get(0));
            Value scaled = federatedMap(SCALE, List.of(value, federatedBroadcast(myNewState)));
            Value innerOutput = innerProcess.next().apply(state.get(1), scaled);
            return Processes.output(federatedZip(List.of(myNewState, innerOutput.get("state"))),
                federatedMap(UNSCALE, List.of(innerOutput.get("result"), myNewState)),
                federatedZip(Processes.named("scaled_value", innerOutput.get("result"),
                    "example_task", innerOutput.get("measurements"))));
          });
      return new AggregationProcess(initialize, next);
    }
  }

  @Test
  void delegatingToSumFactoryReportsTheInnerMeasurements() {
    AggregationProcess process = new ExampleTaskFactory(new SumFactory()).create(FLOAT32);
    Rounds rounds = new Rounds(process);
    Struct first = rounds.next(CLIENT_DATA);
    assertThat(result(first)).isEqualTo(8.0);
    assertThat(measurement(first, "scaled_value")).isEqualTo(8.0);
    assertThat(server(first.get("measurements")).toString()).isEqualTo("<scaled_value=8.0,example_task=<>>");
    Struct second = rounds.next(CLIENT_DATA);
    assertThat(result(second)).isEqualTo(8.0);
    assertThat(measurement(second, "scaled_value")).isEqualTo(16.0);
  }

  @Test
  void nestedInItselfTheMeasurementsNest() {
    Rounds rounds = new Rounds(new ExampleTaskFactory(new ExampleTaskFactory(new SumFactory())).create(FLOAT32));
    Struct first = rounds.next(CLIENT_DATA);
    assertThat(server(first.get("measurements")).toString())
        .isEqualTo("<scaled_value=8.0,example_task=<scaled_value=8.0,example_task=<>>>");
    Struct second = rounds.next(CLIENT_DATA);
    assertThat(result(second)).isEqualTo(8.0);
    assertThat(server(second.get("measurements")).toString())
        .isEqualTo("<scaled_value=16.0,example_task=<scaled_value=32.0,example_task=<>>>");
  }

  @Test
  void theMinimalSumFactoryPrintsTffsTypes() {
    AggregationProcess sum = new SumFactory().create(FLOAT32);
    assertThat(sum.initialize().typeSignature().toString()).isEqualTo("( -> <>@SERVER)");
    assertThat(sum.next().typeSignature().toString()).isEqualTo("(<state=<>@SERVER,value={float32}@CLIENTS> ->"
        + " <state=<>@SERVER,result=float32@SERVER,measurements=<>@SERVER>)");
    assertThat(result(new Rounds(sum).next(CLIENT_DATA))).isEqualTo(8.0);
  }
}
