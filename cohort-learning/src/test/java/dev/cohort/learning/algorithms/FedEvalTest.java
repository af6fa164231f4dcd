package dev.cohort.learning.algorithms;

import static dev.cohort.learning.algorithms.FedAvgTest.clientBatches;
import static dev.cohort.learning.algorithms.FedAvgTest.clients;
import static dev.cohort.learning.algorithms.FedAvgTest.metrics;
import static dev.cohort.learning.algorithms.FedAvgTest.model;
import static dev.cohort.learning.algorithms.FedAvgTest.server;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.models.BatchOutput;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.ModelWorker;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.LearningProcess;
import dev.cohort.tensor.Tensor;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class FedEvalTest {
  @Test
  void theTypesMirrorTffsBuildFedEval() {
    LearningProcess eval = FedEval.of(model());
    assertThat(eval.next().typeSignature().result().toString()).endsWith("metrics=<distributor=<>,client_work=<eval=<"
        + "current_round_metrics=<sparse_categorical_accuracy=float32,loss=float32,num_examples=int64,"
        + "num_batches=int64>,total_rounds_metrics=<sparse_categorical_accuracy=float32,loss=float32,"
        + "num_examples=int64,num_batches=int64>>>,aggregator=<mean_value=<>,mean_weight=<>>,finalizer=<>>@SERVER>");
    assertThat(eval.initialize().typeSignature().toString()).contains("client_work=<<>,<sparse_categorical_accuracy="
        + "<float32,float32>,loss=<float32,float32>,num_examples=int64,num_batches=int64>>");
  }

  @Test
  void metricsEqualADirectComputationOnTheTrainedModel() {
    FunctionalModel model = model();
    LearningProcess fedAvg = FedAvg.weighted(model, Optimizer.sgdm(0.1));
    Struct trained = (Struct) fedAvg.next().call(fedAvg.initialize().call(), clients(3));
    Object weights = fedAvg.getModelWeights().call(server(trained.get("state")));

    ModelWorker worker = model.newWorker();
    worker.setWeights(dev.cohort.learning.models.ModelWeights.fromValue(weights));
    double lossSum = 0;
    long examples = 0;
    long batches = 0;
    long correct = 0;
    for (int c = 0; c < 3; c++) {
      for (Struct batch : clientBatches(c)) {
        BatchOutput out = worker.forwardPass(batch, false, null);
        lossSum += out.loss().floatValue() * (double) out.numExamples();
        examples += out.numExamples();
        batches++;
        Tensor predicted = out.predictions().argmax(1);
        int[] y = ((Tensor) batch.get("y")).intData();
        for (int i = 0; i < y.length; i++) {
          correct += predicted.longData()[i] == y[i] ? 1 : 0;
        }
      }
    }

    LearningProcess eval = FedEval.of(model);
    Object state = eval.setModelWeights().call(server(eval.initialize().call()), weights);
    Struct out = (Struct) eval.next().call(FederatedValue.atServer(state), clients(3));
    Struct current = (Struct) ((Struct) metrics(out, "client_work").get("eval")).get("current_round_metrics");
    assertThat(((Tensor) current.get("num_examples")).longValue()).isEqualTo(examples);
    assertThat(((Tensor) current.get("num_batches")).longValue()).isEqualTo(batches);
    assertThat((double) ((Tensor) current.get("loss")).floatValue()).isCloseTo(lossSum / examples,
        Offset.offset(1e-5));
    assertThat((double) ((Tensor) current.get("sparse_categorical_accuracy")).floatValue())
        .isCloseTo((double) correct / examples, Offset.offset(1e-6));
    assertThat(eval.getModelWeights().call(server(out.get("state")))).isEqualTo(weights);

    Struct again = (Struct) eval.next().call(out.get("state"), clients(3));
    Struct total = (Struct) ((Struct) metrics(again, "client_work").get("eval")).get("total_rounds_metrics");
    assertThat(((Tensor) total.get("num_examples")).longValue()).isEqualTo(2 * examples);
    assertThat(total.get("loss")).isEqualTo(current.get("loss"));
  }
}
