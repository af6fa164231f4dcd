package dev.cohort.learning.algorithms;

import static dev.cohort.learning.algorithms.FedAvgTest.clientBatches;
import static dev.cohort.learning.algorithms.FedAvgTest.clients;
import static dev.cohort.learning.algorithms.FedAvgTest.model;
import static dev.cohort.learning.algorithms.FedAvgTest.server;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.values.Struct;
import dev.cohort.learning.models.BatchOutput;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.ModelWorker;
import dev.cohort.learning.optimizers.LearningRateSchedule;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.LearningProcess;
import dev.cohort.tensor.Tensor;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class MimeLiteTest {
  private static Object weightsAfterOneRound(LearningProcess process) {
    Struct out = (Struct) process.next().call(process.initialize().call(), clients(4));
    return process.getModelWeights().call(server(out.get("state")));
  }

  @Test
  void withPlainSgdAsBaseOptimizerTheModelFollowsFedAvg() {
    FunctionalModel model = model();
    assertThat(weightsAfterOneRound(MimeLite.weighted(model, Optimizer.sgdm(0.1))))
        .isEqualTo(weightsAfterOneRound(FedAvg.weighted(model, Optimizer.sgdm(0.1))));
    assertThat(weightsAfterOneRound(MimeLite.unweighted(model, Optimizer.sgdm(0.1))))
        .isEqualTo(weightsAfterOneRound(FedAvg.unweighted(model, Optimizer.sgdm(0.1))));
  }

  /** The example-weighted mean over clients of each client's example-weighted mean gradient at the initial model. */
  private static double[][] meanFullGradient(FunctionalModel model, int clients) {
    ModelWorker worker = model.newWorker();
    worker.setWeights(model.initialWeights());
    double[][] sum = new double[2][];
    long total = 0;
    for (int c = 0; c < clients; c++) {
      for (Struct batch : clientBatches(c)) {
        BatchOutput out = worker.lossAndGradients(batch, null);
        for (int k = 0; k < 2; k++) {
          float[] g = ((Tensor) worker.gradients().get(k)).floatData();
          sum[k] = sum[k] == null ? new double[g.length] : sum[k];
          for (int i = 0; i < g.length; i++) {
            sum[k][i] += out.numExamples() * (double) g[i];
          }
        }
        total += out.numExamples();
      }
    }
    for (double[] s : sum) {
      for (int i = 0; i < s.length; i++) {
        s[i] /= total;
      }
    }
    return sum;
  }

  @Test
  void theServerStateTakesOneBaseOptimizerStepOnTheMeanFullGradient() {
    FunctionalModel model = model();
    LearningProcess mime = MimeLite.weighted(model, Optimizer.sgdm(0.1, 0.9));
    Struct out = (Struct) mime.next().call(mime.initialize().call(), clients(4));
    Struct optimizerState = (Struct) ((Struct) ((Struct) server(out.get("state"))).get("client_work")).get(0);
    // momentum SGD from a zero accumulator: accumulator = 0.9 * 0 + g
    Struct accumulator = (Struct) optimizerState.get("accumulator");
    double[][] expected = meanFullGradient(model, 4);
    for (int k = 0; k < 2; k++) {
      float[] a = ((Tensor) accumulator.get(k)).floatData();
      for (int i = 0; i < a.length; i++) {
        assertThat((double) a[i]).isCloseTo(expected[k][i], Offset.offset(1e-5));
      }
    }
  }

  @Test
  void theScheduledVariantSetsTheBaseLearningRateEveryRound() {
    LearningRateSchedule decay = new LearningRateSchedule("test.tenth", r -> 0.1 / (r + 1));
    LearningProcess mime = MimeLite.scheduled(model(), decay, Optimizer.sgdm(1.0, 0.5), Optimizer.sgdm(1.0));
    Object state = mime.initialize().call();
    Struct clientWork = (Struct) ((Struct) server(state)).get("client_work");
    assertThat(clientWork.get(0)).isEqualTo(Tensor.scalar(0));
    assertThat(((Struct) ((Struct) clientWork.get(1)).get(0)).get("learning_rate")).isEqualTo(Tensor.scalar(0.1f));
    for (int r = 1; r <= 2; r++) {
      state = ((Struct) mime.next().call(state, clients(3))).get("state");
      clientWork = (Struct) ((Struct) server(state)).get("client_work");
      assertThat(clientWork.get(0)).isEqualTo(Tensor.scalar(r));
      assertThat(((Struct) ((Struct) clientWork.get(1)).get(0)).get("learning_rate"))
          .isEqualTo(Tensor.scalar((float) (0.1 / (r + 1))));
    }
  }
}
