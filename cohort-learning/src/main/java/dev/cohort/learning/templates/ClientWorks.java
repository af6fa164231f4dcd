package dev.cohort.learning.templates;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedSum;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.Intrinsics.federatedZip;

import dev.cohort.aggregators.AggregationProcess;
import dev.cohort.core.Computation;
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.Nest;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.optimizers.LearningRateSchedule;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The client works of the algorithms beyond FedAvg (TFF builds each inside its algorithm's module): proximal
 * (FedProx), scheduled (FedAvg with a client learning-rate schedule), gradient (FedSGD), Mime-Lite and evaluation.
 * Like {@link ClientWorkProcess#modelDelta}, each streams a client's batches through the calling thread's model
 * worker, zeroes a non-finite update with weight 0 (counted in {@code num_non_finite_clients}), and reports the
 * model's metrics summed over clients, then finalized, under {@code train}.
 */
public final class ClientWorks {
  private ClientWorks() {}

  /**
   * TFF's {@code build_proximal_client_work}: model-delta training whose every gradient gets the proximal term
   * {@code proximalStrength * (w - w0)}, {@code w0} the received weights: the gradient of
   * {@code (mu / 2) * ||w - w0||^2}, the sign of the FedProx paper (Li et al. 2020, arXiv:1812.06127). TFF's code
   * adds {@code mu * (w0 - w)} instead (its {@code proximal_client_work.py}), which pushes the model away from
   * {@code w0}; Cohort follows the paper. State and measurements as {@link ClientWorkProcess#modelDelta}.
   *
   * @throws IllegalArgumentException if {@code proximalStrength} is negative or not finite
   */
  public static ClientWorkProcess proximal(FunctionalModel model, Optimizer clientOptimizer,
      ClientWeighting weighting, double proximalStrength) {
    if (!(proximalStrength >= 0) || Double.isInfinite(proximalStrength)) {
      throw new IllegalArgumentException("proximal_strength (" + proximalStrength + ") must be a finite number >= 0");
    }
    Struct hparams = clientOptimizer.getHparams(clientOptimizer.initialize(model.initialWeights().trainableType()));
    Computation train = LocalTraining.proximalTrain(model, clientOptimizer, weighting);
    Tensor mu = Tensor.scalar((float) proximalStrength);
    return trainingWork("proximal", model, StructType.EMPTY, (state, weights, data) -> {
      Value out = federatedMap(train, List.of(weights, data, federatedValue(hparams, Placement.CLIENTS),
          federatedValue(mu, Placement.CLIENTS)));
      return new Round(state, out, Map.of());
    }, Struct.empty());
  }

  /**
   * TFF's {@code build_scheduled_client_work}: model-delta training weighted by examples whose client learning rate
   * in round {@code r} (from 0) is {@code schedule.learningRate(r)}. State {@code int32} (the round number);
   * measurements {@code <train=...,num_non_finite_clients=int32,client_learning_rate=float32>}.
   */
  public static ClientWorkProcess scheduled(FunctionalModel model, LearningRateSchedule schedule,
      Optimizer clientOptimizer) {
    Objects.requireNonNull(schedule, "schedule");
    StructType trainableType = model.initialWeights().trainableType();
    Computation train = ClientWorkProcess.modelDeltaTrain(model, clientOptimizer, ClientWeighting.NUM_EXAMPLES);
    Computation hparams = LocalTraining.scheduledHparams(schedule, clientOptimizer, trainableType);
    Computation addOne = LocalTraining.addOne();
    schedule.learningRate(0);
    return trainingWork("scheduled", model, TensorType.INT32, (state, weights, data) -> {
      Value round = federatedMap(hparams, state);
      Value out = federatedMap(train, List.of(weights, data, federatedBroadcast(round.get("hparams"))));
      return new Round(federatedMap(addOne, state), out, Map.of("client_learning_rate", round.get("learning_rate")));
    }, Tensor.scalar(0));
  }

  /**
   * TFF's FedSGD client work ({@code build_fed_sgd}): each client sends the example-weighted mean gradient of the loss
   * at the received weights over all its batches (no local step), weighted by its examples. State {@code <>};
   * measurements as {@link ClientWorkProcess#modelDelta}.
   */
  public static ClientWorkProcess gradient(FunctionalModel model) {
    Computation gradient = LocalTraining.gradient(model);
    return trainingWork("gradient", model, StructType.EMPTY, (state, weights, data) ->
        new Round(state, federatedMap(gradient, List.of(weights, data)), Map.of()), Struct.empty());
  }

  /**
   * TFF's Mime-Lite client work (Karimireddy et al. 2021, "Breaking the centralized barrier for cross-device federated
   * learning", NeurIPS): the server's base-optimizer state is broadcast and stays frozen during each client's local
   * training; every client also computes its full-batch gradient at the received weights, and the aggregate of those
   * ({@code fullGradientAggregator}, given the clients' update weights if it is weighted) updates the state with one
   * base-optimizer step. State {@code <S,A>}: the base optimizer's and the aggregator's. A client whose update or full
   * gradient is non-finite sends zeros for both with weight 0.
   */
  public static ClientWorkProcess mimeLite(FunctionalModel model, Optimizer baseOptimizer, ClientWeighting weighting,
      AggregationProcess fullGradientAggregator) {
    StructType trainableType = model.initialWeights().trainableType();
    return mimeLite(model, baseOptimizer, weighting, fullGradientAggregator, baseOptimizer.initialize(trainableType));
  }

  private static ClientWorkProcess mimeLite(FunctionalModel model, Optimizer baseOptimizer,
      ClientWeighting weighting, AggregationProcess aggregator, Struct initialOptimizerState) {
    StructType trainableType = model.initialWeights().trainableType();
    Computation client = LocalTraining.mimeLite(model, baseOptimizer, weighting);
    Computation updateState = LocalTraining.mimeUpdateState(baseOptimizer, trainableType);
    FederatedType stateType = FederatedType.atServer(StructType.of(Nest.typeOf(initialOptimizerState),
        aggregator.stateType().member()));
    Computation initialize = Computation.federated("mime_lite_initialize", () -> federatedZip(List.of(
        federatedValue(initialOptimizerState, Placement.SERVER), aggregator.initialize().apply())));
    return trainingWork("mime_lite", model, initialize, stateType, (state, weights, data) -> {
      Value out = federatedMap(client, List.of(federatedBroadcast(state.get(0)), weights, data));
      Value gradient = aggregator.isWeighted()
          ? aggregator.next().apply(state.get(1), out.get("full_gradient"), out.get("result").get("update_weight"))
          : aggregator.next().apply(state.get(1), out.get("full_gradient"));
      Value newOptimizerState = federatedMap(updateState, List.of(state.get(0), gradient.get("result")));
      return new Round(federatedZip(List.of(newOptimizerState, gradient.get("state"))), out, Map.of());
    });
  }

  /**
   * TFF's {@code _build_scheduled_mime_lite_client_work}: {@link #mimeLite} whose base optimizer's learning rate in
   * round {@code r} (from 0) is {@code schedule.learningRate(r)}. State {@code <int32,<S,A>>}: the round number and
   * the Mime state, whose learning rate is always the next round's.
   */
  public static ClientWorkProcess scheduledMimeLite(FunctionalModel model, LearningRateSchedule schedule,
      Optimizer baseOptimizer, ClientWeighting weighting, AggregationProcess fullGradientAggregator) {
    Objects.requireNonNull(schedule, "schedule");
    StructType trainableType = model.initialWeights().trainableType();
    Struct first = (Struct) LocalTraining.withScheduledRate(Struct.of(baseOptimizer.initialize(trainableType),
        Struct.empty()), baseOptimizer, schedule, 0).get(0);
    ClientWorkProcess mime = mimeLite(model, baseOptimizer, weighting, fullGradientAggregator, first);
    FederatedType mimeType = (FederatedType) mime.initialize().typeSignature().result();
    StructType stateType = StructType.of(TensorType.INT32, mimeType.member());
    Computation advance = LocalTraining.mimeSchedule(schedule, baseOptimizer, trainableType, stateType);
    Computation initialize = Computation.federated("scheduled_mime_lite_initialize", () -> federatedZip(List.of(
        federatedValue(Tensor.scalar(0), Placement.SERVER), mime.initialize().apply())));
    Computation next = Computation.federated("scheduled_mime_lite_next", "state", FederatedType.atServer(stateType),
        "weights", FederatedType.atClients(model.initialWeights().type()), "client_data",
        FederatedType.atClients(SequenceType.of(model.inputSpec())), (state, weights, data) -> {
          Value out = mime.next().apply(state.get(1), weights, data);
          Value advanced = federatedMap(advance, federatedZip(List.of(state.get(0), out.get("state"))));
          return processOutput(advanced, out.get("result"), out.get("measurements"));
        });
    return new ClientWorkProcess(initialize, next);
  }

  /**
   * The client work of TFF's {@code build_fed_eval}: each client computes the model's metrics on its batches with
   * inference-mode forward passes; nothing is trained (the update is the empty struct {@code <>} with weight 1, for the aggregator the
   * learning process composes). State {@code <<>,M>}: the metric states summed over every round so far.
   * Measurements {@code <eval=<current_round_metrics=...,total_rounds_metrics=...>>}, both finalized.
   */
  public static ClientWorkProcess evaluation(FunctionalModel model) {
    Computation evaluate = LocalTraining.evaluate(model);
    Computation add = LocalTraining.addMetrics(model);
    Computation finalizeMetrics = ClientWorkProcess.finalizeMetrics(model);
    StructType metricStates = ClientWorkProcess.metricsType(model.metrics(), false);
    Struct initialState = Struct.of(Struct.empty(), Nest.zeros(metricStates));
    Computation initialize = Computation.federated("evaluation_initialize",
        () -> federatedValue(initialState, Placement.SERVER));
    FederatedType stateType = FederatedType.atServer(StructType.of(StructType.EMPTY, metricStates));
    Computation next = Computation.federated("evaluation_next", "state", stateType,
        "weights", FederatedType.atClients(model.initialWeights().type()), "client_data",
        FederatedType.atClients(SequenceType.of(model.inputSpec())), (state, weights, data) -> {
          Value out = federatedMap(evaluate, List.of(weights, data));
          Value current = federatedSum(out.get("metrics"));
          Value total = federatedMap(add, federatedZip(List.of(state.get(1), current)));
          Map<String, Object> eval = new LinkedHashMap<>();
          eval.put("current_round_metrics", federatedMap(finalizeMetrics, current));
          eval.put("total_rounds_metrics", federatedMap(finalizeMetrics, total));
          Map<String, Object> measurements = new LinkedHashMap<>();
          measurements.put("eval", federatedZip(eval));
          return processOutput(federatedZip(List.of(state.get(0), total)), out.get("result"),
              federatedZip(measurements));
        });
    return new ClientWorkProcess(initialize, next);
  }

  /**
   * The client work of TFF's {@code build_fed_multi_model_eval}: {@link #evaluation} of each of {@code models} on the
   * same client data, the models keyed {@code a}, {@code b}, {@code c}, ... in order (TFF's keys). It takes the
   * weights {@code <a=W_a,b=W_b,...>}; state {@code <a=S_a,...>} and measurements
   * {@code <a=<eval=<current_round_metrics=...,total_rounds_metrics=...>>,...>}, each model's as {@link #evaluation}'s.
   * The same model may appear more than once (to evaluate several weights of one architecture).
   *
   * @throws IllegalArgumentException if there are no models, more than 26, or their input specs differ
   */
  public static ClientWorkProcess multiModelEvaluation(List<FunctionalModel> models) {
    if (models.isEmpty() || models.size() > 26) {
      throw new IllegalArgumentException("multi-model evaluation takes 1 to 26 models (keys a to z), found "
          + models.size());
    }
    StructType spec = models.get(0).inputSpec();
    Map<String, ClientWorkProcess> works = new LinkedHashMap<>();
    Map<String, dev.cohort.core.types.Type> weights = new LinkedHashMap<>();
    for (int i = 0; i < models.size(); i++) {
      FunctionalModel m = models.get(i);
      if (!m.inputSpec().equals(spec)) {
        throw new IllegalArgumentException("multi-model evaluation needs one input spec: model " + (char) ('a' + i)
            + " ('" + m.name() + "') has " + m.inputSpec() + ", model a ('" + models.get(0).name() + "') has " + spec);
      }
      String key = String.valueOf((char) ('a' + i));
      works.put(key, evaluation(m));
      weights.put(key, m.initialWeights().type());
    }
    Computation initialize = Computation.federated("multi_model_evaluation_initialize", () -> {
      Map<String, Object> state = new LinkedHashMap<>();
      works.forEach((k, w) -> state.put(k, w.initialize().apply()));
      return federatedZip(state);
    });
    StructType weightsType = structOf(weights);
    Computation next = Computation.federated("multi_model_evaluation_next", "state",
        initialize.typeSignature().result(), "weights", FederatedType.atClients(weightsType), "client_data",
        FederatedType.atClients(SequenceType.of(spec)), (state, w, data) -> {
          Map<String, Object> states = new LinkedHashMap<>();
          Map<String, Object> measurements = new LinkedHashMap<>();
          Value result = null;
          for (Map.Entry<String, ClientWorkProcess> e : works.entrySet()) {
            Value out = e.getValue().next().apply(state.get(e.getKey()), w.get(e.getKey()), data);
            states.put(e.getKey(), out.get("state"));
            measurements.put(e.getKey(), out.get("measurements"));
            result = result == null ? out.get("result") : result;
          }
          return processOutput(federatedZip(states), result, federatedZip(measurements));
        });
    return new ClientWorkProcess(initialize, next);
  }

  private static StructType structOf(Map<String, dev.cohort.core.types.Type> types) {
    List<StructType.Field> fields = new java.util.ArrayList<>();
    types.forEach((k, t) -> fields.add(new StructType.Field(k, t)));
    return new StructType(fields);
  }

  /** What the federated body of a training client work computed for one round. */
  private record Round(Value state, Value clientOutput, Map<String, Value> extraMeasurements) {}

  @FunctionalInterface
  private interface Body {
    Round apply(Value state, Value weights, Value data);
  }

  private static ClientWorkProcess trainingWork(String name, FunctionalModel model, dev.cohort.core.types.Type state,
      Body body, Object initialState) {
    Computation initialize = Computation.federated(name + "_initialize",
        () -> federatedValue(initialState, Placement.SERVER));
    return trainingWork(name, model, initialize, FederatedType.atServer(state), body);
  }

  private static ClientWorkProcess trainingWork(String name, FunctionalModel model, Computation initialize,
      FederatedType stateType, Body body) {
    ModelWeights initial = model.initialWeights();
    Computation finalizeMetrics = ClientWorkProcess.finalizeMetrics(model);
    Computation next = Computation.federated(name + "_next", "state", stateType,
        "weights", FederatedType.atClients(initial.type()), "client_data",
        FederatedType.atClients(SequenceType.of(model.inputSpec())), (state, weights, data) -> {
          Round round = body.apply(state, weights, data);
          Map<String, Object> measurements = new LinkedHashMap<>();
          measurements.put("train", federatedMap(finalizeMetrics,
              federatedSum(round.clientOutput().get("metrics"))));
          measurements.put("num_non_finite_clients", federatedSum(round.clientOutput().get("non_finite")));
          measurements.putAll(round.extraMeasurements());
          return processOutput(round.state(), round.clientOutput().get("result"), federatedZip(measurements));
        });
    return new ClientWorkProcess(initialize, next);
  }

  private static Map<String, Object> processOutput(Value state, Value result, Value measurements) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("state", state);
    out.put("result", result);
    out.put("measurements", measurements);
    return out;
  }
}
