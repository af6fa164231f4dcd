package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TutorialCommandTest {
  private CliRun last;

  private int run(String... args) {
    last = CliRun.of(args);
    return last.code();
  }

  @Test
  void tutorialWithoutANameListsTheTutorials() {
    assertThat(run("tutorial")).isZero();
    assertThat(last.out()).contains("image-classification", "building-your-own-algorithm",
        "composing-learning-algorithms", "custom-algorithm-with-optimizers", "custom-federated-algorithms-1",
        "custom-federated-algorithms-2", "working-with-client-data", "private-heavy-hitters", "custom-aggregators",
        "tuning-recommended-aggregators");
  }

  @Test
  void unknownTutorialExitsWithTwoAndListsTheNames() {
    assertThat(run("tutorial", "no-such-tutorial")).isEqualTo(2);
    assertThat(last.err().trim()).isEqualTo("cohort tutorial: error: unknown tutorial 'no-such-tutorial';"
        + " available: image-classification, building-your-own-algorithm, composing-learning-algorithms,"
        + " custom-algorithm-with-optimizers, custom-federated-algorithms-1, custom-federated-algorithms-2, working-with-client-data,"
        + " private-heavy-hitters, custom-aggregators, tuning-recommended-aggregators");
  }

  @Test
  void privateHeavyHittersReadsTheShakespeareDirectoryGivenWithData(@TempDir Path empty) {
    assertThat(run("tutorial", "private-heavy-hitters", "--data", empty.toString())).isEqualTo(2);
    assertThat(last.err()).startsWith("cohort tutorial: error: --data " + empty + ": expected"
        + " tinyshakespeare_input.txt in that directory");
    // The shared data beside the checkout: ../shared from the repository root, ../../shared from this module.
    Path shared = Path.of("..", "..", "shared", "data", "shakespeare");
    Prerequisites.require(Files.isDirectory(shared), "the shared data set shakespeare/ beside the checkout"
        + " (../shared/data/shakespeare from the repository root)", "a copy of the project's shared/ folder");
    assertThat(run("tutorial", "private-heavy-hitters", "--data", shared.toString())).isZero();
    assertThat(last.out()).contains("Number of clients participated: 10", "Discovered heavy hitters and counts:",
        "epsilon = 20, delta = 0.01, laplace scale = 0.4, threshold = 3.3965");
  }

  @Test
  void firstTutorialPrintsTffsOutputs() {
    assertThat(run("tutorial", "custom-federated-algorithms-1")).isZero();
    // tff.md §1.9: the outputs of TFF's custom_federated_algorithms_1 notebook.
    assertThat(last.out()).contains("'({float32}@CLIENTS -> float32@SERVER)'\n", "\n69.53334\n",
        "\n[1.5, 3.5, 2.5]\n", "\n69.53333\n", "\n26\n", "\n70.0\n");
  }

  @Test
  void dataDirectoryWithoutTheFilesIsAnErrorNamingThem(@TempDir Path empty) {
    assertThat(run("tutorial", "custom-federated-algorithms-2", "--data", empty.toString())).isEqualTo(2);
    assertThat(last.err()).contains("cohort tutorial: error: --data " + empty
        + ": expected t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz");
  }

  @Test
  void helpPrintsTheTutorialsUsage() {
    // It used to be "Unknown option: '--help'".
    assertThat(run("tutorial", "--help")).isZero();
    assertThat(last.out()).startsWith("Usage: cohort tutorial [-hV] [--verbose] [--data=DIR] [NAME]");
  }

  @Test
  void dataForATutorialThatReadsNoneIsAUsageError(@TempDir Path dir) {
    // It used to be ignored silently.
    assertThat(run("tutorial", "custom-federated-algorithms-1", "--data", dir.toString())).isEqualTo(2);
    assertThat(last.out()).isEmpty();
    assertThat(last.err()).isEqualTo("cohort tutorial: error: --data (" + dir + ") must not be given with "
        + "custom-federated-algorithms-1: that tutorial reads no data" + System.lineSeparator());
    assertThat(run("tutorial", "--data", dir.toString())).isEqualTo(2);
    assertThat(last.err()).contains("--data (" + dir + ") must not be given without a tutorial NAME");
  }

  @Test
  void unusableDataFilesExitWithOneNamingTheFile(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("t10k-images-idx3-ubyte.gz"), new byte[] {1, 2, 3});
    Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), new byte[] {1, 2, 3});
    assertThat(run("tutorial", "custom-federated-algorithms-2", "--data", dir.toString())).isEqualTo(1);
    assertThat(last.err()).startsWith("cohort tutorial: error: " + dir.resolve("t10k-images-idx3-ubyte.gz")
        + ": byte 3: truncated IDX header: the file holds 3 bytes, the header has 16").doesNotContain("bug");
  }

  @Test
  void secondTutorialRunsOnFashionMnist() {
    // The shared copy next to the checkout (CI has it), else Debian's dataset-fashion-mnist package.
    Path data = null;
    for (Path p : new Path[] {Path.of("..", "shared", "data", "fashion_mnist"),
        Path.of("..", "..", "shared", "data", "fashion_mnist"), Path.of("/usr/share/datasets/fashion-mnist")}) {
      if (Files.isRegularFile(p.resolve("t10k-images-idx3-ubyte.gz"))) {
        data = p;
        break;
      }
    }
    Prerequisites.require(data != null, "Fashion-MNIST's test split (t10k-images-idx3-ubyte.gz and "
        + "t10k-labels-idx1-ubyte.gz) in ../shared/data/fashion_mnist or /usr/share/datasets/fashion-mnist",
        "apt-get install dataset-fashion-mnist");
    assertThat(run("tutorial", "custom-federated-algorithms-2", "--data", data.toString())).isZero();
    // tff.md §1.10: the zero model's losses.
    assertThat(last.out()).contains("\n2.3025851\n", "initial_model loss = 23.025854\n",
        "initial_model loss = 23.025852\n", "round 4, loss=");
  }
}
