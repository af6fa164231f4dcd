package dev.cohort.learning.algorithms;

import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.ClientWorks;
import dev.cohort.learning.templates.DistributionProcess;
import dev.cohort.learning.templates.FinalizerProcess;
import dev.cohort.learning.templates.LearningProcess;

/**
 * Federated SGD (McMahan et al. 2017, arXiv:1602.05629, the baseline of FedAvg): TFF's {@code build_fed_sgd}. Each
 * client computes the example-weighted mean gradient of the loss at the broadcast model over all its batches,
 * without a local step; the server takes the example-weighted mean of those gradients and applies it with the server
 * optimizer, so with SGD at learning rate {@code lr} one round is one step {@code w -= lr * g} of the mean gradient of
 * every example of the round's clients.
 *
 * <pre>{@code
 * LearningProcess fedSgd = FedSgd.of(model);                    // server: SGD, learning rate 0.1 (TFF's default)
 * Struct out = (Struct) fedSgd.next().call(fedSgd.initialize().call(), clientData);
 * }</pre>
 */
public final class FedSgd {
  private FedSgd() {}

  /** FedSGD with TFF's default server optimizer, SGD at learning rate 0.1. */
  public static LearningProcess of(FunctionalModel model) {
    return of(model, Optimizer.sgdm(0.1));
  }

  /** FedSGD applying the example-weighted mean gradient with {@code serverOptimizer}. */
  public static LearningProcess of(FunctionalModel model, Optimizer serverOptimizer) {
    ModelWeights initial = model.initialWeights();
    return LearningProcess.composeLearningProcess(initial,
        DistributionProcess.broadcast(initial.type()),
        ClientWorks.gradient(model),
        FedAvg.weightedMean(initial.trainableType()),
        FinalizerProcess.applyOptimizer(serverOptimizer, initial.type()));
  }
}
