package dev.cohort.learning.algorithms;

import static dev.cohort.learning.algorithms.FedAvgTest.clientBatches;
import static dev.cohort.learning.algorithms.FedAvgTest.clients;
import static dev.cohort.learning.algorithms.FedAvgTest.model;
import static dev.cohort.learning.algorithms.FedAvgTest.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.models.ModelWorker;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.LearningProcess;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class FedProxTest {
  private static Object oneRound(LearningProcess process, List<Sequence> data) {
    Struct out = (Struct) process.next().call(process.initialize().call(), data);
    return process.getModelWeights().call(server(out.get("state")));
  }

  @Test
  void withZeroProximalStrengthItIsFedAvgBitForBit() {
    FunctionalModel model = model();
    assertThat(oneRound(FedProx.weighted(model, 0.0, Optimizer.sgdm(0.1, 0.9)), clients(4)))
        .isEqualTo(oneRound(FedAvg.weighted(model, Optimizer.sgdm(0.1, 0.9)), clients(4)));
    assertThat(oneRound(FedProx.unweighted(model, 0.0, Optimizer.sgdm(0.1)), clients(4)))
        .isEqualTo(oneRound(FedAvg.unweighted(model, Optimizer.sgdm(0.1)), clients(4)));
  }

  private static double distance(Object a, Object b) {
    double s = 0;
    for (int k = 0; k < 2; k++) {
      float[] x = ((Tensor) ModelWeights.fromValue(a).trainable().get(k)).floatData();
      float[] y = ((Tensor) ModelWeights.fromValue(b).trainable().get(k)).floatData();
      for (int i = 0; i < x.length; i++) {
        s += (x[i] - y[i]) * (double) (x[i] - y[i]);
      }
    }
    return Math.sqrt(s);
  }

  @Test
  void aPositiveProximalStrengthGivesASmallerModelDelta() {
    FunctionalModel model = model();
    Object start = model.initialWeights().toValue();
    double fedAvg = distance(start, oneRound(FedAvg.weighted(model, Optimizer.sgdm(0.5)), clients(4)));
    double prox = distance(start, oneRound(FedProx.weighted(model, 1.0, Optimizer.sgdm(0.5)), clients(4)));
    assertThat(prox).isLessThan(fedAvg * 0.9).isGreaterThan(0);
  }

  @Test
  void theProximalTermIsThePapersGradientOfMuHalfTheSquaredDistance() {
    FunctionalModel model = model();
    ModelWeights start = model.initialWeights();
    float mu = 0.7f;
    float lr = 0.2f;
    ModelWorker worker = model.newWorker();
    worker.setWeights(start);
    List<float[]> w = new ArrayList<>();
    for (Object t : start.trainable().values()) {
      w.add(((Tensor) t).floatData().clone());
    }
    for (Struct batch : clientBatches(2)) {
      worker.lossAndGradients(batch, null);
      for (int k = 0; k < 2; k++) {
        float[] g = ((Tensor) worker.gradients().get(k)).floatData();
        float[] w0 = ((Tensor) start.trainable().get(k)).floatData();
        for (int i = 0; i < g.length; i++) {
          w.get(k)[i] -= lr * (g[i] + mu * (w.get(k)[i] - w0[i]));
        }
      }
      List<Object> t = new ArrayList<>();
      for (int k = 0; k < 2; k++) {
        t.add(Tensor.wrap(w.get(k).clone(), ((Tensor) start.trainable().get(k)).shape()));
      }
      worker.setWeights(new ModelWeights(Struct.of(t.toArray()), start.nonTrainable()));
    }
    Object trained = oneRound(FedProx.weighted(model, mu, Optimizer.sgdm(lr)), List.of(Sequence.of(clientBatches(2))));
    for (int k = 0; k < 2; k++) {
      float[] actual = ((Tensor) ModelWeights.fromValue(trained).trainable().get(k)).floatData();
      for (int i = 0; i < actual.length; i++) {
        assertThat((double) actual[i]).isCloseTo(w.get(k)[i], Offset.offset(1e-5));
      }
    }
  }

  @Test
  void aNegativeProximalStrengthIsRejectedNamingIt() {
    assertThatThrownBy(() -> FedProx.weighted(model(), -0.1, Optimizer.sgdm(0.1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("proximal_strength (-0.1) must be a finite number >= 0");
  }
}
