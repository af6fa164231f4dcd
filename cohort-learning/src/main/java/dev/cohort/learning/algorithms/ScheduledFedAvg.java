package dev.cohort.learning.algorithms;

import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.optimizers.LearningRateSchedule;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.ClientWorks;
import dev.cohort.learning.templates.DistributionProcess;
import dev.cohort.learning.templates.FinalizerProcess;
import dev.cohort.learning.templates.LearningProcess;

/**
 * Weighted FedAvg whose client learning rate follows a schedule over rounds: TFF's
 * {@code build_weighted_fed_avg_with_optimizer_schedule}. Round {@code r} (from 0) trains every client with
 * {@code clientOptimizer} at learning rate {@code schedule.learningRate(r)} (its other hyper-parameters unchanged);
 * the client work's state is the round number and its measurements add {@code client_learning_rate}.
 *
 * <pre>{@code
 * LearningRateSchedule halving = new LearningRateSchedule("halving", r -> 0.1 * Math.pow(0.5, r));
 * LearningProcess process = ScheduledFedAvg.of(model, halving, Optimizer.sgdm(0.1));
 * }</pre>
 */
public final class ScheduledFedAvg {
  private ScheduledFedAvg() {}

  /** Scheduled FedAvg with TFF's default server optimizer, SGD at learning rate 1. */
  public static LearningProcess of(FunctionalModel model, LearningRateSchedule schedule, Optimizer clientOptimizer) {
    return of(model, schedule, clientOptimizer, Optimizer.sgdm(1.0));
  }

  /**
   * Scheduled FedAvg: the clients' learning rate in round {@code r} is {@code schedule.learningRate(r)}.
   *
   * @throws IllegalArgumentException if {@code clientOptimizer} has no {@code learning_rate} hyper-parameter or the
   *     schedule's first rate is not a finite number {@code >= 0}
   */
  public static LearningProcess of(FunctionalModel model, LearningRateSchedule schedule, Optimizer clientOptimizer,
      Optimizer serverOptimizer) {
    ModelWeights initial = model.initialWeights();
    return LearningProcess.composeLearningProcess(initial,
        DistributionProcess.broadcast(initial.type()),
        ClientWorks.scheduled(model, schedule, clientOptimizer),
        FedAvg.weightedMean(initial.trainableType()),
        FinalizerProcess.applyOptimizer(serverOptimizer, initial.type()));
  }
}
