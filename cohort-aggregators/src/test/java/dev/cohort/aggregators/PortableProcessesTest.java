package dev.cohort.aggregators;

import static dev.cohort.core.types.TensorType.FLOAT32;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.Computation;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import dev.cohort.testing.SecondJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processes serialized here load in a second JVM that never builds them and only defines the module's local families
 * ({@link AggregationProcess#defineLocalFamilies}); three rounds there give the same bits as here: robust(dp(mean))
 * (adaptive zeroing around {@code gaussianAdaptive}), {@code treeAggregation} (efficient), {@code treeAdaptive} with a
 * restart inside the three rounds, the discrete Fourier rotation around a mean, reservoir sampling, TFF's compression
 * and secure aggregators, distributed DP's rotate-discretize-wrap pipeline and the debug measurements: every family of
 * the module.
 */
class PortableProcessesTest {
  private static final int ROUNDS = 3;

  private static Map<String, AggregationProcess> processes() {
    TensorType vector = TensorType.of(DType.FLOAT32, 3);
    return Map.of(
        "robust_dp", Recommended.dp(1.0, 100, true, 11L).create(vector),
        "tree", DifferentiallyPrivateFactory.treeAggregation(0.8, 4, 1.0, 8, true, 12L).create(vector),
        "tree_adaptive", DifferentiallyPrivateFactory.treeAdaptive(0.5, 4, 0.1, 1, 2, 0.5, 0.2, 1.0, 13L)
            .create(vector),
        "dft", new DiscreteFourierTransformFactory(new UnweightedMeanFactory(), 2, 14L).create(vector),
        "reservoir", new UnweightedReservoirSamplingFactory(2, 15L).create(vector),
        "compression", Recommended.compression(true, true, 16L).create(vector, FLOAT32),
        "secure", Recommended.secure(true, true).create(vector, FLOAT32),
        "distributed", new HadamardTransformFactory(Concat.concatFactory(DiscretizationFactory.stochastic(
            new ModularClippingSumFactory(-1000, 1000, new SumFactory(), true), 0.01, 17L)), 2, 18L).create(vector),
        "debug", DebugMeasurements.add(new UnweightedMeanFactory()).create(vector));
  }

  @Test
  void aSecondJvmLoadsTheProcessesAndRunsThemToTheSameBits(@TempDir Path dir) throws Exception {
    StringBuilder here = new StringBuilder();
    for (Map.Entry<String, AggregationProcess> e : processes().entrySet()) {
      AggregationProcess p = e.getValue();
      p.initialize().save(dir.resolve(e.getKey() + ".initialize.cohort"));
      p.next().save(dir.resolve(e.getKey() + ".next.cohort"));
    }
    SecondJvm.run(Child.class, dir.resolve("child.log"), dir.toString());
    for (Map.Entry<String, AggregationProcess> e : processes().entrySet()) {
      String there = Files.readString(dir.resolve(e.getKey() + ".rounds.txt"), StandardCharsets.UTF_8);
      assertThat(there).as(e.getKey()).isEqualTo(rounds(e.getValue().initialize(), e.getValue().next()))
          .contains("result");
    }
  }

  /** What the second JVM runs: defines the families, loads each process, runs it and writes the bits. */
  static final class Child {
    private Child() {}

    public static void main(String[] args) throws IOException {
      Path dir = Path.of(args[0]);
      AggregationProcess.defineLocalFamilies();
      for (String name : List.of("robust_dp", "tree", "tree_adaptive", "dft", "reservoir", "compression", "secure",
          "distributed", "debug")) {
        String bits = rounds(Computation.load(dir.resolve(name + ".initialize.cohort")),
            Computation.load(dir.resolve(name + ".next.cohort")));
        Files.writeString(dir.resolve(name + ".rounds.txt"), bits, StandardCharsets.UTF_8);
      }
    }
  }

  /** The bits of the results, measurements and states of {@link #ROUNDS} rounds over four fixed clients. */
  static String rounds(Computation initialize, Computation next) {
    Object state = initialize.call();
    StringBuilder sb = new StringBuilder();
    for (int r = 0; r < ROUNDS; r++) {
      List<Tensor> clients = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        clients.add(Tensor.of(new float[] {0.1f * (c + 1), -0.3f * r, 2f * c - 3f}, 3));
      }
      boolean weighted = ((StructType) next.typeSignature().parameter()).size() == 3;
      Struct out = (Struct) (weighted ? next.call(state, clients, List.of(1f, 2f, 1f, 3f))
          : next.call(state, clients));
      state = out.get("state");
      for (String part : List.of("result", "measurements", "state")) {
        sb.append(part).append(':');
        for (Tensor t : Processes.tensors(((FederatedValue) out.get(part)).value())) {
          sb.append(t.dtype()).append(t.shape());
          if (t.dtype() == DType.FLOAT32) {
            for (float x : t.floatData()) {
              sb.append(' ').append(Integer.toHexString(Float.floatToRawIntBits(x)));
            }
          } else {
            sb.append(' ').append(t);
          }
          sb.append(';');
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }
}
