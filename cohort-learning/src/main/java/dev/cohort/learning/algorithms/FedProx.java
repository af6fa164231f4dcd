package dev.cohort.learning.algorithms;

import dev.cohort.aggregators.AggregationProcess;
import dev.cohort.aggregators.UnweightedMeanFactory;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.ClientWeighting;
import dev.cohort.learning.templates.ClientWorks;
import dev.cohort.learning.templates.DistributionProcess;
import dev.cohort.learning.templates.FinalizerProcess;
import dev.cohort.learning.templates.LearningProcess;

/**
 * FedProx (Li, Sahu, Zaheer, Sanjabi, Talwalkar and Smith 2020, "Federated Optimization in Heterogeneous Networks",
 * arXiv:1812.06127): TFF's {@code build_weighted_fed_prox} and {@code build_unweighted_fed_prox}. FedAvg whose clients
 * minimize {@code loss(w) + (mu / 2) * ||w - w0||^2}, {@code w0} the broadcast model: every local gradient gets the
 * proximal term {@code mu * (w - w0)}, which pulls the client model back towards {@code w0}. This is the paper's sign;
 * TFF's code adds {@code mu * (w0 - w)} (see {@link ClientWorks#proximal}). With {@code mu = 0} it is FedAvg.
 *
 * <pre>{@code
 * LearningProcess fedProx = FedProx.weighted(model, 0.01, Optimizer.sgdm(0.02));   // server: SGD, learning rate 1
 * }</pre>
 */
public final class FedProx {
  private FedProx() {}

  /** Weighted FedProx with TFF's default server optimizer, SGD at learning rate 1. */
  public static LearningProcess weighted(FunctionalModel model, double proximalStrength, Optimizer clientOptimizer) {
    return weighted(model, proximalStrength, clientOptimizer, Optimizer.sgdm(1.0));
  }

  /**
   * Weighted FedProx: client updates weighted by their numbers of examples.
   *
   * @throws IllegalArgumentException if {@code proximalStrength} is negative or not finite
   */
  public static LearningProcess weighted(FunctionalModel model, double proximalStrength, Optimizer clientOptimizer,
      Optimizer serverOptimizer) {
    AggregationProcess mean = FedAvg.weightedMean(model.initialWeights().trainableType());
    return compose(model, proximalStrength, clientOptimizer, serverOptimizer, ClientWeighting.NUM_EXAMPLES, mean);
  }

  /** Unweighted FedProx with TFF's default server optimizer, SGD at learning rate 1. */
  public static LearningProcess unweighted(FunctionalModel model, double proximalStrength,
      Optimizer clientOptimizer) {
    return unweighted(model, proximalStrength, clientOptimizer, Optimizer.sgdm(1.0));
  }

  /**
   * Unweighted FedProx: every client's update counts the same.
   *
   * @throws IllegalArgumentException if {@code proximalStrength} is negative or not finite
   */
  public static LearningProcess unweighted(FunctionalModel model, double proximalStrength, Optimizer clientOptimizer,
      Optimizer serverOptimizer) {
    AggregationProcess mean = new UnweightedMeanFactory().create(model.initialWeights().trainableType());
    return compose(model, proximalStrength, clientOptimizer, serverOptimizer, ClientWeighting.UNIFORM, mean);
  }

  private static LearningProcess compose(FunctionalModel model, double proximalStrength, Optimizer clientOptimizer,
      Optimizer serverOptimizer, ClientWeighting weighting, AggregationProcess aggregator) {
    ModelWeights initial = model.initialWeights();
    return LearningProcess.composeLearningProcess(initial,
        DistributionProcess.broadcast(initial.type()),
        ClientWorks.proximal(model, clientOptimizer, weighting, proximalStrength),
        aggregator,
        FinalizerProcess.applyOptimizer(serverOptimizer, initial.type()));
  }
}
