package dev.cohort.learning.templates;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedValue;

import dev.cohort.core.Computation;
import dev.cohort.core.LocalFamily;
import dev.cohort.core.Value;
import dev.cohort.core.ast.LocalFactory;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.Nest;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The measured process that applies the aggregated update to the server's model, TFF's {@code FinalizerProcess}:
 *
 * <pre>
 * initialize: ( -&gt; S@SERVER)
 * next:       (&lt;state=S@SERVER,weights=W@SERVER,update=U@SERVER&gt;
 *                 -&gt; &lt;state=S@SERVER,result=W@SERVER,measurements=M@SERVER&gt;)
 * </pre>
 *
 * @param initialize the initial state
 * @param next one round
 * @param optimizer the server optimizer whose state is {@code S}, when there is one: the learning process reads and
 *     sets its hyper-parameters
 */
public record FinalizerProcess(Computation initialize, Computation next, Optional<Optimizer> optimizer) {
  /** The family's factory: any state, weights and update types, no parameters (the function is generic). */
  private static final LocalFactory APPLY_IF_FINITE = (type, parameters) -> {
    if (parameters.size() != 0) {
      throw new IllegalArgumentException("takes no parameters, found " + parameters);
    }
    if (!(type.parameter() instanceof StructType p) || p.size() != 4 || !(p.type(2) instanceof StructType stepped)
        || stepped.size() != 2 || !type.equals(selectType((StructType) p.type(1), (StructType) p.type(0), stepped))) {
      throw new TypeMismatchException("expected (<state=S,weights=W,stepped=<state=S,weights=T>,update=T> -> <state=S,"
          + "result=W,measurements=<update_non_finite=int32>>)", null, type);
    }
    return arg -> {
      Struct a = (Struct) arg;
      if (!Nest.allFinite(a.get(3))) {
        return Struct.named("state", a.get(0), "result", a.get(1), "measurements",
            Struct.named("update_non_finite", Tensor.scalar(1)));
      }
      Struct step = (Struct) a.get(2);
      Struct weights = (Struct) a.get(1);
      return Struct.named("state", step.get(0), "result",
          Struct.named("trainable", step.get(1), "non_trainable", weights.get(1)), "measurements",
          Struct.named("update_non_finite", Tensor.scalar(0)));
    };
  };

  /**
   * Defines the local family {@code learning.finalizer.apply_if_finite} in this JVM (a no-op when defined), so that
   * serialized processes with an {@link #applyOptimizer} finalizer load here.
   */
  public static LocalFamily defineLocalFamily() {
    return LocalFamily.define("learning.finalizer.apply_if_finite", APPLY_IF_FINITE);
  }

  private static FunctionType selectType(StructType weightsType, StructType stateType, Type stepped) {
    Type trainable = stepped instanceof StructType st && st.size() == 2 ? st.type(1) : stepped;
    return new FunctionType(
        StructType.named("state", stateType, "weights", weightsType, "stepped", stepped, "update", trainable),
        StructType.named("state", stateType, "result", weightsType, "measurements",
            StructType.named("update_non_finite", TensorType.INT32)));
  }

  /** Checks the types above, naming the part that breaks them. */
  public FinalizerProcess {
    FederatedType state = Processes.initialState("FinalizerProcess", initialize);
    StructType out = Processes.next("FinalizerProcess", next, state, "weights", "update");
    if (!(out.type(1) instanceof FederatedType r) || r.placement() != Placement.SERVER) {
      throw new IllegalArgumentException("FinalizerProcess: next must return its result placed at SERVER, found "
          + next.typeSignature());
    }
  }

  /**
   * TFF's {@code build_apply_optimizer_finalizer}: the server optimizer's state is the state, and
   * {@code (state, trainable) = optimizer.next(state, trainable, update)} (the update is a pseudo-gradient: with
   * SGD at learning rate 1 the new model is the old one minus the mean update). An update with a NaN or infinity is
   * rejected: weights and state stay unchanged and the measurement {@code update_non_finite} is 1 (else 0). The initial
   * optimizer state is a constant of {@code initialize}, so the hyper-parameters travel with its serialized form; the
   * optimizer step is {@link Optimizer#nextComputation}.
   */
  public static FinalizerProcess applyOptimizer(Optimizer optimizer, StructType weightsType) {
    ModelWeights template = ModelWeights.fromValue(Nest.zeros(weightsType));
    StructType trainableType = template.trainableType();
    Struct initialState = optimizer.initialize(trainableType);
    StructType stateType = optimizer.stateType(trainableType);
    Computation step = optimizer.nextComputation(trainableType);
    Computation select = defineLocalFamily().at(selectType(weightsType, stateType, step.typeSignature().result()));
    Computation initialize = Computation.federated("apply_optimizer_initialize",
        () -> federatedValue(initialState, Placement.SERVER));
    Computation next = Computation.federated("apply_optimizer_next", "state", FederatedType.atServer(stateType),
        "weights", FederatedType.atServer(weightsType), "update", FederatedType.atServer(trainableType),
        (state, weights, update) -> {
          Value stepped = federatedMap(step, List.of(state, weights.get("trainable"), update));
          Value out = federatedMap(select, List.of(state, weights, stepped, update));
          Map<String, Object> result = new LinkedHashMap<>();
          result.put("state", out.get("state"));
          result.put("result", out.get("result"));
          result.put("measurements", out.get("measurements"));
          return result;
        });
    return new FinalizerProcess(initialize, next, Optional.of(optimizer));
  }

  /**
   * A finalizer that keeps the weights, with empty state and measurements and an empty update {@code <>} (the
   * finalizer of TFF's {@code build_fed_eval} and {@code build_fed_multi_model_eval}, which train nothing: their
   * clients send no update).
   */
  public static FinalizerProcess identity(StructType weightsType) {
    Computation initialize = Computation.federated("identity_finalizer_initialize",
        () -> federatedValue(Struct.empty(), Placement.SERVER));
    Computation next = Computation.federated("identity_finalizer_next", "state", FederatedType.atServer(
        StructType.EMPTY), "weights", FederatedType.atServer(weightsType), "update", FederatedType.atServer(
        StructType.EMPTY), (state, weights, update) -> {
          Map<String, Object> result = new LinkedHashMap<>();
          result.put("state", state);
          result.put("result", weights);
          result.put("measurements", federatedValue(Struct.empty(), Placement.SERVER));
          return result;
        });
    return new FinalizerProcess(initialize, next, Optional.empty());
  }
}
