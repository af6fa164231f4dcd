package dev.cohort.learning.algorithms;

import dev.cohort.aggregators.AggregationProcess;
import dev.cohort.aggregators.MeanFactory;
import dev.cohort.aggregators.SumFactory;
import dev.cohort.aggregators.UnweightedMeanFactory;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.ClientWeighting;
import dev.cohort.learning.templates.ClientWorkProcess;
import dev.cohort.learning.templates.DistributionProcess;
import dev.cohort.learning.templates.FinalizerProcess;
import dev.cohort.learning.templates.LearningProcess;

/**
 * Federated Averaging (McMahan, Moore, Ramage, Hampson and Agüera y Arcas 2017, "Communication-Efficient Learning of
 * Deep Networks from Decentralized Data", arXiv:1602.05629), and with a server optimizer other than SGD at learning
 * rate 1, FedOpt (Reddi, Charles, Zaheer, Garrett, Rush, Konečný, Kumar and McMahan 2021, "Adaptive Federated
 * Optimization", arXiv:2003.00295): TFF's {@code build_weighted_fed_avg} and {@code build_unweighted_fed_avg}.
 *
 * <p>Each round broadcasts the global model; every client trains it on its data with the client optimizer and sends
 * {@code initial − trained}; the server averages the updates ({@code MeanFactory} weighted by the clients' examples,
 * or {@code UnweightedMeanFactory}) and applies the mean as a pseudo-gradient with the server optimizer. With server
 * SGD at learning rate 1 the new global model is the (weighted) mean of the client models.
 *
 * <pre>{@code
 * LearningProcess fedAvg = FedAvg.weighted(model, Optimizer.sgdm(0.02));   // server: SGD, learning rate 1
 * Object state = fedAvg.initialize().call();
 * for (int round = 0; round < 10; round++) {
 *   Struct out = (Struct) fedAvg.next().call(state, clientData);
 *   state = out.get("state");
 * }
 * }</pre>
 */
public final class FedAvg {
  private FedAvg() {}

  /** Weighted FedAvg with TFF's default server optimizer, SGD at learning rate 1. */
  public static LearningProcess weighted(FunctionalModel model, Optimizer clientOptimizer) {
    return weighted(model, clientOptimizer, Optimizer.sgdm(1.0));
  }

  /** Weighted FedAvg / FedOpt: client updates weighted by their numbers of examples. */
  public static LearningProcess weighted(FunctionalModel model, Optimizer clientOptimizer,
      Optimizer serverOptimizer) {
    AggregationProcess mean = weightedMean(model.initialWeights().trainableType());
    return compose(model, clientOptimizer, serverOptimizer, ClientWeighting.NUM_EXAMPLES, mean);
  }

  /** Unweighted FedAvg with TFF's default server optimizer, SGD at learning rate 1. */
  public static LearningProcess unweighted(FunctionalModel model, Optimizer clientOptimizer) {
    return unweighted(model, clientOptimizer, Optimizer.sgdm(1.0));
  }

  /** Unweighted FedAvg / FedOpt: every client's update counts the same. */
  public static LearningProcess unweighted(FunctionalModel model, Optimizer clientOptimizer,
      Optimizer serverOptimizer) {
    AggregationProcess mean = new UnweightedMeanFactory().create(model.initialWeights().trainableType());
    return compose(model, clientOptimizer, serverOptimizer, ClientWeighting.UNIFORM, mean);
  }

  /**
   * The example-weighted mean of the weighted algorithms of this package: {@code MeanFactory} with no-NaN division, so
   * a round whose clients all have weight 0 (no examples, or all non-finite) aggregates a zero update instead of
   * failing on {@code generic_divide}. TFF's default {@code MeanFactory()} divides {@code 0 / 0} into NaN, which its
   * finalizer then rejects: with TFF's default server optimizer (SGD at learning rate 1, no momentum) both leave the
   * model unchanged; a stateful server optimizer here takes its step on the zero update.
   */
  static AggregationProcess weightedMean(StructType updateType) {
    return new MeanFactory(new SumFactory(), new SumFactory(), true).create(updateType, TensorType.FLOAT32);
  }

  private static LearningProcess compose(FunctionalModel model, Optimizer clientOptimizer, Optimizer serverOptimizer,
      ClientWeighting weighting, AggregationProcess aggregator) {
    ModelWeights initial = model.initialWeights();
    return LearningProcess.composeLearningProcess(initial,
        DistributionProcess.broadcast(initial.type()),
        ClientWorkProcess.modelDelta(model, clientOptimizer, weighting),
        aggregator,
        FinalizerProcess.applyOptimizer(serverOptimizer, initial.type()));
  }
}
