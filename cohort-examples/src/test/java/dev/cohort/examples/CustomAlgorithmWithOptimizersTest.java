package dev.cohort.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.ContextStack;
import dev.cohort.core.runtime.InProcessContext;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.Nest;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.models.ModelWorker;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.Dataset;
import dev.cohort.simulation.datasets.LeafJson;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CustomAlgorithmWithOptimizersTest {
  private static final String WEIGHTS = "<float32[5,5,1,32],float32[32],float32[5,5,32,64],float32[64],"
      + "float32[3136,512],float32[512],float32[512,10],float32[10]>";
  // tff.md §1.8: server_state_type, tf_dataset_type and the signature of run_one_round.
  private static final String SERVER_STATE = "<trainable_weights=" + WEIGHTS + ",optimizer_state=<learning_rate="
      + "float32,momentum=float32,accumulator=" + WEIGHTS + ">>";

  @Test
  void printsTffsTypesAndAccuraciesOfClientZerosDigits() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new CustomAlgorithmWithOptimizers().run(new PrintStream(bytes, true, StandardCharsets.UTF_8), null);
    List<String> lines = Arrays.stream(bytes.toString(StandardCharsets.UTF_8).split("\n"))
        .filter(l -> !l.startsWith("# ")).toList();
    assertThat(lines.subList(0, 3)).containsExactly(SERVER_STATE, "<float32[?,28,28,1],int32[?]>*",
        "(<server_state=" + SERVER_STATE + "@SERVER,federated_dataset={<float32[?,28,28,1],int32[?]>*}@CLIENTS> -> "
            + SERVER_STATE + "@SERVER)");
    ClientData.Split femnist = LeafJson.femnist(FemnistSample.locate("test", null));
    long digits = FemnistSample.digits(femnist.train().dataset(femnist.train().clientIds().get(0))).count();
    assertThat(lines.get(3)).startsWith("Initial test accuracy ");
    assertThat(lines.get(4)).startsWith("Test accuracy ");
    for (String line : lines.subList(3, 5)) {
      // a float32 k / n for the n digits of client 0
      float accuracy = Float.parseFloat(line.substring(line.lastIndexOf(' ') + 1));
      long k = Math.round(accuracy * digits);
      assertThat(accuracy).isEqualTo((float) k / digits);
    }
  }

  @Test
  @SuppressWarnings("try")
  void twoRoundsAreClientSgdAndServerMomentumOnTheNegatedMeanDelta() {
    ClientData.Split femnist = LeafJson.femnist(FemnistSample.locate("test", null));
    List<Dataset> clients = new ArrayList<>();
    for (String id : femnist.train().clientIds().subList(0, 2)) {
      clients.add(CustomAlgorithmWithOptimizers.preprocess(femnist.train().dataset(id)));
    }
    FunctionalModel model = CustomAlgorithmWithOptimizers.model();
    CustomAlgorithmWithOptimizers.Algorithm algorithm = CustomAlgorithmWithOptimizers.build(model,
        Optimizer.sgdm(0.01), Optimizer.sgdm(0.05, 0.9));
    Object state;
    try (InProcessContext context = InProcessContext.builder().build();
         ContextStack.Scope scope = ContextStack.install(context)) {
      state = algorithm.initialize().call();
      for (int round = 0; round < 2; round++) {
        state = algorithm.next().call(state, FederatedValue.atClients(clients));
      }
    }
    List<Tensor> computed = Nest.flatten(((Struct) ((FederatedValue) state).value()).get("trainable_weights"));

    // By hand: w_c = w - 0.01 g per batch; delta = mean(w_c - w); v = 0.9 v - delta; w = w - 0.05 v.
    ModelWeights initial = model.initialWeights();
    List<float[]> w = new ArrayList<>();
    List<float[]> v = new ArrayList<>();
    for (Tensor t : Nest.flatten(initial.trainable())) {
      w.add(t.floatData().clone());
      v.add(new float[t.shape().size()]);
    }
    ModelWorker worker = model.newWorker();
    for (int round = 0; round < 2; round++) {
      List<float[]> meanDelta = new ArrayList<>();
      for (float[] leaf : w) {
        meanDelta.add(new float[leaf.length]);
      }
      for (Dataset client : clients) {
        List<float[]> local = new ArrayList<>();
        for (float[] leaf : w) {
          local.add(leaf.clone());
        }
        for (Object element : client) {
          worker.setWeights(weights(initial, local));
          Struct batch = (Struct) element;
          worker.lossAndGradients(Struct.named("x", batch.get(0), "y", batch.get(1)), null);
          List<Tensor> g = Nest.flatten(worker.gradients());
          for (int j = 0; j < local.size(); j++) {
            float[] gj = g.get(j).floatData();
            for (int i = 0; i < gj.length; i++) {
              local.get(j)[i] -= 0.01f * gj[i];
            }
          }
        }
        for (int j = 0; j < w.size(); j++) {
          for (int i = 0; i < w.get(j).length; i++) {
            meanDelta.get(j)[i] += (local.get(j)[i] - w.get(j)[i]) / clients.size();
          }
        }
      }
      for (int j = 0; j < w.size(); j++) {
        for (int i = 0; i < w.get(j).length; i++) {
          v.get(j)[i] = 0.9f * v.get(j)[i] - meanDelta.get(j)[i];
          w.get(j)[i] -= 0.05f * v.get(j)[i];
        }
      }
    }
    double maxDifference = 0;
    double maxChange = 0;
    List<Tensor> start = Nest.flatten(initial.trainable());
    for (int j = 0; j < w.size(); j++) {
      float[] c = computed.get(j).floatData();
      float[] s = start.get(j).floatData();
      for (int i = 0; i < c.length; i++) {
        maxDifference = Math.max(maxDifference, Math.abs(c[i] - w.get(j)[i]));
        maxChange = Math.max(maxChange, Math.abs(c[i] - s[i]));
      }
    }
    assertThat(maxChange).as("the rounds move the model").isGreaterThan(1e-4);
    assertThat(maxDifference).as("largest change %s", maxChange).isLessThan(1e-3 * maxChange);
  }

  private static ModelWeights weights(ModelWeights like, List<float[]> trainable) {
    List<Tensor> leaves = new ArrayList<>();
    List<Tensor> shapes = Nest.flatten(like.trainable());
    for (int j = 0; j < trainable.size(); j++) {
      leaves.add(Tensor.wrap(trainable.get(j).clone(), Shape.of(shapes.get(j).shape().dims())));
    }
    return new ModelWeights((Struct) Nest.pack(like.trainable(), leaves), like.nonTrainable());
  }
}
