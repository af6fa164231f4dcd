package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedMean;
import static dev.cohort.core.Intrinsics.federatedSum;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.Intrinsics.federatedZip;

import dev.cohort.core.Computation;
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * TFF's {@code tff.learning.add_debug_measurements}: an aggregator whose measurements also report the clients'
 * update norms and the aggregate's range. The inner measurements (a struct with named fields, or {@code <>}) gain
 * {@code average_client_norm} (the weighted mean of the clients' global L2 norms; weight 1 each when unweighted),
 * {@code std_dev_client_norm} (its standard deviation from the unbiased variance, corrected by
 * {@code a^2 / (a^2 - b)} for weight sum {@code a} and squared-weight sum {@code b}), {@code server_update_max},
 * {@code server_update_norm} and {@code server_update_min} (of the result).
 */
public final class DebugMeasurements {
  private static final TensorType F = TensorType.FLOAT32;

  private DebugMeasurements() {}

  /** {@code inner} with the debug measurements added. */
  public static WeightedAggregationFactory add(WeightedAggregationFactory inner) {
    return (valueType, weightType) -> create(inner, valueType, weightType);
  }

  /** {@code inner} with the debug measurements added, each client weighing 1. */
  public static UnweightedAggregationFactory add(UnweightedAggregationFactory inner) {
    return valueType -> create(inner, valueType, null);
  }

  private static AggregationProcess create(AggregationFactory inner, Type valueType, Type weightType) {
    Processes.requireFloats("DebugMeasurements", valueType);
    AggregationProcess process = Processes.create(inner, valueType, weightType);
    if (!(((FederatedType) process.measurementsType()).member() instanceof StructType m)
        || m.size() != m.names().size()) {
      throw new IllegalArgumentException("DebugMeasurements: the inner measurements must be a struct with named"
          + " fields, found " + process.measurementsType());
    }
    Computation clientStats = CLIENT_NORM.at(new FunctionType(valueType, CLIENT_NORM_TYPE), Struct.empty());
    Computation weightSquared = WEIGHT.at(WEIGHT_TYPE);
    Computation stdDev = STD_DEV.at(STD_DEV_TYPE);
    Computation serverStats = SERVER_UPDATE.at(new FunctionType(valueType, SERVER_UPDATE_TYPE), Struct.empty());
    Computation toFloat = weightType == null ? null : TO_FLOAT.at(new FunctionType(weightType, F), Struct.empty());
    Type state = process.initialize().typeSignature().result();
    FederatedType values = FederatedType.atClients(valueType);
    Computation next = weightType == null
        ? Computation.federated("debug_next", "state", state, "value", values,
            (s, v) -> round(process, m, s, v, null, federatedValue(1f, Placement.CLIENTS), clientStats,
                weightSquared, stdDev, serverStats))
        : Computation.federated("debug_next", "state", state, "value", values,
            "weight", FederatedType.atClients(weightType),
            (s, v, w) -> round(process, m, s, v, w, federatedMap(toFloat, w), clientStats, weightSquared, stdDev,
                serverStats));
    return new AggregationProcess(process.initialize(), Processes.streaming(next));
  }

  private static final StructType CLIENT_NORM_TYPE = StructType.named("norm", F, "norm_squared", F);
  private static final StructType SERVER_UPDATE_TYPE = StructType.named("server_update_max", F,
      "server_update_norm", F, "server_update_min", F);

  /** {@code (V -> <norm,norm_squared>)} for float {@code V}: a client's global L2 norm and its square. */
  private static final Processes.Family CLIENT_NORM = new Processes.Family("aggregators.debug_client_norm",
      (type, p) -> {
        Processes.noParameters(p);
        Processes.requireFloats("aggregators.debug_client_norm", type.parameter());
        return new FunctionType(type.parameter(), CLIENT_NORM_TYPE);
      }, (type, p) -> arg -> {
        double sq = 0;
        for (Tensor t : Processes.tensors(arg)) {
          for (float x : t.floatData()) {
            sq += (double) x * x;
          }
        }
        return Struct.named("norm", Tensor.scalar((float) Math.sqrt(sq)), "norm_squared", Tensor.scalar((float) sq));
      });

  /** {@code (float32 -> <weight,weight_squared>)}. */
  private static final FunctionType WEIGHT_TYPE = new FunctionType(F,
      StructType.named("weight", F, "weight_squared", F));
  private static final Processes.Family WEIGHT = Processes.Family.single("aggregators.debug_weight", WEIGHT_TYPE,
      arg -> {
        float w = ((Tensor) arg).floatValue();
        return Struct.named("weight", Tensor.scalar(w), "weight_squared", Tensor.scalar(w * w));
      });

  /** {@code (<mean,mean_squared,weights,weights_squared> -> float32)}: TFF's unbiased weighted standard deviation. */
  private static final FunctionType STD_DEV_TYPE = new FunctionType(
      StructType.named("mean", F, "mean_squared", F, "weights", F, "weights_squared", F), F);
  private static final Processes.Family STD_DEV = Processes.Family.single("aggregators.debug_std_dev", STD_DEV_TYPE,
      arg -> {
        Struct s = (Struct) arg;
        float mean = ((Tensor) s.get(0)).floatValue();
        float meanSquared = ((Tensor) s.get(1)).floatValue();
        float a = ((Tensor) s.get(2)).floatValue();
        float b = ((Tensor) s.get(3)).floatValue();
        float denominator = a * a - b;
        float correction = denominator == 0f ? 0f : a * a / denominator;
        return Tensor.scalar((float) Math.sqrt(correction * (meanSquared - mean * mean)));
      });

  /** {@code (V -> <server_update_max,server_update_norm,server_update_min>)} for float {@code V}. */
  private static final Processes.Family SERVER_UPDATE = new Processes.Family("aggregators.debug_server_update",
      (type, p) -> {
        Processes.noParameters(p);
        Processes.requireFloats("aggregators.debug_server_update", type.parameter());
        return new FunctionType(type.parameter(), SERVER_UPDATE_TYPE);
      }, (type, p) -> arg -> {
        float max = Float.NEGATIVE_INFINITY;
        float min = Float.POSITIVE_INFINITY;
        double sq = 0;
        for (Tensor t : Processes.tensors(arg)) {
          for (float x : t.floatData()) {
            max = Math.max(max, x);
            min = Math.min(min, x);
            sq += (double) x * x;
          }
        }
        return Struct.named("server_update_max", Tensor.scalar(max), "server_update_norm",
            Tensor.scalar((float) Math.sqrt(sq)), "server_update_min", Tensor.scalar(min));
      });

  /** {@code (W -> float32)} for a numeric scalar weight. */
  private static final Processes.Family TO_FLOAT = new Processes.Family("aggregators.debug_to_float", (type, p) -> {
    Processes.noParameters(p);
    Processes.requireScalarWeight("aggregators.debug_to_float", type.parameter());
    return new FunctionType(type.parameter(), F);
  }, (type, p) -> arg -> Tensor.scalar((float) ((Tensor) arg).getDouble()));

  /** Defines the debug measurements' families ({@link AggregationProcess#defineLocalFamilies}). */
  static void defineLocalFamilies() {
    CLIENT_NORM.define();
    WEIGHT.define();
    STD_DEV.define();
    SERVER_UPDATE.define();
    TO_FLOAT.define();
  }

  private static Object round(AggregationProcess process, StructType measurementsType, Value state, Value value,
      Value weight, Value floatWeight, Computation clientStats, Computation weightSquared, Computation stdDev,
      Computation serverStats) {
    Value out = Processes.next(process, state, value, weight);
    Value norms = federatedMap(clientStats, value);
    Value weights = federatedMap(weightSquared, floatWeight);
    Value mean = federatedMean(norms.get("norm"), weights.get("weight"));
    Value meanSquared = federatedMean(norms.get("norm_squared"), weights.get("weight"));
    Value std = federatedMap(stdDev, List.of(mean, meanSquared, federatedSum(weights.get("weight")),
        federatedSum(weights.get("weight_squared"))));
    Value server = federatedMap(serverStats, out.get("result"));
    Map<String, Object> measurements = Processes.named();
    Value inner = out.get("measurements");
    for (String name : measurementsType.names()) {
      measurements.put(name, inner.get(name));
    }
    measurements.put("average_client_norm", mean);
    measurements.put("std_dev_client_norm", std);
    for (String name : List.of("server_update_max", "server_update_norm", "server_update_min")) {
      measurements.put(name, server.get(name));
    }
    return Processes.output(out.get("state"), out.get("result"), federatedZip(measurements));
  }
}
