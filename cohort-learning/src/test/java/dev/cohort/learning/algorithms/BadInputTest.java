package dev.cohort.learning.algorithms;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.optimizers.LearningRateSchedule;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.LearningProcess;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 11's bad input at the level of a learning process: weights that do not fit the model, client data whose
 * elements do not fit the model's input spec, and out-of-range hyper-parameters fail with a message naming the part,
 * the expected and the found: hyper-parameters when the process is built, weights when they are passed in, a batch
 * when it is read from the client's stream, before a model computes on it (the optimizers' own checks are in
 * OptimizerTest).
 */
class BadInputTest {
  private final LearningProcess fedAvg = FedAvg.weighted(FedAvgTest.model(), Optimizer.sgdm(0.1));
  private final Object state = fedAvg.initialize().call();

  private static Struct batch(Tensor x, Tensor y) {
    return Struct.named("x", x, "y", y);
  }

  @Test
  void weightsThatDoNotMatchTheModelAreRejectedNamingTheLeaf() {
    Struct wrong = Struct.named("trainable", Struct.of(Tensor.zeros(5, 3), Tensor.zeros(3)), "non_trainable",
        Struct.empty());
    assertThatThrownBy(() -> fedAvg.setModelWeights().call(FedAvgTest.server(state), wrong))
        .hasMessage("argument of 'set_model_weights'.model_weights.trainable[0]: expected a value of type"
            + " float32[4,3], found a float32 tensor of shape [5, 3]");
    Struct missing = Struct.named("trainable", Struct.of(Tensor.zeros(4, 3)), "non_trainable", Struct.empty());
    LearningProcess eval = FedEval.of(FedAvgTest.model());
    assertThatThrownBy(() -> eval.setModelWeights().call(FedAvgTest.server(eval.initialize().call()), missing))
        .hasMessageStartingWith("argument of 'set_model_weights'.model_weights.trainable");
  }

  @Test
  void clientDataWhoseElementsDoNotMatchTheInputSpecIsRejectedNamingClientAndField() {
    Tensor labels = Tensor.wrap(new int[2], Shape.of(2, 1));
    List<Sequence> wideX = new ArrayList<>(FedAvgTest.clients(1));
    wideX.add(Sequence.of(List.of(batch(Tensor.zeros(2, 5), labels))));
    assertThatThrownBy(() -> fedAvg.next().call(state, wideX))
        .hasMessage("argument of 'next'.client_data[client 1][element].x: expected a value of type float32[?,4],"
            + " found a float32 tensor of shape [2, 5]");
    List<Sequence> floatLabels = List.of(Sequence.of(List.of(batch(Tensor.zeros(2, 4), Tensor.zeros(2, 1)))));
    assertThatThrownBy(() -> fedAvg.next().call(state, floatLabels))
        .hasMessage("argument of 'next'.client_data[client 0][element].y: expected a value of type int32[?,1],"
            + " found a float32 tensor of shape [2, 1]");
    List<Sequence> bareTensors = List.of(Sequence.of(List.of(Tensor.zeros(4))));
    assertThatThrownBy(() -> fedAvg.next().call(state, bareTensors))
        .hasMessage("argument of 'next'.client_data[client 0][element]: expected a value of type"
            + " <x=float32[?,4],y=int32[?,1]>, found a float32 tensor of shape [4]");
  }

  @Test
  void outOfRangeHyperParametersAreRejectedAtConstructionNamingTheParameter() {
    assertThatThrownBy(() -> FedAvg.weighted(FedAvgTest.model(), Optimizer.sgdm(-0.02)))
        .hasMessage("learning_rate (-0.02) must be a finite number >= 0");
    assertThatThrownBy(() -> Optimizer.sgdm(0.1, -0.5)).hasMessage("momentum (-0.5) must be in [0, 1)");
    assertThatThrownBy(() -> Optimizer.yogi(0.1, 0.9, 1.0, 1e-3, 1e-6))
        .hasMessage("beta_2 (1.0) must be in [0, 1)");
    assertThatThrownBy(() -> Optimizer.adamw(0.1, -0.1, 0.999, 1e-7, 0.004))
        .hasMessage("beta_1 (-0.1) must be in [0, 1)");
    assertThatThrownBy(() -> Optimizer.adam(0.1, 0.9, 0.999, -1e-7)).hasMessage("epsilon (-1.0E-7) must be a finite"
        + " number >= 0");
    assertThatThrownBy(() -> ScheduledFedAvg.of(FedAvgTest.model(), new LearningRateSchedule("test.bad.negative",
        r -> -0.1), Optimizer.sgdm(0.1)))
        .hasMessage("learning rate schedule 'test.bad.negative' gave -0.1 at step 0; a learning rate must be a finite"
            + " number >= 0");
  }

  @Test
  void outOfRangeHyperParametersSetOnAProcessAreRejectedNamingTheParameter() {
    LearningProcess momentum = FedAvg.weighted(FedAvgTest.model(), Optimizer.sgdm(0.1), Optimizer.sgdm(1.0, 0.9));
    Object s = FedAvgTest.server(momentum.initialize().call());
    assertThatThrownBy(() -> momentum.setHparams().call(s, Struct.named("finalizer", Struct.named("learning_rate",
        Tensor.scalar(-1f), "momentum", Tensor.scalar(0.9f)))))
        .hasMessageContaining("learning_rate (-1.0) must be a finite number >= 0");
    assertThatThrownBy(() -> momentum.setHparams().call(s, Struct.named("finalizer", Struct.named("learning_rate",
        Tensor.scalar(1f), "momentum", Tensor.scalar(1.5f)))))
        .hasMessageContaining("momentum (1.5) must be in [0, 1)");
  }
}
