package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedSum;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.Computation;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.tensor.Tensor;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The contract of tff.md §4.1, checked when a process is built, with TFF's rules and precise messages. */
class AggregationProcessTest {
  private static final FederatedType STATE = FederatedType.atServer(FLOAT32);
  private static final Computation INITIALIZE = Computation.federated("init",
      () -> federatedValue(0f, Placement.SERVER));
  private static final Computation NEXT = Computation.federated("next", "state", STATE,
      "value", FederatedType.atClients(FLOAT32), (s, v) -> output(s, federatedSum(v), s));

  private static Map<String, Object> output(Object state, Object result, Object measurements) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("state", state);
    m.put("result", result);
    m.put("measurements", measurements);
    return m;
  }

  @Test
  void aWellTypedProcessIsAccepted() {
    AggregationProcess p = new AggregationProcess(INITIALIZE, NEXT);
    assertThat(p.isWeighted()).isFalse();
    assertThat(p.stateType()).isEqualTo(STATE);
    assertThat(p.measurementsType().toString()).isEqualTo("float32@SERVER");
    assertThat(p.toString()).isEqualTo("initialize: ( -> float32@SERVER)\nnext: (<state=float32@SERVER,"
        + "value={float32}@CLIENTS> -> <state=float32@SERVER,result=float32@SERVER,measurements=float32@SERVER>)");
  }

  @Test
  void initializeMustTakeNothingAndReturnServerState() {
    Computation withParameter = Computation.federated("init", STATE, s -> s);
    assertThatThrownBy(() -> new AggregationProcess(withParameter, NEXT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("AggregationProcess: initialize must take no parameter, found (float32@SERVER -> float32@SERVER)");
    Computation unplaced = Computation.federated("init", () -> 0f);
    assertThatThrownBy(() -> new AggregationProcess(unplaced, NEXT))
        .hasMessage("AggregationProcess: initialize must return the state placed at SERVER, found float32");
    Computation atClients = Computation.federated("init", () -> federatedValue(0f, Placement.CLIENTS));
    assertThatThrownBy(() -> new AggregationProcess(atClients, NEXT))
        .hasMessage("AggregationProcess: initialize must return the state placed at SERVER, found float32@CLIENTS");
  }

  @Test
  void nextMustTakeStateAndClientValues() {
    Computation oneArgument = Computation.federated("next", STATE, s -> output(s, s, s));
    assertThatThrownBy(() -> new AggregationProcess(INITIALIZE, oneArgument))
        .hasMessage("AggregationProcess: next must take <state, value> or <state, value, weight>, found"
            + " (float32@SERVER -> <state=float32@SERVER,result=float32@SERVER,measurements=float32@SERVER>)");
    Computation serverValue = Computation.federated("next", "state", STATE, "value", STATE,
        (s, v) -> output(s, v, s));
    assertThatThrownBy(() -> new AggregationProcess(INITIALIZE, serverValue))
        .hasMessageStartingWith("AggregationProcess: the value of next must be placed at CLIENTS, found"
            + " float32@SERVER (next: (<state=float32@SERVER,value=float32@SERVER> -> ");
    Computation otherState = Computation.federated("next", "state", FederatedType.atServer(INT32), "value",
        FederatedType.atClients(FLOAT32),
        (s, v) -> output(s, federatedSum(v), s));
    assertThatThrownBy(() -> new AggregationProcess(INITIALIZE, otherState))
        .hasMessageStartingWith("AggregationProcess: the state float32@SERVER returned by initialize is not"
            + " assignable to the first argument of next, int32@SERVER");
  }

  @Test
  void nextMustReturnStateResultAndMeasurementsAtServer() {
    Computation unnamed = Computation.federated("next", "state", STATE, "value", FederatedType.atClients(FLOAT32),
        (s, v) -> List.of(s, federatedSum(v), s));
    assertThatThrownBy(() -> new AggregationProcess(INITIALIZE, unnamed))
        .hasMessageStartingWith("AggregationProcess: next must return <state=...,result=...,measurements=...>, found"
            + " <float32@SERVER,float32@SERVER,float32@SERVER>");
    Computation clientResult = Computation.federated("next", "state", STATE, "value",
        FederatedType.atClients(FLOAT32), (s, v) -> output(s, v, s));
    assertThatThrownBy(() -> new AggregationProcess(INITIALIZE, clientResult))
        .hasMessageStartingWith("AggregationProcess: the result of next must be placed at SERVER, found"
            + " {float32}@CLIENTS");
    Computation clientMeasurements = Computation.federated("next", "state", STATE, "value",
        FederatedType.atClients(FLOAT32), (s, v) -> output(s, federatedSum(v), v));
    assertThatThrownBy(() -> new AggregationProcess(INITIALIZE, clientMeasurements))
        .hasMessageStartingWith("AggregationProcess: the measurements of next must be placed at SERVER, found"
            + " {float32}@CLIENTS");
    Computation plusOne = Computation.local("test.process_plus_one", FLOAT32, FLOAT32,
        x -> ((Tensor) x).add(1f));
    Computation clientState = Computation.federated("next", "state", STATE, "value",
        FederatedType.atClients(FLOAT32), (s, v) -> output(federatedMap(plusOne, v), federatedSum(v), s));
    assertThatThrownBy(() -> new AggregationProcess(INITIALIZE, clientState))
        .hasMessageStartingWith("AggregationProcess: the state {float32}@CLIENTS returned by next is not assignable"
            + " to its first argument, float32@SERVER");
  }

  @Test
  void aThirdClientsArgumentMakesTheProcessWeighted() {
    Computation weighted = Computation.federated("next", "state", STATE, "value", FederatedType.atClients(FLOAT32),
        "weight", FederatedType.atClients(FLOAT32), (s, v, w) -> output(s, federatedSum(v), s));
    assertThat(new AggregationProcess(INITIALIZE, weighted).isWeighted()).isTrue();
    Computation serverWeight = Computation.federated("next", "state", STATE, "value",
        FederatedType.atClients(FLOAT32), "weight", STATE, (s, v, w) -> output(s, federatedSum(v), s));
    assertThatThrownBy(() -> new AggregationProcess(INITIALIZE, serverWeight))
        .hasMessageStartingWith("AggregationProcess: the weight of next must be placed at CLIENTS, found"
            + " float32@SERVER");
  }
}
