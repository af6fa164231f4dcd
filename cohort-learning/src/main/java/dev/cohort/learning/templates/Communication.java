package dev.cohort.learning.templates;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedSum;
import static dev.cohort.core.Intrinsics.federatedZip;

import dev.cohort.core.Computation;
import dev.cohort.core.LocalFamily;
import dev.cohort.core.Value;
import dev.cohort.core.ast.LocalFactory;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Communication accounting for any learning process, the counterpart of the bits TFF's compression tutorial printed
 * ({@code broadcasted_bits}, {@code aggregated_bits}, measured by TFF's former sizing executor): {@link #measured}
 * adds {@code communication=<clients=int64,broadcasted_bits=int64,aggregated_bits=int64>} to the round's metrics.
 *
 * <ul>
 *   <li>{@code broadcasted_bits}: the round's clients times the bits of the global model ({@code
 *       global_model_weights}: elements times their dtype's bits), what the broadcast sends each client.</li>
 *   <li>{@code aggregated_bits}: the round's clients times the bits one client uploads for its model update: the
 *       aggregator's own {@code client_bits} measurement where it reports one (the encoded size of a compressing
 *       aggregator, e.g. {@code EncodedSumFactory}, nested anywhere in the aggregator's measurements; several are
 *       added), else the bits of the trainable weights, the update of the model-delta algorithms sent as float32.</li>
 * </ul>
 *
 * <p>Update weights, metrics and other per-algorithm extras (Mime-Lite's broadcast optimizer state, its full
 * gradient) are not counted, as in TFF's printed figures, where they round away against the model.
 */
public final class Communication {
  private Communication() {}

  private static final String ONE = "learning.communication.one_client";
  private static final String BITS = "learning.communication.bits";

  private static final StructType RESULT = StructType.named("clients", TensorType.INT64, "broadcasted_bits",
      TensorType.INT64, "aggregated_bits", TensorType.INT64);

  /** {@code (T -> int64)}: 1 for any client value. */
  private static final LocalFactory ONE_FACTORY = (type, parameters) -> {
    noParameters(parameters);
    if (!TensorType.INT64.equals(type.result())) {
      throw new TypeMismatchException("expected (T -> int64)", null, type);
    }
    return arg -> Tensor.scalar(1L);
  };

  /**
   * {@code (<int64,A> -> <clients=int64,broadcasted_bits=int64,aggregated_bits=int64>)} for any aggregator
   * measurements {@code A}; parameters {@code <model_bits=int64,update_bits=int64>}.
   */
  private static final LocalFactory BITS_FACTORY = (type, parameters) -> {
    if (parameters.size() != 2 || !List.of("model_bits", "update_bits").equals(parameters.names())
        || !(parameters.get(0) instanceof Tensor m) || m.dtype() != DType.INT64 || m.rank() != 0
        || !(parameters.get(1) instanceof Tensor u) || u.dtype() != DType.INT64 || u.rank() != 0) {
      throw new IllegalArgumentException("expected the parameters <model_bits=int64,update_bits=int64>, found "
          + parameters);
    }
    if (!(type.parameter() instanceof StructType p) || p.size() != 2 || !TensorType.INT64.equals(p.type(0))
        || !RESULT.equals(type.result())) {
      throw new TypeMismatchException("expected (<int64,A> -> " + RESULT + ")", null, type);
    }
    List<int[]> paths = new ArrayList<>();
    clientBitsPaths(p.type(1), new ArrayList<>(), paths);
    long modelBits = ((Tensor) parameters.get(0)).longValue();
    long updateBits = ((Tensor) parameters.get(1)).longValue();
    return arg -> {
      Struct a = (Struct) arg;
      long clients = ((Tensor) a.get(0)).longValue();
      long perClient = paths.isEmpty() ? updateBits : 0;
      for (int[] path : paths) {
        Object v = a.get(1);
        for (int i : path) {
          v = ((Struct) v).get(i);
        }
        perClient += ((Tensor) v).longValue();
      }
      return Struct.named("clients", Tensor.scalar(clients), "broadcasted_bits", Tensor.scalar(clients * modelBits),
          "aggregated_bits", Tensor.scalar(clients * perClient));
    };
  };

