package dev.cohort.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.datasets.LeafJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ComposingLearningAlgorithmsTest {
  private static final Pattern EVAL = Pattern.compile("(\\d+)/\\d+ - (\\d+) examples - loss: ([0-9.]+) - "
      + "sparse_categorical_accuracy: ([0-9.]+)");

  @Test
  void printsTffsStructuresAndOneRoundOfClippedFedAvgAsAHandWrittenLoopComputesIt() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new ComposingLearningAlgorithms().run(new PrintStream(bytes, true, StandardCharsets.UTF_8), null);
    List<String> lines = Arrays.stream(bytes.toString(StandardCharsets.UTF_8).split("\n"))
        .filter(l -> !l.startsWith("# ")).toList();
    // tff.md §1.7: state.client_work (), state.finalizer OrderedDict([('learning_rate', 1.0)]) before and after the
    // round, and the round's metrics, in Cohort's notation.
    assertThat(lines.get(0)).startsWith("'(<state=<global_model_weights=<trainable=<float32[784,10],float32[10]>,"
        + "non_trainable=<>>,distributor=<>,client_work=<>,aggregator=<value_sum_process=<>,weight_sum_process=<>>,"
        + "finalizer=<learning_rate=float32>>@SERVER,client_data={<float32[?,784],int32[?,1]>*}@CLIENTS> -> ");
    assertThat(lines.get(1)).isEqualTo("<>");
    assertThat(lines.get(2)).isEqualTo("<learning_rate=1.0>");
    assertThat(lines.get(4)).isEqualTo("<learning_rate=1.0>");
    assertThat(lines.get(5)).isEqualTo("<distributor=<>,client_work=<>,aggregator=<mean_value=<>,mean_weight=<>>,"
        + "finalizer=<update_non_finite=0>>");

    // The round by hand in float64: clip each batch gradient to norm 1, SGD 0.01, example-weighted mean of the
    // client models (server SGD at learning rate 1 on the mean of initial − trained).
    ClientData.Split femnist = LeafJson.femnist(FemnistSample.locate("test", null));
    Float64Softmax.Examples test = Float64Softmax.Examples.digitsOf(femnist.test().datasetFromAllClients());
    Float64Softmax initial = Float64Softmax.of(BuildingYourOwnAlgorithm.model().initialWeights());
    List<Float64Softmax> clipped = new ArrayList<>();
    List<Float64Softmax> unclipped = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    int clippedBatches = 0;
    for (String id : femnist.train().clientIds().subList(0, 10)) {
      Float64Softmax.Examples data = Float64Softmax.Examples.digitsOf(femnist.train().dataset(id));
      Float64Softmax c = initial.copy();
      clippedBatches += c.train(data, 0.01, 1.0);
      clipped.add(c);
      Float64Softmax u = initial.copy();
      u.train(data, 0.01, Double.POSITIVE_INFINITY);
      unclipped.add(u);
      weights.add((double) data.size());
    }
    assertThat(clippedBatches).as("batches whose gradient norm exceeds 1").isPositive();
    double[] before = initial.evaluate(test);
    double[] after = Float64Softmax.mean(clipped, weights).evaluate(test);
    double[] withoutClipping = Float64Softmax.mean(unclipped, weights).evaluate(test);

    List<double[]> printed = new ArrayList<>();
    for (String line : lines) {
      Matcher m = EVAL.matcher(line);
      if (m.matches()) {
        assertThat(Integer.parseInt(m.group(2))).isEqualTo(test.size());
        printed.add(new double[] {Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))});
      }
    }
    assertThat(printed).hasSize(2);
    assertThat(printed.get(0)[0]).isCloseTo(before[0], within(2e-4));
    assertThat(printed.get(0)[1]).isCloseTo(before[1], within(1.5e-4 + 1.0 / test.size()));
    assertThat(printed.get(1)[0]).isCloseTo(after[0], within(2e-4));
    assertThat(printed.get(1)[1]).isCloseTo(after[1], within(1.5e-4 + 1.0 / test.size()));
    // the clipping matters: without it the round ends elsewhere
    assertThat(Math.abs(withoutClipping[0] - after[0])).isGreaterThan(1e-2);
  }
}
