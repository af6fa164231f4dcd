package dev.cohort.learning.algorithms;

import dev.cohort.aggregators.MeanFactory;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.templates.ClientWorks;
import dev.cohort.learning.templates.DistributionProcess;
import dev.cohort.learning.templates.FinalizerProcess;
import dev.cohort.learning.templates.LearningProcess;

/**
 * Federated evaluation as a learning process: TFF's {@code build_fed_eval}. Each round broadcasts the model, every
 * client computes the model's metrics on its data in inference mode, and the metric states are summed and finalized;
 * nothing is trained. Metrics {@code <distributor=<>,client_work=<eval=<current_round_metrics=...,
 * total_rounds_metrics=...>>,aggregator=<mean_value=<>,mean_weight=<>>,finalizer=<>>}; the totals accumulate in the
 * state over rounds.
 *
 * <pre>{@code
 * LearningProcess eval = FedEval.of(model);
 * Object state = eval.setModelWeights().call(server(eval.initialize().call()), trainedWeights);
 * Struct out = (Struct) eval.next().call(new FederatedValue(state, Placement.SERVER), testData);
 * }</pre>
 */
public final class FedEval {
  private FedEval() {}

  /** The evaluation process of {@code model}; load the weights to evaluate with {@code setModelWeights}. */
  public static LearningProcess of(FunctionalModel model) {
    ModelWeights initial = model.initialWeights();
    return LearningProcess.composeLearningProcess(initial,
        DistributionProcess.broadcast(initial.type()),
        ClientWorks.evaluation(model),
        new MeanFactory().create(StructType.EMPTY, TensorType.FLOAT32),
        FinalizerProcess.identity(initial.type()));
  }
}
