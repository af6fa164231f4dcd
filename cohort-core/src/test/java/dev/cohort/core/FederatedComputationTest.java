package dev.cohort.core;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedMean;
import static dev.cohort.core.Intrinsics.federatedSum;
import static dev.cohort.core.Intrinsics.sequenceReduce;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The computations of TFF's "Custom federated algorithms, part 1" tutorial (tff.md §1.9), built and run. */
class FederatedComputationTest {

  @Test
  void federatedMeanOfTemperaturesPrintsTffsDigits() {
    Computation getAverageTemperature = Computation.federated("get_average_temperature", "sensor_readings",
        FederatedType.atClients(FLOAT32), x -> federatedMean(x));
    // tff.md §1.9: '({float32}@CLIENTS -> float32@SERVER)' and 69.53334.
    assertThat(getAverageTemperature.typeSignature().toString()).isEqualTo("({float32}@CLIENTS -> float32@SERVER)");
    Tensor mean = (Tensor) ((FederatedValue) getAverageTemperature.call(List.of(68.5, 70.3, 69.8))).value();
    assertThat(Float.toString(mean.floatValue())).isEqualTo("69.53334");
  }

  @Test
  void localComputationsMapAtClients() {
    Computation addHalf = Computation.local("test.add_half", FLOAT32, FLOAT32, x -> ((Tensor) x).add(0.5f));
    assertThat(addHalf.typeSignature().toString()).isEqualTo("(float32 -> float32)");
    Computation addHalfOnClients = Computation.federated("add_half_on_clients", FederatedType.atClients(FLOAT32),
        x -> federatedMap(addHalf, x));
    assertThat(addHalfOnClients.typeSignature().toString()).isEqualTo("({float32}@CLIENTS -> {float32}@CLIENTS)");
    FederatedValue out = (FederatedValue) addHalfOnClients.call(List.of(1.0, 3.0, 2.0));
    assertThat(out.toString()).isEqualTo("[1.5, 3.5, 2.5]");
  }

  @Test
  void sequencesOfStructsReduce() {
    StructType ab = StructType.named("A", INT32, "B", INT32);
    Computation foo = Computation.local("test.foo", SequenceType.of(ab), INT32, ds -> {
      int total = 0;
      for (Object e : (Sequence) ds) {
        Struct s = (Struct) e;
        total += ((Tensor) s.get("A")).intValue() * ((Tensor) s.get("B")).intValue();
      }
      return total;
    });
    assertThat(foo.typeSignature().toString()).isEqualTo("(<A=int32,B=int32>* -> int32)");
    Object r = foo.call(List.of(Map.of("A", 2, "B", 3), Map.of("A", 4, "B", 5)));
    assertThat(r).isEqualTo(Tensor.scalar(26));
  }

  @Test
  @SuppressWarnings("try") // the scope is the point: it installs the context
  void federatedSequenceReduceAndBroadcast() {
    Computation plus = Computation.local("test.plus_f", StructType.of(FLOAT32, FLOAT32), FLOAT32,
        a -> ((Tensor) ((Struct) a).get(0)).add((Tensor) ((Struct) a).get(1)));
    Computation total = Computation.federated("total", "model", FederatedType.atServer(FLOAT32), "data",
        FederatedType.atClients(SequenceType.of(FLOAT32)),
        (model, data) -> federatedSum(sequenceReduce(data, 0f, plus)));
    assertThat(total.typeSignature().toString()).isEqualTo("(<model=float32@SERVER,data={float32*}@CLIENTS> -> float32@SERVER)");
    Object r = total.call(1f, List.of(List.of(1f, 2f), List.of(), List.of(4f)));
    assertThat(r.toString()).isEqualTo("7.0");
    Computation bc = Computation.federated("bc", FederatedType.atServer(FLOAT32),
        x -> federatedSum(federatedMap(plus, List.of(federatedBroadcast(x), federatedBroadcast(x)))));
    try (var ctx = dev.cohort.core.runtime.InProcessContext.builder().defaultClients(3).build();
         var s = ContextStack.install(ctx)) {
      assertThat(bc.call(2f).toString()).isEqualTo("12.0");
    }
  }

  @Test
  void aMapReturnedFromABodyMustHaveADefinedOrder() {
    FederatedType readings = FederatedType.atClients(FLOAT32);
    Map<String, Object> unordered = new HashMap<>();
    assertThatThrownBy(() -> Computation.federated("stats", readings, x -> {
      unordered.put("mean", federatedMean(x));
      unordered.put("sum", federatedSum(x));
      return unordered;
    }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("result of 'stats': a java.util.HashMap has no defined order, so the order of the struct's"
            + " elements would change between runs; use a LinkedHashMap (insertion order), a SortedMap or a Struct");
    Computation inserted = Computation.federated("stats", readings, x -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("sum", federatedSum(x));
      m.put("mean", federatedMean(x));
      return m;
    });
    assertThat(inserted.typeSignature().result().toString()).isEqualTo("<sum=float32@SERVER,mean=float32@SERVER>");
    Computation sorted = Computation.federated("stats", readings,
        x -> new TreeMap<>(Map.of("sum", federatedSum(x), "mean", federatedMean(x))));
    assertThat(sorted.typeSignature().result().toString()).isEqualTo("<mean=float32@SERVER,sum=float32@SERVER>");
  }

  @Test
  void aMapConvertsToANamedStructByNameWhateverItsOrder() {
    StructType type = StructType.named("z", INT32, "a", FLOAT32, "m", INT32);
    Map<String, Object> value = new HashMap<>();
    value.put("a", 1.5);
    value.put("m", 2);
    value.put("z", 3);
    assertThat(Values.conform(value, type).toString()).isEqualTo("<z=3,a=1.5,m=2>");
    assertThatThrownBy(() -> Values.conform(Map.of("a", 1.5, "z", 3), type))
        .hasMessage("value: expected a value of type <z=int32,a=float32,m=int32> (3 elements), found a map with keys "
            + Map.of("a", 1.5, "z", 3).keySet());
  }

  @Test
  void intrinsicsOutsideATraceSayHowToTrace() {
    assertThatThrownBy(() -> federatedMean(1f))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("federated_mean builds a federated computation and can only be used while one is traced");
  }

  @Test
  void typeErrorsNameTheIntrinsicAndBothTypes() {
    assertThatThrownBy(() -> Computation.federated("bad", FederatedType.atServer(FLOAT32), x -> federatedMean(x)))
        .isInstanceOf(TypeMismatchException.class)
        .hasMessage("federated_mean: expected the value to be averaged to be a federated value placed at CLIENTS,"
            + " found float32@SERVER (placed at SERVER)");
    assertThatThrownBy(() -> Computation.federated("bad", FederatedType.atClients(INT32), x -> federatedMean(x)))
        .hasMessage("federated_mean: the value type {int32}@CLIENTS is not compatible with the average operator:"
            + " members must be float32 tensors or structures of them");
  }

  @Test
  void escapedValuesAreExplained() {
    Value[] leaked = new Value[1];
    Computation.federated("leaky", FederatedType.atClients(FLOAT32), x -> {
      leaked[0] = x;
      return federatedMean(x);
    });
    assertThatThrownBy(() -> Computation.federated("user", FederatedType.atClients(FLOAT32),
        x -> federatedMean(leaked[0])))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("was created while tracing 'leaky', which has finished");
  }
}
