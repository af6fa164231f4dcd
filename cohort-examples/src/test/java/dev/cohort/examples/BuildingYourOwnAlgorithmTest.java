package dev.cohort.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cohort.core.values.Struct;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.datasets.LeafJson;
import dev.cohort.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildingYourOwnAlgorithmTest {
  /** One client's digits: flattened pixels and labels, in the data's order. */
  record Examples(List<float[]> x, List<Integer> y) {
    static Examples digitsOf(Iterable<Object> dataset) {
      List<float[]> x = new ArrayList<>();
      List<Integer> y = new ArrayList<>();
      for (Object e : dataset) {
        int label = ((Tensor) ((Struct) e).get("label")).intValue();
        if (label < 10) {
          x.add(((Tensor) ((Struct) e).get("pixels")).floatData());
          y.add(label);
        }
      }
      return new Examples(x, y);
    }
  }

  /** Softmax regression in float64: {@code w} is [784][10], {@code b} [10]. */
  static double[] probabilities(double[][] w, double[] b, float[] x) {
    double[] z = b.clone();
    for (int i = 0; i < 784; i++) {
      if (x[i] != 0) {
        for (int k = 0; k < 10; k++) {
          z[k] += x[i] * w[i][k];
        }
      }
    }
    double max = Arrays.stream(z).max().orElseThrow();
    double sum = 0;
    for (int k = 0; k < 10; k++) {
      z[k] = Math.exp(z[k] - max);
      sum += z[k];
    }
    for (int k = 0; k < 10; k++) {
      z[k] /= sum;
    }
    return z;
  }

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
    List<Examples> clients = new ArrayList<>();
    for (String id : femnist.train().clientIds().subList(0, 10)) {
      clients.add(Examples.digitsOf(femnist.train().dataset(id)));
    }
    Examples test = Examples.digitsOf(femnist.test().datasetFromAllClients());
    ModelWeights initial = BuildingYourOwnAlgorithm.model().initialWeights();
    float[] kernel = ((Tensor) initial.trainable().get(0)).floatData();
    double[][] w = new double[784][10];
    for (int i = 0; i < 784; i++) {
      for (int k = 0; k < 10; k++) {
        w[i][k] = kernel[i * 10 + k];
      }
    }
    double[] b = new double[10];
    double[] before = evaluate(w, b, test);
    for (int round = 0; round < 15; round++) {
      double[][] sumW = new double[784][10];
      double[] sumB = new double[10];
      for (Examples c : clients) {
        double[][] cw = new double[784][];
        for (int i = 0; i < 784; i++) {
          cw[i] = w[i].clone();
        }
        double[] cb = b.clone();
        for (int start = 0; start < c.y().size(); start += 20) {
          int end = Math.min(start + 20, c.y().size());
          double[][] gw = new double[784][10];
          double[] gb = new double[10];
          for (int e = start; e < end; e++) {
            double[] p = probabilities(cw, cb, c.x().get(e));
            p[c.y().get(e)] -= 1;
            float[] x = c.x().get(e);
            for (int k = 0; k < 10; k++) {
              gb[k] += p[k] / (end - start);
              for (int i = 0; i < 784; i++) {
                gw[i][k] += x[i] * p[k] / (end - start);
              }
            }
          }
          for (int k = 0; k < 10; k++) {
            cb[k] -= 0.01 * gb[k];
            for (int i = 0; i < 784; i++) {
              cw[i][k] -= 0.01 * gw[i][k];
            }
          }
        }
        for (int k = 0; k < 10; k++) {
          sumB[k] += cb[k];
          for (int i = 0; i < 784; i++) {
            sumW[i][k] += cw[i][k];
          }
        }
      }
      for (int k = 0; k < 10; k++) {
        b[k] = sumB[k] / clients.size();
        for (int i = 0; i < 784; i++) {
          w[i][k] = sumW[i][k] / clients.size();
        }
      }
    }
    double[] after = evaluate(w, b, test);

    Pattern eval = Pattern.compile("(\\d+)/(\\d+) - (\\d+) examples - loss: ([0-9.]+) - "
        + "sparse_categorical_accuracy: ([0-9.]+)");
    List<double[]> printed = new ArrayList<>();
    for (String line : lines) {
      Matcher m = eval.matcher(line);
      if (m.matches()) {
        int n = test.y().size();
        assertThat(Integer.parseInt(m.group(1))).isEqualTo((n + 19) / 20);
        assertThat(Integer.parseInt(m.group(3))).isEqualTo(n);
        printed.add(new double[] {Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5))});
      }
    }
    assertThat(printed).hasSize(2);
    for (int i = 0; i < 2; i++) {
      double[] expected = i == 0 ? before : after;
      assertThat(printed.get(i)[0]).as("loss %d", i).isCloseTo(expected[0], within(2e-4));
      assertThat(printed.get(i)[1]).as("accuracy %d", i).isCloseTo(expected[1], within(1.5e-4 + 1.0 / test.y().size()));
    }
    assertThat(after[0]).isLessThan(before[0]);
  }

  /** {mean cross-entropy, accuracy} over {@code test}. */
  private static double[] evaluate(double[][] w, double[] b, Examples test) {
    double loss = 0;
    int correct = 0;
    for (int e = 0; e < test.y().size(); e++) {
      double[] p = probabilities(w, b, test.x().get(e));
      int label = test.y().get(e);
      loss -= Math.log(p[label]);
      int best = 0;
      for (int k = 1; k < 10; k++) {
        best = p[k] > p[best] ? k : best;
      }
      correct += best == label ? 1 : 0;
    }
    return new double[] {loss / test.y().size(), (double) correct / test.y().size()};
  }

  @Test
  void missingDataIsReportedWithWhereItWasLookedFor(@TempDir Path empty) {
    assertThatThrownBy(() -> new BuildingYourOwnAlgorithm().run(new PrintStream(new ByteArrayOutputStream()), empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("building-your-own-algorithm needs the FEMNIST LEAF data: directories train/ and test/")
        .hasMessageContaining(empty.toAbsolutePath().normalize().toString());
  }
}
