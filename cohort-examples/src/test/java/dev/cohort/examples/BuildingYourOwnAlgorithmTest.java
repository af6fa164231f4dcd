package dev.cohort.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.datasets.LeafJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildingYourOwnAlgorithmTest {
  @Test
  void printsTffsTypesAndEvaluatesWhatAHandWrittenFedAvgLoopComputes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new BuildingYourOwnAlgorithm().run(new PrintStream(bytes, true, StandardCharsets.UTF_8), null);
    List<String> lines = Arrays.stream(bytes.toString(StandardCharsets.UTF_8).split("\n"))
        .filter(l -> !l.startsWith("# ")).toList();
    // tff.md §1.6, verbatim.
    assertThat(lines.subList(0, 4)).containsExactly("'<float32[?,784],int32[?,1]>*'",
        "'<trainable=<float32[784,10],float32[10]>,non_trainable=<>>'",
        "'( -> <trainable=<float32[784,10],float32[10]>,non_trainable=<>>@SERVER)'",
        "'(<server_weights=<trainable=<float32[784,10],float32[10]>,non_trainable=<>>@SERVER,federated_dataset="
            + "{<float32[?,784],int32[?,1]>*}@CLIENTS> -> <trainable=<float32[784,10],float32[10]>,non_trainable=<>>"
            + "@SERVER)'");

    // The same algorithm by hand, in float64: 10 writers in id order, batches of 20, SGD 0.01, unweighted mean.
    ClientData.Split femnist = LeafJson.femnist(FemnistSample.locate("test", null));
    List<Float64Softmax.Examples> clients = new ArrayList<>();
    for (String id : femnist.train().clientIds().subList(0, 10)) {
      clients.add(Float64Softmax.Examples.digitsOf(femnist.train().dataset(id)));
    }
    Float64Softmax.Examples test = Float64Softmax.Examples.digitsOf(femnist.test().datasetFromAllClients());
    Float64Softmax model = Float64Softmax.of(BuildingYourOwnAlgorithm.model().initialWeights());
    double[] before = model.evaluate(test);
    for (int round = 0; round < 15; round++) {
      List<Float64Softmax> trained = new ArrayList<>();
      for (Float64Softmax.Examples c : clients) {
        Float64Softmax local = model.copy();
        local.train(c, 0.01, Double.POSITIVE_INFINITY);
        trained.add(local);
      }
      model = Float64Softmax.mean(trained, Collections.nCopies(trained.size(), 1.0));
    }
    double[] after = model.evaluate(test);

    Pattern eval = Pattern.compile("(\\d+)/(\\d+) - (\\d+) examples - loss: ([0-9.]+) - "
        + "sparse_categorical_accuracy: ([0-9.]+)");
    List<double[]> printed = new ArrayList<>();
    for (String line : lines) {
      Matcher m = eval.matcher(line);
      if (m.matches()) {
        int n = test.size();
        assertThat(Integer.parseInt(m.group(1))).isEqualTo((n + 19) / 20);
        assertThat(Integer.parseInt(m.group(3))).isEqualTo(n);
        printed.add(new double[] {Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5))});
      }
    }
    assertThat(printed).hasSize(2);
    for (int i = 0; i < 2; i++) {
      double[] expected = i == 0 ? before : after;
      assertThat(printed.get(i)[0]).as("loss %d", i).isCloseTo(expected[0], within(2e-4));
      assertThat(printed.get(i)[1]).as("accuracy %d", i).isCloseTo(expected[1], within(1.5e-4 + 1.0 / test.size()));
    }
    assertThat(after[0]).isLessThan(before[0]);
  }

  @Test
  void missingDataIsReportedWithWhereItWasLookedFor(@TempDir Path empty) {
    assertThatThrownBy(() -> new BuildingYourOwnAlgorithm().run(new PrintStream(new ByteArrayOutputStream()), empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("building-your-own-algorithm needs the FEMNIST LEAF data: directories train/ and test/")
        .hasMessageContaining(empty.toAbsolutePath().normalize().toString());
  }
}
