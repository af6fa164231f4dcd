package dev.cohort.learning.algorithms;

import dev.cohort.aggregators.MeanFactory;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.Nest;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.templates.ClientWorkProcess;
import dev.cohort.learning.templates.ClientWorks;
import dev.cohort.learning.templates.DistributionProcess;
import dev.cohort.learning.templates.FinalizerProcess;
import dev.cohort.learning.templates.LearningProcess;
import java.util.ArrayList;
import java.util.List;

/**
 * Federated evaluation of several models in one computation: TFF's {@code build_fed_multi_model_eval}. The global
 * model is {@code <a=W_a,b=W_b,...>}, one {@link dev.cohort.learning.models.ModelWeights} per model in order; each
 * round broadcasts all of them and every client evaluates each model on the same data. Metrics
 * {@code <distributor=<>,client_work=<a=<eval=<current_round_metrics=...,total_rounds_metrics=...>>,b=...>,
 * aggregator=<mean_value=<>,mean_weight=<>>,finalizer=<>>}; nothing is trained.
 *
 * <pre>{@code
 * LearningProcess eval = FedMultiModelEval.of(List.of(model, model));     // two checkpoints of one model
 * Object state = eval.setModelWeights().call(server(eval.initialize().call()),
 *     Struct.named("a", roundTen.toValue(), "b", roundTwenty.toValue()));
 * }</pre>
 */
public final class FedMultiModelEval {
  private FedMultiModelEval() {}

  /**
   * The evaluation process of {@code models} (all of one input spec); load the weights to evaluate with
   * {@code setModelWeights}.
   *
   * @throws IllegalArgumentException as {@link ClientWorks#multiModelEvaluation}
   */
  public static LearningProcess of(List<FunctionalModel> models) {
    ClientWorkProcess clientWork = ClientWorks.multiModelEvaluation(models);
    List<String> keys = new ArrayList<>();
    List<Object> weights = new ArrayList<>();
    for (int i = 0; i < models.size(); i++) {
      keys.add(String.valueOf((char) ('a' + i)));
      weights.add(models.get(i).initialWeights().toValue());
    }
    Struct initial = Struct.of(keys, weights);
    StructType weightsType = (StructType) Nest.typeOf(initial);
    return LearningProcess.composeLearningProcess(initial,
        DistributionProcess.broadcast(weightsType),
        clientWork,
        new MeanFactory().create(StructType.EMPTY, TensorType.FLOAT32),
        FinalizerProcess.identity(weightsType));
  }
}
