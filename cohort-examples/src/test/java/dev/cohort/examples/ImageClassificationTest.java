package dev.cohort.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.datasets.LeafJson;
import dev.cohort.tensor.Tensor;
import dev.cohort.testing.Prerequisites;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageClassificationTest {
  /** The FEMNIST LEAF sample next to the checkout, seen from the repository root or from this module. */
  static Path data() {
    for (Path p : new Path[] {Path.of("..", "shared", "data", "femnist_leaf"),
        Path.of("..", "..", "shared", "data", "femnist_leaf")}) {
      if (Files.isDirectory(p.resolve("train"))) {
        return p;
      }
    }
    return null;
  }

  /** {examples, batches} of the first 10 writers' digits, repeated 5 times and batched by 20, counted directly. */
  private static long[] counts(ClientData split) {
    long examples = 0;
    long batches = 0;
    for (String id : split.clientIds().subList(0, 10)) {
      long digits = 0;
      for (Object e : split.dataset(id)) {
        digits += ((Tensor) ((Struct) e).get("label")).intValue() < 10 ? 1 : 0;
      }
      examples += 5 * digits;
      batches += (5 * digits + 19) / 20;
    }
    return new long[] {examples, batches};
  }

  @Test
  void trainsTenRoundsWithFallingLossAndEvaluatesOnTrainAndTestWithCountsFromTheData() {
    Path data = data();
    Prerequisites.require(data != null, "the FEMNIST LEAF sample in ../shared/data/femnist_leaf",
        "stage the LEAF FEMNIST sample (train/ and test/ *.json.gz) there");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new ImageClassification().run(new PrintStream(bytes, true, StandardCharsets.UTF_8), data);
    List<String> lines = Arrays.stream(bytes.toString(StandardCharsets.UTF_8).split("\n"))
        .filter(l -> !l.startsWith("# ")).toList();
    ClientData.Split femnist = LeafJson.femnist(data);
    long[] train = counts(femnist.train());
    long[] test = counts(femnist.test());

    assertThat(lines.get(0)).isEqualTo(String.valueOf(femnist.train().size()));
    assertThat(lines).contains("<label=int32,pixels=float32[28,28]>", "Number of client datasets: 10",
        "First dataset: <x=float32[?,784],y=int32[?,1]>*",
        // tff.md §1.1 (with today's build_sgdm(1.0) finalizer, §1.13)
        "( -> <global_model_weights=<trainable=<float32[784,10],float32[10]>,non_trainable=<>>,distributor=<>,"
            + "client_work=<>,aggregator=<value_sum_process=<>,weight_sum_process=<>>,"
            + "finalizer=<learning_rate=float32>>@SERVER)");
    assertThat(lines).anyMatch(l -> l.startsWith("(<state=<global_model_weights=<trainable=<float32[784,10],"
        + "float32[10]>,non_trainable=<>>") && l.contains(",client_data={<x=float32[?,784],y=int32[?,1]>*}@CLIENTS>"
        + " -> <state=") && l.contains("metrics=<distributor=<>,client_work=<train=<sparse_categorical_accuracy="
        + "float32,loss=float32,num_examples=int64,num_batches=int64>"));

    Pattern round = Pattern.compile("round +(\\d+), metrics=<distributor=<>,client_work=<train=<"
        + "sparse_categorical_accuracy=([0-9.]+),loss=([0-9.]+),num_examples=(\\d+),num_batches=(\\d+)>,"
        + "num_non_finite_clients=0>,aggregator=<mean_value=<>,mean_weight=<>>,finalizer=<update_non_finite=0>>");
    List<Float> losses = new ArrayList<>();
    for (String line : lines) {
      Matcher m = round.matcher(line);
      if (m.matches()) {
        assertThat(Integer.parseInt(m.group(1))).isEqualTo(losses.size() + 1);
        losses.add(Float.parseFloat(m.group(3)));
        assertThat(Long.parseLong(m.group(4))).isEqualTo(train[0]);
        assertThat(Long.parseLong(m.group(5))).isEqualTo(train[1]);
      }
    }
    assertThat(losses).hasSize(10);
    for (int i = 1; i < losses.size(); i++) {
      assertThat(losses.get(i)).as("round %d after %s", i + 1, losses).isLessThan(losses.get(i - 1));
    }
    List<String> evals = lines.stream().filter(l -> l.startsWith("eval metrics=")).toList();
    assertThat(evals).hasSize(2);
    assertThat(evals.get(0)).endsWith(",num_examples=" + train[0] + ",num_batches=" + train[1] + ">");
    assertThat(evals.get(1)).endsWith(",num_examples=" + test[0] + ",num_batches=" + test[1] + ">");
    // the trained model is better than chance (10 classes) on both
    for (String e : evals) {
      float accuracy = Float.parseFloat(e.replaceAll(".*sparse_categorical_accuracy=([0-9.]+),.*", "$1"));
      assertThat(accuracy).isGreaterThan(0.2f);
    }
  }

  @Test
  void missingDataIsReportedWithWhereItWasLookedFor(@TempDir Path empty) {
    assertThatThrownBy(() -> new ImageClassification().run(new PrintStream(new ByteArrayOutputStream()), empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("image-classification needs the FEMNIST LEAF data: directories train/ and test/")
        .hasMessageContaining(empty.toAbsolutePath().normalize().toString());
  }
}