  /** The positions of every integer scalar named {@code client_bits} in {@code type}. */
  private static void clientBitsPaths(Type type, List<Integer> at, List<int[]> out) {
    if (!(type instanceof StructType s)) {
      return;
    }
    for (int i = 0; i < s.size(); i++) {
      at.add(i);
      if ("client_bits".equals(s.name(i)) && s.type(i) instanceof TensorType t && t.isScalar()
          && t.dtype().isInteger()) {
        out.add(at.stream().mapToInt(Integer::intValue).toArray());
      } else {
        clientBitsPaths(s.type(i), at, out);
      }
      at.remove(at.size() - 1);
    }
  }

  private static void noParameters(Struct parameters) {
    if (parameters.size() != 0) {
      throw new IllegalArgumentException("takes no parameters, found " + parameters);
    }
  }

  /** Defines {@code learning.communication.one_client} and {@code .bits} (a no-op when defined). */
  static void defineLocalFamilies() {
    LocalFamily.define(ONE, ONE_FACTORY);
    LocalFamily.define(BITS, BITS_FACTORY);
  }

  /** The bits of a value of {@code type}: every tensor's elements times its dtype's bits. */
  static long bits(Type type) {
    if (type instanceof TensorType t) {
      if (!t.isFullyDefined() || t.dtype() == DType.STRING) {
        throw new IllegalArgumentException("communication accounting needs tensors of known shapes and fixed-size"
            + " dtypes, found " + t);
      }
      return (long) t.toShape().size() * t.dtype().byteSize() * 8L;
    }
    long sum = 0;
    for (StructType.Field f : ((StructType) type).fields()) {
      sum += bits(f.type());
    }
    return sum;
  }

  /**
   * {@code process} whose round metrics add {@code communication=<clients,broadcasted_bits,aggregated_bits>} (see the
   * class comment); its state, initialize and the other computations are {@code process}'s.
   *
   * @throws IllegalArgumentException if the process's state has no {@code global_model_weights} of tensors of known
   *     shapes, or its metrics have no {@code aggregator} or already have {@code communication}
   */
  public static LearningProcess measured(LearningProcess process) {
    FunctionType signature = process.next().typeSignature();
    StructType parameter = (StructType) signature.parameter();
    FederatedType stateType = (FederatedType) parameter.type(0);
    Type dataType = parameter.type(1);
    StructType state = (StructType) stateType.member();
    StructType metrics = (StructType) ((FederatedType) ((StructType) signature.result()).type(1)).member();
    int w = state.names().indexOf("global_model_weights");
    int a = metrics.names().indexOf("aggregator");
    if (w < 0 || a < 0) {
      throw new IllegalArgumentException("communication accounting needs a state with global_model_weights and"
          + " metrics with aggregator, found " + signature);
    }
    if (metrics.names().contains("communication")) {
      throw new IllegalArgumentException("the process's metrics already have 'communication' (measured twice?): "
          + metrics);
    }
    Type weights = state.type(w);
    long modelBits = bits(weights);
    Type trainable = weights instanceof StructType ws && ws.names().indexOf("trainable") >= 0
        ? ws.type(ws.names().indexOf("trainable")) : weights;
    long updateBits = bits(trainable);
    Type member = ((FederatedType) dataType).member();
    Computation one = LocalFamily.define(ONE, ONE_FACTORY).at(new FunctionType(member, TensorType.INT64));
    Computation count = LocalFamily.define(BITS, BITS_FACTORY).at(new FunctionType(StructType.of(TensorType.INT64,
        metrics.type(a)), RESULT), Struct.named("model_bits", Tensor.scalar(modelBits), "update_bits",
        Tensor.scalar(updateBits)));
    Computation next = Computation.federated("next", "state", stateType, "client_data", dataType, (s, data) -> {
      Value out = process.next().apply(s, data);
      Value m = out.get("metrics");
      Value clients = federatedSum(federatedMap(one, data));
      Map<String, Object> withBits = new LinkedHashMap<>();
      for (String name : metrics.names()) {
        withBits.put(name, m.get(name));
      }
      withBits.put("communication", federatedMap(count, federatedZip(List.of(clients, m.get("aggregator")))));
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("state", out.get("state"));
      result.put("metrics", federatedZip(withBits));
      return result;
    });
    return new LearningProcess(process.initialize(), next, process.getModelWeights(), process.setModelWeights(),
        process.getHparams(), process.setHparams());
  }
}
