package dev.cohort.examples;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedSum;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.Intrinsics.federatedZip;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.examples.Notebook.cell;

import dev.cohort.aggregators.AggregationProcess;
import dev.cohort.aggregators.SumFactory;
import dev.cohort.aggregators.UnweightedAggregationFactory;
import dev.cohort.core.Computation;
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.privacy.Numbers;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TFF's "Implementing Custom Aggregations" in Cohort: four versions of the tutorial's {@code ExampleTaskFactory}, an
 * {@link UnweightedAggregationFactory} written by a user: a minimal one (scale, sum, unscale), a stateful one (scale
 * by the round number, report the scaled sum), one working on structures, and one delegating to an inner factory
 * (by default {@link SumFactory}) and nesting in itself. Every line printed is one the notebook prints (tff.md §1.11).
 */
public final class CustomAggregators implements Tutorial {
  private static final List<Object> CLIENT_DATA = List.of(1f, 2f, 5f);

  private static final Computation TIMES_TWO = Computation.local("tutorial.custom_aggregators_times_two", FLOAT32,
      FLOAT32, x -> ((Tensor) x).mul(2f));
  private static final Computation HALF = Computation.local("tutorial.custom_aggregators_half", FLOAT32, FLOAT32,
      x -> ((Tensor) x).mul(0.5f));
  private static final Computation ADD_ONE = Computation.local("tutorial.custom_aggregators_add_one", FLOAT32,
      FLOAT32, x -> ((Tensor) x).add(1f));

  @Override
  public String name() {
    return "custom-aggregators";
  }

  @Override
  public boolean readsData() {
    return false;
  }

  @Override
  public String summary() {
    return "Implementing custom aggregations: stateful, structured and nested aggregation factories (TFF's tutorial)";
  }

  /** Runs the tutorial on standard output. */
  public static void main(String[] args) {
    new CustomAggregators().run(System.out, null);
  }

  @Override
  public void run(PrintStream out, Path dataDir) {
    Notebook.inProcessContext(() -> tour(out));
  }

  /** {@code (<value=V,factor=float32> -> V)}: every tensor multiplied (or, with {@code divide}, divided) by factor. */
  private static Computation scale(Type valueType, boolean divide) {
    String name = "tutorial.custom_aggregators_" + (divide ? "unscale" : "scale") + "_"
        + (valueType instanceof TensorType ? "tensor" : "struct");
    return Computation.local(name, StructType.named("value", valueType, "factor", FLOAT32), valueType, arg -> {
      Struct s = (Struct) arg;
      float f = ((Tensor) s.get(1)).floatValue();
      return map(s.get(0), t -> divide ? t.div(Tensor.scalar(f)) : t.mul(f));
    });
  }

  private static Object map(Object value, java.util.function.UnaryOperator<Tensor> f) {
    if (value instanceof Tensor t) {
      return f.apply(t);
    }
    Struct s = (Struct) value;
    List<Object> out = new ArrayList<>();
    for (Object v : s.values()) {
      out.add(map(v, f));
    }
    return Struct.of(s.names(), out);
  }

