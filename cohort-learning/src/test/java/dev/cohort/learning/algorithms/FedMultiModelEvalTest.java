package dev.cohort.learning.algorithms;

import static dev.cohort.learning.algorithms.FedAvgTest.clients;
import static dev.cohort.learning.algorithms.FedAvgTest.metrics;
import static dev.cohort.learning.algorithms.FedAvgTest.model;
import static dev.cohort.learning.algorithms.FedAvgTest.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.Loss;
import dev.cohort.learning.models.SequentialModel;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.LearningProcess;
import dev.cohort.nn.Layers;
import dev.cohort.nn.Sequential;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class FedMultiModelEvalTest {
  /** A second architecture on the same input spec: a hidden layer of 5. */
  private static FunctionalModel mlp() {
    return SequentialModel.of("test.multi_eval.mlp", FedAvgTest.SPEC,
        () -> Sequential.builder(Shape.of(4)).seed(9).add(Layers.dense(5)).add(Layers.dense(3)).build(),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY_FROM_LOGITS);
  }

  @Test
  void theTypesMirrorTffsBuildFedMultiModelEval() {
    LearningProcess eval = FedMultiModelEval.of(List.of(model(), mlp()));
    String logistic = "<trainable=<float32[4,3],float32[3]>,non_trainable=<>>";
    String mlp = "<trainable=<float32[4,5],float32[5],float32[5,3],float32[3]>,non_trainable=<>>";
    assertThat(eval.initialize().typeSignature().toString()).startsWith("( -> <global_model_weights=<a=" + logistic
        + ",b=" + mlp + ">,distributor=<>,client_work=<a=<<>,<sparse_categorical_accuracy=<float32,float32>,");
    assertThat(eval.next().typeSignature().result().toString()).endsWith("metrics=<distributor=<>,client_work=<a=<"
        + "eval=<current_round_metrics=<sparse_categorical_accuracy=float32,loss=float32,num_examples=int64,"
        + "num_batches=int64>,total_rounds_metrics=<sparse_categorical_accuracy=float32,loss=float32,"
        + "num_examples=int64,num_batches=int64>>>,b=<eval=<current_round_metrics=<loss=float32,num_examples=int64,"
        + "num_batches=int64>,total_rounds_metrics=<loss=float32,num_examples=int64,num_batches=int64>>>>,"
        + "aggregator=<mean_value=<>,mean_weight=<>>,finalizer=<>>@SERVER>");
  }

  /** Each model's metrics are those of a single-model federated evaluation of its weights on the same data. */
  @Test
  void eachModelsMetricsEqualItsOwnFederatedEvaluation() {
    FunctionalModel model = model();
    LearningProcess fedAvg = FedAvg.weighted(model, Optimizer.sgdm(0.1));
    Struct trained = (Struct) fedAvg.next().call(fedAvg.initialize().call(), clients(3));
    Object afterOneRound = fedAvg.getModelWeights().call(server(trained.get("state")));
    Object initial = model.initialWeights().toValue();

    LearningProcess multi = FedMultiModelEval.of(List.of(model, model, mlp()));
    Object state = multi.setModelWeights().call(server(multi.initialize().call()), Struct.named("a", initial, "b",
        afterOneRound, "c", mlp().initialWeights().toValue()));
    Struct out = (Struct) multi.next().call(FederatedValue.atServer(state), clients(3));
    Struct perModel = metrics(out, "client_work");

    LearningProcess single = FedEval.of(model);
    for (String[] keyAndWeights : new String[][] {{"a", "initial"}, {"b", "trained"}}) {
      Object weights = keyAndWeights[1].equals("initial") ? initial : afterOneRound;
      Object s = single.setModelWeights().call(server(single.initialize().call()), weights);
      Struct expected = metrics((Struct) single.next().call(FederatedValue.atServer(s), clients(3)), "client_work");
      assertThat(perModel.get(keyAndWeights[0])).isEqualTo(expected);
    }
    LearningProcess mlpEval = FedEval.of(mlp());
    Struct expectedMlp = metrics((Struct) mlpEval.next().call(mlpEval.initialize().call(), clients(3)),
        "client_work");
    assertThat(perModel.get("c")).isEqualTo(expectedMlp);
    assertThat(perModel.get("a")).isNotEqualTo(perModel.get("b"));
    assertThat(multi.getModelWeights().call(server(out.get("state"))))
        .isEqualTo(multi.getModelWeights().call(state));
  }

  @Test
  void modelsMustShareTheirInputSpec() {
    StructType other = StructType.named("x", TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, 4),
        "y", TensorType.of(DType.INT64, TensorType.UNKNOWN, 1));
    FunctionalModel int64Labels = SequentialModel.of("test.multi_eval.int64", other,
        () -> Sequential.builder(Shape.of(4)).seed(3).add(Layers.dense(3)).build(),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY_FROM_LOGITS);
    assertThatThrownBy(() -> FedMultiModelEval.of(List.of(model(), int64Labels)))
        .hasMessage("multi-model evaluation needs one input spec: model b ('test.multi_eval.int64') has "
            + "<x=float32[?,4],y=int64[?,1]>, model a ('test.fedavg.logistic') has <x=float32[?,4],y=int32[?,1]>");
    assertThatThrownBy(() -> FedMultiModelEval.of(List.of()))
        .hasMessage("multi-model evaluation takes 1 to 26 models (keys a to z), found 0");
  }
}
