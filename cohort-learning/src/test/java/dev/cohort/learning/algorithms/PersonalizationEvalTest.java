package dev.cohort.learning.algorithms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.Computation;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.models.ModelWorker;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class PersonalizationEvalTest {
  private static final FunctionalModel MODEL = FedAvgTest.model();

  /** Client {@code c}: train on FedAvgTest's batches of client c, test on those of client c + 10 (5 + 3(c + 10)). */
  private static List<Struct> train(int c) {
    return FedAvgTest.clientBatches(c);
  }

  private static List<Struct> test(int c) {
    return FedAvgTest.clientBatches(c + 10);
  }

  private static List<Struct> clients(int n) {
    List<Struct> out = new ArrayList<>();
    for (int c = 0; c < n; c++) {
      out.add(Struct.named("train_data", Sequence.of(train(c)), "test_data", Sequence.of(test(c))));
    }
    return out;
  }

  private static Computation sgdTwoEpochs(int maxNumClients) {
    return PersonalizationEval.build("test.p13n.sgd", MODEL,
        List.of(PersonalizationEval.fineTune("sgd", MODEL, Optimizer.sgdm(0.1), 2)), maxNumClients, 5);
  }

  private static Struct run(Computation p13n, int clients) {
    return (Struct) ((FederatedValue) p13n.call(MODEL.initialWeights().toValue(), clients(clients))).value();
  }

  private static Tensor leaf(Struct result, String... path) {
    Object v = result;
    for (String p : path) {
      v = ((Struct) v).get(p);
    }
    return (Tensor) v;
  }

  /** The example-weighted mean loss of {@code weights} on {@code batches}, by forward passes of a fresh worker. */
  private static float meanLoss(ModelWeights weights, List<Struct> batches) {
    ModelWorker worker = MODEL.newWorker();
    worker.setWeights(weights);
    float sum = 0;
    float n = 0;
    for (Struct b : batches) {
      var out = worker.forwardPass(b, false, null);
      sum += out.loss().floatValue() * out.numExamples();
      n += out.numExamples();
    }
    return sum / n;
  }

  private static float accuracy(ModelWeights weights, List<Struct> batches) {
    ModelWorker worker = MODEL.newWorker();
    worker.setWeights(weights);
    int correct = 0;
    int n = 0;
    for (Struct b : batches) {
      Tensor p = worker.predict((Tensor) b.get("x"));
      int[] y = ((Tensor) b.get("y")).intData();
      for (int i = 0; i < y.length; i++) {
        int best = 0;
        for (int k = 1; k < 3; k++) {
          if (p.floatData()[i * 3 + k] > p.floatData()[i * 3 + best]) {
            best = k;
          }
        }
        correct += best == y[i] ? 1 : 0;
        n++;
      }
    }
    return (float) correct / n;
  }

  @Test
  void typeSignatureIsTffs() {
    String metrics = "<sparse_categorical_accuracy=float32[?],loss=float32[?],num_examples=int64[?],"
        + "num_batches=int64[?]>";
    assertThat(sgdTwoEpochs(10).typeSignature().toString()).isEqualTo("(<model_weights=<trainable=<float32[4,3],"
        + "float32[3]>,non_trainable=<>>@SERVER,client_data={<train_data=<x=float32[?,4],y=int32[?,1]>*,test_data="
        + "<x=float32[?,4],y=int32[?,1]>*>}@CLIENTS> -> <baseline_metrics=" + metrics + ",sgd=<epoch_1=" + metrics
        + ",epoch_2=" + metrics + ">>@SERVER)");
  }

  @Test
  void baselineAndFineTunedMetricsMatchAHandWrittenLoopForEveryClient() {
    Struct result = run(sgdTwoEpochs(10), 3);
    ModelWeights initial = MODEL.initialWeights();
    for (int c = 0; c < 3; c++) {
      ModelWeights once = FedAvgTest.trainAlone(MODEL, initial, train(c), 0.1f);
      ModelWeights twice = FedAvgTest.trainAlone(MODEL, once, train(c), 0.1f);
      Offset<Float> tol = Offset.offset(1e-6f);
      assertThat(leaf(result, "baseline_metrics", "loss").floatData()[c]).isCloseTo(meanLoss(initial, test(c)), tol);
      assertThat(leaf(result, "baseline_metrics", "sparse_categorical_accuracy").floatData()[c])
          .isEqualTo(accuracy(initial, test(c)));
      assertThat(leaf(result, "sgd", "epoch_1", "loss").floatData()[c]).isCloseTo(meanLoss(once, test(c)), tol);
      assertThat(leaf(result, "sgd", "epoch_2", "loss").floatData()[c]).isCloseTo(meanLoss(twice, test(c)), tol);
      assertThat(leaf(result, "sgd", "epoch_2", "sparse_categorical_accuracy").floatData()[c])
          .isEqualTo(accuracy(twice, test(c)));
      long examples = 5 + 3 * (c + 10);
      assertThat(leaf(result, "baseline_metrics", "num_examples").longData()[c]).isEqualTo(examples);
      assertThat(leaf(result, "sgd", "epoch_1", "num_batches").longData()[c]).isEqualTo((examples + 3) / 4);
    }
    // Fine-tuning on a client's own distribution lowers its test loss.
    assertThat(leaf(result, "sgd", "epoch_2", "loss").floatData()[2])
        .isLessThan(leaf(result, "baseline_metrics", "loss").floatData()[2]);
  }

  @Test
  void atMostMaxNumClientsAreSampledAndEachRowComesFromOneClient() {
    Struct all = run(sgdTwoEpochs(10), 6);
    Struct sampled = run(sgdTwoEpochs(2), 6);
    assertThat(leaf(all, "baseline_metrics", "loss").shape().dim(0)).isEqualTo(6);
    long[] examples = leaf(sampled, "baseline_metrics", "num_examples").longData();
    assertThat(examples).hasSize(2).doesNotHaveDuplicates();
    for (int row = 0; row < 2; row++) {
      int client = (int) (examples[row] - 5) / 3 - 10;
      assertThat(client).isBetween(0, 5);
      for (String[] path : new String[][] {{"baseline_metrics", "loss"}, {"sgd", "epoch_1", "loss"},
          {"sgd", "epoch_2", "sparse_categorical_accuracy"}}) {
        assertThat(leaf(sampled, path).floatData()[row]).isEqualTo(leaf(all, path).floatData()[client]);
      }
    }
    assertThat(run(sgdTwoEpochs(2), 6)).isEqualTo(sampled);
  }

  @Test
  void userStrategiesReportTheirOwnMetrics() {
    StructType steps = StructType.named("train_batches", TensorType.of(DType.INT32));
    PersonalizationEval.Strategy countOnly = new PersonalizationEval.Strategy("count", steps, (worker, tr, te) -> {
      int n = 0;
      for (Object unused : tr) {
        n++;
      }
      return Struct.named("train_batches", Tensor.scalar(n));
    });
    Computation p13n = PersonalizationEval.build("test.p13n.count", MODEL, List.of(countOnly), 5, 1);
    Struct result = run(p13n, 3);
    assertThat(leaf(result, "count", "train_batches").intData()).containsExactly(2, 2, 3);   // ceil((5 + 3c) / 4)

    PersonalizationEval.Strategy wrong = new PersonalizationEval.Strategy("wrong", steps, (worker, tr, te) ->
        Struct.named("train_batches", Tensor.scalar(1L)));
    Computation bad = PersonalizationEval.build("test.p13n.wrong", MODEL, List.of(wrong), 5, 1);
    assertThatThrownBy(() -> run(bad, 1)).hasMessageContaining("strategy 'wrong': its metrics type");
  }

  @Test
  void badArgumentsFailAtConstructionNamingThem() {
    var sgd = PersonalizationEval.fineTune("sgd", MODEL, Optimizer.sgdm(0.1), 1);
    assertThatThrownBy(() -> PersonalizationEval.build("test.p13n.bad", MODEL, List.of(sgd), 0, 1))
        .hasMessage("max_num_clients (0) must be >= 1");
    assertThatThrownBy(() -> PersonalizationEval.fineTune("baseline_metrics", MODEL, Optimizer.sgdm(0.1), 1))
        .hasMessage("strategy name 'baseline_metrics' must be an identifier other than 'baseline_metrics'");
    assertThatThrownBy(() -> PersonalizationEval.fineTune("sgd", MODEL, Optimizer.sgdm(0.1), 0))
        .hasMessage("epochs (0) must be >= 1");
    assertThatThrownBy(() -> PersonalizationEval.build("test.p13n.bad", MODEL, List.of(sgd, sgd), 3, 1))
        .hasMessage("two strategies are named 'sgd'");
    assertThatThrownBy(() -> PersonalizationEval.build("test.p13n.bad", MODEL, List.of(), 3, 1))
        .hasMessage("personalization evaluation needs at least one strategy");
  }
}
