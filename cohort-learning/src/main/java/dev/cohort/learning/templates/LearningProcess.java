package dev.cohort.learning.templates;

import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.Intrinsics.federatedZip;

import dev.cohort.aggregators.AggregationProcess;
import dev.cohort.core.Computation;
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.Nest;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.optimizers.LearningRateSchedule;
import dev.cohort.learning.optimizers.Optimizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A federated learning algorithm, TFF's {@code LearningProcess}: four computations with printable type signatures,
 *
 * <pre>
 * initialize:        ( -&gt; S@SERVER)
 * next:              (&lt;state=S@SERVER,client_data={B*}@CLIENTS&gt; -&gt; &lt;state=S@SERVER,metrics=M@SERVER&gt;)
 * get_model_weights: (S -&gt; W)
 * set_model_weights: (&lt;state=S,model_weights=W&gt; -&gt; S)
 * get_hparams:       (S -&gt; H)
 * set_hparams:       (&lt;state=S,hparams=H&gt; -&gt; S)
 * </pre>
 *
 * <p>{@link #composeLearningProcess} builds one from a distributor, client work, aggregator and finalizer, whose
 * states and measurements it nests as TFF does: {@code S = <global_model_weights=W,distributor=...,client_work=...,
 * aggregator=...,finalizer=...>}, {@code M = <distributor=...,client_work=...,aggregator=...,finalizer=...>}.
 *
 * <pre>{@code
 * LearningProcess fedAvg = FedAvg.weighted(model, Optimizer.sgdm(0.02), Optimizer.sgdm(1.0));
 * Object state = fedAvg.initialize().call();
 * Struct out = (Struct) fedAvg.next().call(state, clientData);   // <state=...,metrics=...>
 * }</pre>
 *
 * @param initialize the initial state
 * @param next one round over the clients' data
 * @param getModelWeights the global model's weights in a state
 * @param setModelWeights a state with other global model weights
 * @param getHparams the hyper-parameters in a state ({@code <finalizer=<learning_rate=...,...>>})
 * @param setHparams a state with other hyper-parameters
 */
public record LearningProcess(Computation initialize, Computation next, Computation getModelWeights,
    Computation setModelWeights, Computation getHparams, Computation setHparams) {
  /** Checks that {@code initialize} is {@code ( -> S@SERVER)} and {@code next} returns {@code <state,metrics>}. */
  public LearningProcess {
    FederatedType state = Processes.initialState("LearningProcess", initialize);
    Type p = next.typeSignature().parameter();
    Type r = next.typeSignature().result();
    if (!(p instanceof StructType ps) || ps.size() != 2 || !ps.type(0).isAssignableFrom(state)
        || !(ps.type(1) instanceof FederatedType d) || d.placement() != Placement.CLIENTS
        || !(r instanceof StructType rs) || rs.size() != 2 || !"state".equals(rs.name(0))
        || !"metrics".equals(rs.name(1)) || !state.isAssignableFrom(rs.type(0))) {
      throw new IllegalArgumentException("LearningProcess: next must be (<state=" + state + ",client_data={B*}@CLIENTS>"
          + " -> <state=" + state + ",metrics=M@SERVER>), found " + next.typeSignature());
    }
  }

  /**
   * TFF's {@code compose_learning_process}: one round broadcasts the global model ({@code distributor}), trains on the
   * clients ({@code clientWork}), aggregates their updates ({@code aggregator}, weighted by the clients' update
   * weights if it takes weights) and applies the aggregate ({@code finalizer}).
   *
   * @throws IllegalArgumentException naming the parts whose types do not fit each other
   */
  public static LearningProcess composeLearningProcess(ModelWeights initialModelWeights,
      DistributionProcess distributor, ClientWorkProcess clientWork, AggregationProcess aggregator,
      FinalizerProcess finalizer) {
    return composeLearningProcess(initialModelWeights.toValue(), distributor, clientWork, aggregator, finalizer);
  }

  /**
   * {@link #composeLearningProcess(ModelWeights, DistributionProcess, ClientWorkProcess, AggregationProcess,
   * FinalizerProcess)} whose global model is any structure of tensors, for algorithms whose model is not one
   * {@link ModelWeights}: multi-model evaluation's {@code <a=<trainable=...,non_trainable=...>,b=...>}.
   *
   * @throws IllegalArgumentException naming the parts whose types do not fit each other, or if the finalizer has a
   *     server optimizer and the weights are not {@code <trainable=...,non_trainable=...>}
   */
  public static LearningProcess composeLearningProcess(Struct initialModelWeights, DistributionProcess distributor,
      ClientWorkProcess clientWork, AggregationProcess aggregator, FinalizerProcess finalizer) {
    StructType weightsType = (StructType) Nest.typeOf(initialModelWeights);
    StructType trainableType = finalizer.optimizer().isPresent()
        ? ModelWeights.fromValue(initialModelWeights).trainableType() : null;
    Type dataType = ((StructType) clientWork.next().typeSignature().parameter()).type(2);
    Computation initialize = Computation.federated("initialize", () -> {
      Map<String, Object> state = new LinkedHashMap<>();
      state.put("global_model_weights", federatedValue(initialModelWeights, Placement.SERVER));
      state.put("distributor", distributor.initialize().apply());
      state.put("client_work", clientWork.initialize().apply());
      state.put("aggregator", aggregator.initialize().apply());
      state.put("finalizer", finalizer.initialize().apply());
      return federatedZip(state);
    });
    FederatedType stateType = (FederatedType) initialize.typeSignature().result();
    Computation next = Computation.federated("next", "state", stateType, "client_data", dataType, (state, data) -> {
      Value weights = state.get("global_model_weights");
      Value distributed = distributor.next().apply(state.get("distributor"), weights);
      Value trained = clientWork.next().apply(state.get("client_work"), distributed.get("result"), data);
      Value results = trained.get("result");
      Value aggregated = aggregator.isWeighted()
          ? aggregator.next().apply(state.get("aggregator"), results.get("update"), results.get("update_weight"))
          : aggregator.next().apply(state.get("aggregator"), results.get("update"));
      Value finalized = finalizer.next().apply(state.get("finalizer"), weights, aggregated.get("result"));
      Map<String, Object> newState = new LinkedHashMap<>();
      newState.put("global_model_weights", finalized.get("result"));
      newState.put("distributor", distributed.get("state"));
      newState.put("client_work", trained.get("state"));
      newState.put("aggregator", aggregated.get("state"));
      newState.put("finalizer", finalized.get("state"));
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("distributor", distributed.get("measurements"));
      metrics.put("client_work", trained.get("measurements"));
      metrics.put("aggregator", aggregated.get("measurements"));
      metrics.put("finalizer", finalized.get("measurements"));
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("state", federatedZip(newState));
      out.put("metrics", federatedZip(metrics));
      return out;
    });
    StructType member = (StructType) stateType.member();
    Computation getModelWeights = Computation.federated("get_model_weights", "state", member,
        s -> s.get("global_model_weights"));
    Computation setModelWeights = Computation.federated("set_model_weights", "state", member, "model_weights",
        weightsType, (s, w) -> {
          Map<String, Object> out = new LinkedHashMap<>();
          for (int i = 0; i < member.size(); i++) {
            out.put(member.name(i), i == 0 ? w : s.get(i));
          }
          return out;
        });
    Computation getHparams = Computation.federated("get_hparams", "state", member, s -> {
      Map<String, Object> out = new LinkedHashMap<>();
      finalizer.optimizer().ifPresent(o -> out.put("finalizer",
          o.getHparamsComputation(trainableType).apply(s.get("finalizer"))));
      return out;
    });
    Type hparamsType = getHparams.typeSignature().result();
    Computation setHparams = Computation.federated("set_hparams", "state", member, "hparams", hparamsType,
        (s, h) -> {
          Map<String, Object> out = new LinkedHashMap<>();
          for (int i = 0; i < member.size(); i++) {
            Optional<Optimizer> o = "finalizer".equals(member.name(i)) ? finalizer.optimizer() : Optional.empty();
            out.put(member.name(i), o.isPresent()
                ? o.get().setHparamsComputation(trainableType).apply(s.get(i), h.get("finalizer")) : s.get(i));
          }
          return out;
        });
    return new LearningProcess(initialize, next, getModelWeights, setModelWeights, getHparams, setHparams);
  }

  /**
   * Defines in this JVM every local family a learning process built from {@code models} uses (the optimizers', the
   * finalizer's, each model's client works ({@link ClientWorkProcess#defineLocalFamilies}), the client works'
   * model-independent ones, {@link Communication}'s and cohort-aggregators' ({@link AggregationProcess#defineLocalFamilies})), as a program
   * that loads serialized processes it did not build does before loading them; {@code schedules} are the
   * learning-rate schedules of its scheduled optimizers and scheduled algorithms. Federated k-means adds its own
   * ({@code FedKMeans.defineLocalFamilies}).
   *
   * @throws IllegalStateException as {@link ClientWorkProcess#defineLocalFamilies} and
   *     {@link Optimizer#defineLocalFamilies}
   */
  public static void defineLocalFamilies(List<FunctionalModel> models, LearningRateSchedule... schedules) {
    Optimizer.defineLocalFamilies(schedules);
    AggregationProcess.defineLocalFamilies();
    FinalizerProcess.defineLocalFamily();
    LocalTraining.defineGenericFamilies();
    Communication.defineLocalFamilies();
    for (FunctionalModel model : models) {
      ClientWorkProcess.defineLocalFamilies(model);
    }
  }
}
