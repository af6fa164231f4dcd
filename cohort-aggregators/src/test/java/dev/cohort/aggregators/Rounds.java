package dev.cohort.aggregators;

import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;

/** Test support: runs rounds of a process and reads what they return. */
final class Rounds {
  private final AggregationProcess process;
  private Object state;

  Rounds(AggregationProcess process) {
    this.process = process;
    this.state = process.initialize().call();
  }

  /** Runs one round on the given client values (and weights), keeping the new state; returns the round's output. */
  Struct next(Object... clientArgs) {
    Object[] args = new Object[clientArgs.length + 1];
    args[0] = state;
    System.arraycopy(clientArgs, 0, args, 1, clientArgs.length);
    Struct out = (Struct) process.next().call(args);
    state = out.get("state");
    return out;
  }

  /** The SERVER member of a federated value. */
  static Object server(Object federated) {
    return ((FederatedValue) federated).value();
  }

  /** The scalar result of a round. */
  static double result(Struct out) {
    return ((Tensor) server(out.get("result"))).getDouble();
  }

  /** A scalar measurement, found by the path of names through the nested measurements. */
  static double measurement(Struct out, String... path) {
    Object m = server(out.get("measurements"));
    for (String name : path) {
      m = ((Struct) m).get(name);
    }
    return ((Tensor) m).getDouble();
  }

  /** The tensors of a struct-valued result, flattened depth first, as doubles. */
  static double[] flatResult(Struct out) {
    return Processes.tensors(server(out.get("result"))).stream()
        .flatMapToDouble(t -> java.util.Arrays.stream(toDoubles(t))).toArray();
  }

  private static double[] toDoubles(Tensor t) {
    float[] f = t.toFloatArray();
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
