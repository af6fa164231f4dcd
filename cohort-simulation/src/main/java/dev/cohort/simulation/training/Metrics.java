package dev.cohort.simulation.training;

import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** Metric names as TFF's release managers flatten them: nested names joined by {@code /}. */
public final class Metrics {
  private Metrics() {}

  /**
   * The scalar leaves of a (nested) struct of metrics by flat name, in depth-first order:
   * {@code <client_work=<train=<loss=2.3>>>} gives {@code client_work/train/loss = 2.3}. A federated value is
   * flattened through its value; an unnamed element is named by its index.
   *
   * @throws IllegalArgumentException if a leaf is not a scalar tensor
   */
  public static Map<String, Double> flatten(Object metrics) {
    Map<String, Double> out = new LinkedHashMap<>();
    flatten(metrics, "", out);
    return out;
  }

  private static void flatten(Object value, String prefix, Map<String, Double> out) {
    if (value instanceof FederatedValue f) {
      flatten(f.value(), prefix, out);
    } else if (value instanceof Struct s) {
      for (int i = 0; i < s.size(); i++) {
        String name = s.name(i) != null ? s.name(i) : String.valueOf(i);
        flatten(s.get(i), prefix.isEmpty() ? name : prefix + "/" + name, out);
      }
    } else if (value instanceof Tensor t && t.rank() == 0) {
      out.put(prefix, switch (t.dtype()) {
        case FLOAT32 -> (double) t.floatValue();
        case INT32 -> (double) t.intValue();
        case INT64 -> (double) t.longData()[0];
        case BOOL -> t.boolData()[0] ? 1.0 : 0.0;
        case STRING -> throw new IllegalArgumentException("metric '" + prefix + "' is a string, not a number");
      });
    } else {
      throw new IllegalArgumentException("metric '" + prefix + "' must be a scalar tensor or a struct of them, found "
          + (value == null ? "null" : value.getClass().getSimpleName() + " " + value));
    }
  }
}
