package dev.cohort.learning.algorithms;

import dev.cohort.core.Computation;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.templates.LearningProcess;
import dev.cohort.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a program that loads serialized learning processes does, run by {@link PortableProcessTest} in a second JVM:
 * it defines the local families (its own model's and schedule's, by running the code that builds them, and Cohort's),
 * and for every sub-directory of the directory given as the argument loads {@code initialize} and {@code next}, runs
 * one round ({@link FedKMeansTest#data} for the {@code kmeans} process, {@link FedAvgTest#clients} for the others)
 * and writes the bits of the round's result to {@code round.txt} there. It never builds a learning process: the
 * optimizers' hyper-parameters, the weighting, the proximal strength and the schedule's name come from the files.
 */
final class PortableProcessMain {
  private PortableProcessMain() {}

  public static void main(String[] args) throws IOException {
    LearningProcess.defineLocalFamilies(List.of(FedAvgTest.model()), PortableProcessTest.SCHEDULE);
    FedKMeans.defineLocalFamilies();
    List<Path> dirs;
    try (var list = Files.list(Path.of(args[0]))) {
      dirs = list.filter(Files::isDirectory).sorted().toList();
    }
    for (Path dir : dirs) {
      Computation initialize = Computation.load(dir.resolve("initialize.cohort"));
      Computation next = Computation.load(dir.resolve("next.cohort"));
      Object round = next.call(initialize.call(), PortableProcessTest.data(dir.getFileName().toString()));
      Files.writeString(dir.resolve("round.txt"), bits(round), StandardCharsets.UTF_8);
    }
    // A personalization computation's client family is bound to the strategies' Java code: build it, then load.
    PortableProcessTest.personalization();
    Path p13n = Path.of(args[0]).resolve("personalization.cohort");
    Object result = Computation.load(p13n).call(FedAvgTest.model().initialWeights().toValue(),
        PortableProcessTest.personalizationData());
    Files.writeString(Path.of(args[0]).resolve("personalization.txt"), bits(result), StandardCharsets.UTF_8);
  }

  /**
   * Every bit of a runtime value, as text: struct names, placements, dtypes, shapes, and float32 elements as the hex
   * of their IEEE-754 bits.
   */
  static String bits(Object value) {
    StringBuilder sb = new StringBuilder();
    bits(value, sb);
    return sb.toString();
  }

  private static void bits(Object value, StringBuilder sb) {
    if (value instanceof FederatedValue f) {
      sb.append(f.placement()).append('{');
      if (f.isAllEqual()) {
        bits(f.value(), sb);
      } else {
        for (int i = 0; i < f.size(); i++) {
          bits(f.member(i), sb);
          sb.append(';');
        }
      }
      sb.append('}');
    } else if (value instanceof Struct s) {
      sb.append('<');
      for (int i = 0; i < s.size(); i++) {
        sb.append(s.name(i)).append('=');
        bits(s.get(i), sb);
        sb.append(',');
      }
      sb.append('>');
    } else {
      Tensor t = (Tensor) value;
      sb.append(t.dtype()).append(t.shape()).append('[');
      if (t.dtype() == dev.cohort.tensor.DType.FLOAT32) {
        for (float v : t.floatData()) {
          sb.append(Integer.toHexString(Float.floatToRawIntBits(v))).append(' ');
        }
      } else {
        sb.append(t);
      }
      sb.append(']');
    }
  }
}
