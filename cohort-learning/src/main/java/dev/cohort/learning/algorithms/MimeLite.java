package dev.cohort.learning.algorithms;

import dev.cohort.aggregators.AggregationProcess;
import dev.cohort.aggregators.UnweightedMeanFactory;
import dev.cohort.core.types.StructType;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.optimizers.LearningRateSchedule;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.ClientWeighting;
import dev.cohort.learning.templates.ClientWorkProcess;
import dev.cohort.learning.templates.ClientWorks;
import dev.cohort.learning.templates.DistributionProcess;
import dev.cohort.learning.templates.FinalizerProcess;
import dev.cohort.learning.templates.LearningProcess;

/**
 * Mime-Lite (Karimireddy, Jaggi, Kale, Mohri, Reddi, Stich and Suresh 2021, "Breaking the centralized barrier for
 * cross-device federated learning", NeurIPS): TFF's {@code build_weighted_mime_lite}, {@code build_unweighted_mime_lite}
 * and {@code build_mime_lite_with_optimizer_schedule}. The server keeps a base-optimizer state (e.g. Adam's moments);
 * clients train with the base optimizer under that frozen state, and the state is updated at the server from the mean
 * of the clients' full-batch gradients at the broadcast model (see {@link ClientWorks#mimeLite}). The mean model
 * update is applied with the server optimizer (SGD at learning rate 1 by default).
 *
 * <pre>{@code
 * LearningProcess mime = MimeLite.weighted(model, Optimizer.sgdm(0.02, 0.9));
 * }</pre>
 */
public final class MimeLite {
  private MimeLite() {}

  /** Weighted Mime-Lite with server SGD at learning rate 1. */
  public static LearningProcess weighted(FunctionalModel model, Optimizer baseOptimizer) {
    return weighted(model, baseOptimizer, Optimizer.sgdm(1.0));
  }

  /** Weighted Mime-Lite: model updates and full gradients weighted by the clients' examples. */
  public static LearningProcess weighted(FunctionalModel model, Optimizer baseOptimizer, Optimizer serverOptimizer) {
    StructType t = model.initialWeights().trainableType();
    return compose(model, serverOptimizer, FedAvg.weightedMean(t),
        ClientWorks.mimeLite(model, baseOptimizer, ClientWeighting.NUM_EXAMPLES,
            FedAvg.weightedMean(t)));
  }

  /** Unweighted Mime-Lite with server SGD at learning rate 1. */
  public static LearningProcess unweighted(FunctionalModel model, Optimizer baseOptimizer) {
    return unweighted(model, baseOptimizer, Optimizer.sgdm(1.0));
  }

  /** Unweighted Mime-Lite: every client's model update and full gradient count the same. */
  public static LearningProcess unweighted(FunctionalModel model, Optimizer baseOptimizer,
      Optimizer serverOptimizer) {
    StructType t = model.initialWeights().trainableType();
    return compose(model, serverOptimizer, new UnweightedMeanFactory().create(t),
        ClientWorks.mimeLite(model, baseOptimizer, ClientWeighting.UNIFORM, new UnweightedMeanFactory().create(t)));
  }

  /**
   * Weighted Mime-Lite whose base optimizer's learning rate in round {@code r} (from 0) is
   * {@code schedule.learningRate(r)}.
   */
  public static LearningProcess scheduled(FunctionalModel model, LearningRateSchedule schedule,
      Optimizer baseOptimizer, Optimizer serverOptimizer) {
    StructType t = model.initialWeights().trainableType();
    return compose(model, serverOptimizer, FedAvg.weightedMean(t),
        ClientWorks.scheduledMimeLite(model, schedule, baseOptimizer, ClientWeighting.NUM_EXAMPLES,
            FedAvg.weightedMean(t)));
  }

  private static LearningProcess compose(FunctionalModel model, Optimizer serverOptimizer,
      AggregationProcess aggregator, ClientWorkProcess clientWork) {
    ModelWeights initial = model.initialWeights();
    return LearningProcess.composeLearningProcess(initial, DistributionProcess.broadcast(initial.type()), clientWork,
        aggregator, FinalizerProcess.applyOptimizer(serverOptimizer, initial.type()));
  }
}
