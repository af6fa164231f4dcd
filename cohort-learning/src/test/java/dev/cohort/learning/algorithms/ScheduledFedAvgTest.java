package dev.cohort.learning.algorithms;

import static dev.cohort.learning.algorithms.FedAvgTest.clients;
import static dev.cohort.learning.algorithms.FedAvgTest.metrics;
import static dev.cohort.learning.algorithms.FedAvgTest.model;
import static dev.cohort.learning.algorithms.FedAvgTest.server;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.optimizers.LearningRateSchedule;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.LearningProcess;
import dev.cohort.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ScheduledFedAvgTest {
  @Test
  void roundRTrainsClientsAtTheScheduledRateAsFedAvgAtThatRateWould() {
    FunctionalModel model = model();
    LearningRateSchedule halving = new LearningRateSchedule("test.halving", r -> 0.4 * Math.pow(0.5, r));
    LearningProcess scheduled = ScheduledFedAvg.of(model, halving, Optimizer.sgdm(0.4, 0.5));
    Object state = scheduled.initialize().call();
    Object weights = null;
    for (int r = 0; r < 3; r++) {
      Struct out = (Struct) scheduled.next().call(state, clients(3));
      state = out.get("state");
      Struct clientWork = metrics(out, "client_work");
      assertThat(clientWork.get("client_learning_rate")).isEqualTo(Tensor.scalar((float) (0.4 * Math.pow(0.5, r))));
      LearningProcess plain = FedAvg.weighted(model, Optimizer.sgdm(0.4 * Math.pow(0.5, r), 0.5));
      Object plainState = server(plain.initialize().call());
      if (weights != null) {
        plainState = plain.setModelWeights().call(plainState, weights);
      }
      Struct plainOut = (Struct) plain.next().call(FederatedValue.atServer(plainState), clients(3));
      weights = plain.getModelWeights().call(server(plainOut.get("state")));
      assertThat(scheduled.getModelWeights().call(server(state))).as("round %d", r).isEqualTo(weights);
    }
    assertThat(((Struct) server(state)).get("client_work")).isEqualTo(Tensor.scalar(3));
  }

  @Test
  void theClientWorkStateIsTheRoundNumber() {
    LearningProcess scheduled = ScheduledFedAvg.of(model(), new LearningRateSchedule("test.constant", r -> 0.1),
        Optimizer.sgdm(0.1));
    assertThat(scheduled.initialize().typeSignature().toString()).contains("client_work=int32,");
    assertThat(scheduled.next().typeSignature().result().toString()).contains("client_work=<train=<"
        + "sparse_categorical_accuracy=float32,loss=float32,num_examples=int64,num_batches=int64>,"
        + "num_non_finite_clients=int32,client_learning_rate=float32>");
  }
}