  private static Map<String, Object> output(Object state, Object result, Object measurements) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("state", state);
    m.put("result", result);
    m.put("measurements", measurements);
    return m;
  }

  /** The first version: no state, {@code sum(2 x) / 2}, no measurements. */
  private static final UnweightedAggregationFactory MINIMAL = valueType -> {
    Computation initialize = Computation.federated("initialize_fn",
        () -> federatedValue(Struct.empty(), Placement.SERVER));
    Computation next = Computation.federated("next_fn", "state", initialize.typeSignature().result(),
        "value", FederatedType.atClients(valueType), (state, value) -> output(state,
            federatedMap(HALF, federatedSum(federatedMap(TIMES_TWO, value))),
            federatedValue(Struct.empty(), Placement.SERVER)));
    return new AggregationProcess(initialize, next);
  };

  /** The stateful versions: scale by the round number, sum, unscale; the scaled sum is the measurement. */
  private static final UnweightedAggregationFactory STATEFUL = valueType -> {
    Computation initialize = Computation.federated("initialize_fn", () -> federatedValue(0f, Placement.SERVER));
    Computation scale = scale(valueType, false);
    Computation unscale = scale(valueType, true);
    Computation next = Computation.federated("next_fn", "state", initialize.typeSignature().result(),
        "value", FederatedType.atClients(valueType), (state, value) -> {
          Value newState = federatedMap(ADD_ONE, state);
          Value summed = federatedSum(federatedMap(scale, List.of(value, federatedBroadcast(newState))));
          return output(newState, federatedMap(unscale, List.of(summed, newState)), summed);
        });
    return new AggregationProcess(initialize, next);
  };

  /** The delegating version: the tutorial's {@code ExampleTaskFactory(inner_factory)}. */
  private record ExampleTaskFactory(UnweightedAggregationFactory inner) implements UnweightedAggregationFactory {
    ExampleTaskFactory() {
      this(new SumFactory());
    }

    @Override
    public AggregationProcess create(Type valueType) {
      AggregationProcess innerProcess = inner.create(valueType);
      Computation scale = scale(valueType, false);
      Computation unscale = scale(valueType, true);
      Computation initialize = Computation.federated("initialize_fn",
          () -> federatedZip(List.of(federatedValue(0f, Placement.SERVER), innerProcess.initialize().apply())));
      Computation next = Computation.federated("next_fn", "state", initialize.typeSignature().result(),
          "value", FederatedType.atClients(valueType), (state, value) -> {
            Value myNewState = federatedMap(ADD_ONE, state.get(0));
            Value scaled = federatedMap(scale, List.of(value, federatedBroadcast(myNewState)));
            Value innerOutput = innerProcess.next().apply(state.get(1), scaled);
            Map<String, Object> measurements = new LinkedHashMap<>();
            measurements.put("scaled_value", innerOutput.get("result"));
            measurements.put("example_task", innerOutput.get("measurements"));
            return output(federatedZip(List.of(myNewState, innerOutput.get("state"))),
                federatedMap(unscale, List.of(innerOutput.get("result"), myNewState)), federatedZip(measurements));
          });
      return new AggregationProcess(initialize, next);
    }
  }

  private static void tour(PrintStream out) {
    AggregationProcess minimal = MINIMAL.create(FLOAT32);
    cell(out, "the minimal ExampleTaskFactory");
    signatures(out, minimal);
    Struct output = (Struct) minimal.next().call(minimal.initialize().call(), CLIENT_DATA);
    out.println("Aggregation result: " + py(output.get("result")) + "  (expected 8.0)");

    AggregationProcess stateful = STATEFUL.create(FLOAT32);
    cell(out, "the stateful ExampleTaskFactory");
    signatures(out, stateful);
    Object state = stateful.initialize().call();
    for (int round = 1; round <= 3; round++) {
      output = (Struct) stateful.next().call(state, CLIENT_DATA);
      state = output.get("state");
      out.println((round > 1 ? "\n" : "") + "| Round #" + round);
      out.println("|       Aggregation result: " + py(output.get("result")) + "   (expected 8.0)");
      String m = py(output.get("measurements"));
      out.println("| Aggregation measurements: " + m + " ".repeat(Math.max(1, 6 - m.length())) + "(expected 8.0 * "
          + round + ")");
    }

    StructType structured = StructType.of(TensorType.of(DType.FLOAT32, 2), TensorType.of(DType.FLOAT32, 3));
    AggregationProcess structuredProcess = STATEFUL.create(structured);
    cell(out, "the structure-aware ExampleTaskFactory");
    signatures(out, structuredProcess);
    List<Object> structuredData = List.of(
        List.of(Tensor.vector(1f, 2f), Tensor.vector(3f, 4f, 5f)),
        List.of(Tensor.vector(1f, 1f), Tensor.vector(3f, 0f, -5f)));
    output = (Struct) structuredProcess.next().call(structuredProcess.initialize().call(), structuredData);
    Struct result = (Struct) ((FederatedValue) output.get("result")).value();
    out.println("Aggregation result: [" + numpy((Tensor) result.get(0)) + ", " + numpy((Tensor) result.get(1)) + "]");
    out.println("          Expected: [[2. 3.], [6. 4. 0.]]");

    cell(out, "ExampleTaskFactory() delegating to SumFactory");
    delegating(out, new ExampleTaskFactory().create(FLOAT32));
    cell(out, "ExampleTaskFactory(ExampleTaskFactory())");
    delegating(out, new ExampleTaskFactory(new ExampleTaskFactory()).create(FLOAT32));
  }

  private static void delegating(PrintStream out, AggregationProcess process) {
    Object state = process.initialize().call();
    for (int round = 1; round <= 2; round++) {
      Struct output = (Struct) process.next().call(state, CLIENT_DATA);
      state = output.get("state");
      Struct m = (Struct) ((FederatedValue) output.get("measurements")).value();
      out.println((round > 1 ? "\n" : "") + "| Round #" + round);
      out.println("|           Aggregation result: " + py(output.get("result")) + "   (expected 8.0)");
      out.println("| measurements['scaled_value']: " + py(m.get("scaled_value")));
      out.println("| measurements['example_task']: " + py(m.get("example_task")));
    }
  }

  private static void signatures(PrintStream out, AggregationProcess process) {
    out.println("Type signatures of the created aggregation process:");
    out.println("  - initialize: " + process.initialize().typeSignature());
    out.println("  - next: " + process.next().typeSignature());
    out.println();
  }

  /** Python's printing of what TFF returns: float32 scalars, {@code ()} and {@code OrderedDict}s. */
  static String py(Object value) {
    if (value instanceof FederatedValue f) {
      return py(f.value());
    }
    if (value instanceof Tensor t) {
      return Numbers.float32(t.floatValue());
    }
    Struct s = (Struct) value;
    if (s.size() == 0) {
      return "()";
    }
    StringBuilder sb = new StringBuilder("OrderedDict([");
    for (int i = 0; i < s.size(); i++) {
      sb.append(i > 0 ? ", " : "").append("('").append(s.names().get(i)).append("', ").append(py(s.get(i)))
          .append(')');
    }
    return sb.append("])").toString();
  }

  /** NumPy's {@code str} of a float32 vector with integral elements, e.g. {@code [6. 4. 0.]}. */
  static String numpy(Tensor t) {
    StringBuilder sb = new StringBuilder("[");
    float[] d = t.toFloatArray();
    for (int i = 0; i < d.length; i++) {
      String e = Numbers.float32(d[i]);
      sb.append(i > 0 ? " " : "").append(e.endsWith(".0") ? e.substring(0, e.length() - 1) : e);
    }
    return sb.append(']').toString();
  }
}
