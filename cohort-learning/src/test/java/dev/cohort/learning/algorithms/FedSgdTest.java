package dev.cohort.learning.algorithms;

import static dev.cohort.learning.algorithms.FedAvgTest.clientBatches;
import static dev.cohort.learning.algorithms.FedAvgTest.clients;
import static dev.cohort.learning.algorithms.FedAvgTest.metrics;
import static dev.cohort.learning.algorithms.FedAvgTest.model;
import static dev.cohort.learning.algorithms.FedAvgTest.server;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.values.Struct;
import dev.cohort.learning.models.BatchOutput;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.models.ModelWorker;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.LearningProcess;
import dev.cohort.tensor.Tensor;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class FedSgdTest {
  @Test
  void withServerSgdOneRoundIsOneStepOfTheExampleWeightedMeanGradient() {
    FunctionalModel model = model();
    ModelWeights start = model.initialWeights();
    ModelWorker worker = model.newWorker();
    worker.setWeights(start);
    double[][] sum = new double[2][];
    long examples = 0;
    for (int c = 0; c < 3; c++) {
      for (Struct batch : clientBatches(c)) {
        BatchOutput out = worker.lossAndGradients(batch, null);
        for (int k = 0; k < 2; k++) {
          float[] g = ((Tensor) worker.gradients().get(k)).floatData();
          sum[k] = sum[k] == null ? new double[g.length] : sum[k];
          for (int i = 0; i < g.length; i++) {
            sum[k][i] += out.numExamples() * (double) g[i];
          }
        }
        examples += out.numExamples();
      }
    }
    LearningProcess fedSgd = FedSgd.of(model, Optimizer.sgdm(0.5));
    Struct out = (Struct) fedSgd.next().call(fedSgd.initialize().call(), clients(3));
    ModelWeights next = ModelWeights.fromValue(fedSgd.getModelWeights().call(server(out.get("state"))));
    for (int k = 0; k < 2; k++) {
      float[] w0 = ((Tensor) start.trainable().get(k)).floatData();
      float[] w = ((Tensor) next.trainable().get(k)).floatData();
      for (int i = 0; i < w.length; i++) {
        assertThat((double) w[i]).isCloseTo(w0[i] - 0.5 * sum[k][i] / examples, Offset.offset(1e-5));
      }
    }
    Struct train = (Struct) metrics(out, "client_work").get("train");
    assertThat(((Tensor) train.get("num_examples")).longValue()).isEqualTo(examples);
  }

  @Test
  void theDefaultServerOptimizerIsTffsSgdAtPointOne() {
    LearningProcess fedSgd = FedSgd.of(model());
    assertThat(fedSgd.getHparams().call(server(fedSgd.initialize().call())).toString())
        .isEqualTo("<finalizer=<learning_rate=0.1>>");
  }
}
