package dev.cohort.examples;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedMean;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT32;
import static dev.cohort.examples.Notebook.cell;

import dev.cohort.core.Computation;
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.privacy.Numbers;
import dev.cohort.tensor.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * TFF's "Custom Federated Algorithms, Part 1: Introduction to the Federated Core" in Cohort: federated types,
 * federated computations traced from Java lambdas, local computations (TFF's {@code tensorflow.computation}),
 * sequences, and running them. Every value printed is one the notebook prints (tff.md §1.9).
 */
public final class CustomFederatedAlgorithms1 implements Tutorial {

  @Override
  public String name() {
    return "custom-federated-algorithms-1";
  }

  @Override
  public boolean readsData() {
    return false;
  }

  @Override
  public String summary() {
    return "Federated Core introduction: types, federated and local computations, sequences (TFF's part 1)";
  }

  /** Runs the tutorial on standard output. */
  public static void main(String[] args) {
    new CustomFederatedAlgorithms1().run(System.out, null);
  }

  @Override
  public void run(PrintStream out, Path dataDir) {
    Notebook.inProcessContext(() -> tour(out));
  }

  private static void tour(PrintStream out) {
    Computation helloWorld = Computation.federated("hello_world", () -> "Hello, World!");
    cell(out, "hello_world()");
    // TFF returns str tensors as Python bytes.
    out.println("b'" + ((Tensor) helloWorld.call()).stringValue() + "'");

    // ---- Federated data and types
    FederatedType federatedFloatOnClients = FederatedType.atClients(FLOAT32);
    cell(out, "str(federated_float_on_clients.member)");
    out.println(quoted(federatedFloatOnClients.member()));
    cell(out, "str(federated_float_on_clients.placement)");
    out.println(quoted(federatedFloatOnClients.placement()));
    cell(out, "str(federated_float_on_clients)");
    out.println(quoted(federatedFloatOnClients));
    cell(out, "federated_float_on_clients.all_equal");
    out.println(federatedFloatOnClients.allEqual() ? "True" : "False");
    cell(out, "str(FederatedType(np.float32, CLIENTS, all_equal=True))");
    out.println(quoted(FederatedType.atClients(FLOAT32, true)));
    StructType simpleRegressionModelType = StructType.named("a", FLOAT32, "b", FLOAT32);
    cell(out, "str(simple_regression_model_type)");
    out.println(quoted(simpleRegressionModelType));
    cell(out, "str(FederatedType(simple_regression_model_type, CLIENTS, all_equal=True))");
    out.println(quoted(FederatedType.atClients(simpleRegressionModelType, true)));

    // ---- Federated computations
    Computation getAverageTemperature = Computation.federated("get_average_temperature", "sensor_readings",
        FederatedType.atClients(FLOAT32), sensorReadings -> federatedMean(sensorReadings));
    cell(out, "str(get_average_temperature.type_signature)");
    out.println(quoted(getAverageTemperature.typeSignature()));
    cell(out, "get_average_temperature([68.5, 70.3, 69.8])");
    out.println(float32(getAverageTemperature.call(List.of(68.5, 70.3, 69.8))));

    cell(out, "a federated computation's body runs once, when it is defined, on symbolic values");
    Computation.federated("get_average_temperature", "sensor_readings", FederatedType.atClients(FLOAT32),
        sensorReadings -> {
          out.println("Getting traced, the argument is \"" + sensorReadings.getClass().getSimpleName() + "\".");
          return federatedMean(sensorReadings);
        });

    // ---- Local computations (TFF's tff.tensorflow.computation)
    Computation addHalf = Computation.local("cfa1.add_half", FLOAT32, FLOAT32, x -> ((Tensor) x).add(0.5f));
    cell(out, "str(add_half.type_signature)");
    out.println(quoted(addHalf.typeSignature()));
    Computation addHalfOnClients = Computation.federated("add_half_on_clients", FederatedType.atClients(FLOAT32),
        x -> federatedMap(addHalf, x));
    cell(out, "str(add_half_on_clients.type_signature)");
    out.println(quoted(addHalfOnClients.typeSignature()));
    cell(out, "add_half_on_clients([1.0, 3.0, 2.0])");
    FederatedValue halves = (FederatedValue) addHalfOnClients.call(List.of(1.0, 3.0, 2.0));
    List<String> printed = new ArrayList<>();
    for (Object member : halves.members()) {
      printed.add(Numbers.float32(((Tensor) member).floatValue()));
    }
    out.println(printed);

    cell(out, "a symbolic value kept after its trace finished cannot be used (TFF: capturing an eager tensor)");
    Value[] kept = new Value[1];
    Computation.federated("keeps_its_argument", FederatedType.atClients(FLOAT32), x -> {
      kept[0] = x;
      return federatedMean(x);
    });
    try {
      Computation.federated("uses_a_kept_value", FederatedType.atClients(FLOAT32), x -> federatedMean(kept[0]));
    } catch (IllegalStateException e) {
      out.println(e.getMessage());
    }

    Computation addTen = Computation.local("cfa1.add_ten", FLOAT32, FLOAT32,
        x -> ((Tensor) x).add(getConstant10()));
    cell(out, "add_ten(5.0)");
    out.println(float32(addTen.call(5.0)));

    // ---- Sequences
    SequenceType float32Sequence = SequenceType.of(FLOAT32);
    cell(out, "str(float32_sequence)");
    out.println(quoted(float32Sequence));
    Computation getLocalTemperatureAverage = Computation.local("cfa1.get_local_temperature_average",
        float32Sequence, FLOAT32, localTemperatures -> {
          float sum = 0f;
          int count = 0;
          for (Object t : (Sequence) localTemperatures) {
            sum += ((Tensor) t).floatValue();
            count++;
          }
          return sum / (float) count;
        });
    cell(out, "str(get_local_temperature_average.type_signature)");
    out.println(quoted(getLocalTemperatureAverage.typeSignature()));
    Computation sumInts = Computation.local("cfa1.foo_int32", SequenceType.of(INT32), INT32, x -> {
      int total = 0;
      for (Object v : (Sequence) x) {
        total += ((Tensor) v).intValue();
      }
      return total;
    });
    cell(out, "foo([1, 2, 3])");
    out.println(((Tensor) sumInts.call(List.of(1, 2, 3))).intValue());
    cell(out, "get_local_temperature_average([68.5, 70.3, 69.8])");
    out.println(float32(getLocalTemperatureAverage.call(List.of(68.5, 70.3, 69.8))));

    SequenceType structSequence = SequenceType.of(StructType.named("A", INT32, "B", INT32));
    cell(out, "foo's element structure (printed while TFF traces it)");
    out.println("element_structure = " + structSequence.element());
    Computation foo = Computation.local("cfa1.foo", structSequence, INT32, ds -> {
      int total = 0;
      for (Object e : (Sequence) ds) {
        Struct x = (Struct) e;
        total += ((Tensor) x.get("A")).intValue() * ((Tensor) x.get("B")).intValue();
      }
      return total;
    });
    cell(out, "str(foo.type_signature)");
    out.println(quoted(foo.typeSignature()));
    cell(out, "foo([{'A': 2, 'B': 3}, {'A': 4, 'B': 5}])");
    out.println(((Tensor) foo.call(List.of(Map.of("A", 2, "B", 3), Map.of("A", 4, "B", 5)))).intValue());

    Computation getGlobalTemperatureAverage = Computation.federated("get_global_temperature_average",
        "sensor_readings", FederatedType.atClients(float32Sequence),
        sensorReadings -> federatedMean(federatedMap(getLocalTemperatureAverage, sensorReadings)));
    cell(out, "str(get_global_temperature_average.type_signature)");
    out.println(quoted(getGlobalTemperatureAverage.typeSignature()));
    cell(out, "get_global_temperature_average([[68.0, 70.0], [71.0], [68.0, 72.0, 70.0]])");
    out.println(float32(getGlobalTemperatureAverage.call(
        List.of(List.of(68.0, 70.0), List.of(71.0), List.of(68.0, 72.0, 70.0)))));
  }

  private static Tensor getConstant10() {
    return Tensor.scalar(10f);
  }

  private static String quoted(Object o) {
    return "'" + (o instanceof Placement p ? p.toString() : o.toString()) + "'";
  }

  private static String float32(Object result) {
    Object v = result instanceof FederatedValue f ? f.value() : result;
    return Numbers.float32(((Tensor) v).floatValue());
  }
}
