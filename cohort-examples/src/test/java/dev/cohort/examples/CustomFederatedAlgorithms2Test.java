package dev.cohort.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.cohort.core.values.Struct;
import dev.cohort.privacy.Numbers;
import dev.cohort.tensor.Shape;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CustomFederatedAlgorithms2Test {

  /** The Fashion-MNIST test split: the shared copy next to the checkout (CI has it), else Debian's package. */
  static Path data() {
    for (Path p : new Path[] {Path.of("..", "shared", "data", "fashion_mnist"),
        Path.of("..", "..", "shared", "data", "fashion_mnist"), FashionMnist.DEBIAN}) {
      if (Files.isRegularFile(p.resolve(FashionMnist.IMAGES))) {
        return p;
      }
    }
    return null;
  }

  @Test
  void printsTffsTypesAndTheZeroModelsLossesAndTrainingLowersTheLoss() {
    Path data = data();
    Prerequisites.require(data != null, "the Fashion-MNIST test split (" + FashionMnist.IMAGES + ", "
        + FashionMnist.LABELS + ") in ../shared/data/fashion_mnist or " + FashionMnist.DEBIAN,
        "apt-get install dataset-fashion-mnist");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new CustomFederatedAlgorithms2().run(new PrintStream(bytes, true, StandardCharsets.UTF_8), data);
    List<String> lines = Arrays.stream(bytes.toString(StandardCharsets.UTF_8).split("\n"))
        .filter(l -> !l.startsWith("# ")).toList();
    // tff.md §1.10: types and the zero model's values are the notebook's; the data set differs (Fashion-MNIST).
    assertThat(lines).contains(
        "'<x=float32[?,784],y=int32[?]>'",
        "<weights=float32[784,10],bias=float32[10]>",
        "'(<model=<weights=float32[784,10],bias=float32[10]>,batch=<x=float32[?,784],y=int32[?]>> -> float32)'",
        "'(<initial_model=<weights=float32[784,10],bias=float32[10]>,batch=<x=float32[?,784],y=int32[?]>,"
            + "learning_rate=float32> -> <weights=float32[784,10],bias=float32[10]>)'",
        "'(<initial_model=<weights=float32[784,10],bias=float32[10]>,learning_rate=float32,"
            + "all_batches=<x=float32[?,784],y=int32[?]>*> -> <weights=float32[784,10],bias=float32[10]>)'",
        "'(<model=<weights=float32[784,10],bias=float32[10]>,all_batches=<x=float32[?,784],y=int32[?]>*> -> float32)'",
        "2.3025851",
        "initial_model loss = 23.025852");
    assertThat(lines.stream().filter(l -> l.equals("initial_model loss = 23.025854")).count()).isEqualTo(2);
    // 1,000 examples per class, 10 batches of 100: client 5's last batch is 100 labels 5, printed as NumPy does.
    assertThat(lines.get(1)).isEqualTo("array([5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,");
    List<Double> rounds = new ArrayList<>();
    for (String l : lines) {
      if (l.startsWith("round ")) {
        rounds.add(Double.parseDouble(l.substring(l.indexOf("loss=") + 5)));
      }
    }
    assertThat(rounds).hasSize(5);
    // FedAvg from the zero model lowers the mean client loss every round, as in TFF's run (21.6 -> 17.5).
    assertThat(rounds.get(0)).isLessThan(23.025852);
    for (int i = 1; i < rounds.size(); i++) {
      assertThat(rounds.get(i)).isLessThan(rounds.get(i - 1));
    }
  }

  @Test
  void batchTrainStepsAlongTheFiniteDifferenceGradientOfBatchLoss() {
    // A tiny batch (3 examples) and a random model, so the softmax is far from uniform.
    java.util.Random random = new java.util.Random(7);
    float[] x = new float[3 * 784];
    for (int i = 0; i < x.length; i++) {
      x[i] = random.nextFloat();
    }
    float[] weights = new float[784 * 10];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (float) (random.nextGaussian() * 0.01);
    }
    float[] bias = new float[10];
    for (int i = 0; i < bias.length; i++) {
      bias[i] = (float) (random.nextGaussian() * 0.5);
    }
    Struct batch = Struct.named("x", Tensor.wrap(x, Shape.of(3, 784)), "y", Tensor.ofInts(new int[] {3, 7, 3}, 3));
    float learningRate = 0.5f;
    Struct stepped = CustomFederatedAlgorithms2.trainOnBatch(model(weights, bias), batch, learningRate);
    float[] newWeights = ((Tensor) stepped.get("weights")).floatData();
    float[] newBias = ((Tensor) stepped.get("bias")).floatData();
    // The step is w - lr * g; its g must be d(batch_loss)/dw by central differences, for the bias and 1 weight in 37.
    float h = 1e-2f;
    int checked = 0;
    for (int i = 0; i < bias.length; i++) {
      float[] plus = bias.clone();
      float[] minus = bias.clone();
      plus[i] += h;
      minus[i] -= h;
      double numeric = (loss(model(weights, plus), batch) - loss(model(weights, minus), batch)) / (2.0 * h);
      assertThat((bias[i] - newBias[i]) / (double) learningRate).as("bias %d", i).isCloseTo(numeric,
          within(1e-3 + 1e-2 * Math.abs(numeric)));
      checked++;
    }
    for (int i = 0; i < weights.length; i += 37) {
      float[] plus = weights.clone();
      float[] minus = weights.clone();
      plus[i] += h;
      minus[i] -= h;
      double numeric = (loss(model(plus, bias), batch) - loss(model(minus, bias), batch)) / (2.0 * h);
      assertThat((weights[i] - newWeights[i]) / (double) learningRate).as("weight %d", i).isCloseTo(numeric,
          within(1e-3 + 1e-2 * Math.abs(numeric)));
      checked++;
    }
    assertThat(checked).isEqualTo(10 + 212);
  }

  private static Struct model(float[] weights, float[] bias) {
    return Struct.named("weights", Tensor.wrap(weights, Shape.of(784, 10)), "bias", Tensor.wrap(bias, Shape.of(10)));
  }

  private static double loss(Struct model, Struct batch) {
    return CustomFederatedAlgorithms2.forwardPass(model, batch).floatValue();
  }

  @Test
  void missingDataIsAnErrorSayingHowToGetIt(@TempDir Path empty) {
    assertThatThrownBy(() -> FashionMnist.locate(empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--data " + empty + ": expected t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz"
            + " (gzip IDX files) in that directory");
  }

  @Test
  void corruptIdxFilesAreNamed(@TempDir Path dir) throws Exception {
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(dir.resolve(FashionMnist.IMAGES)))) {
      out.write(new byte[] {0, 0, 8, 1, 0, 0, 0, 1});
    }
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(dir.resolve(FashionMnist.LABELS)))) {
      out.write(new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 3});
    }
    assertThatThrownBy(() -> FashionMnist.read(dir))
        .isInstanceOf(DataFileException.class)
        .hasMessage(dir.resolve(FashionMnist.IMAGES) + ": decompressed byte 0: magic number 0x801, expected 0x803 (IDX images)");
  }

  @Test
  void aDigitWithoutExamplesIsAnErrorNamingTheLabelsFileNotAnIndexOutOfBounds(@TempDir Path dir) throws Exception {
    // 100 examples, every label 0: clients 1..9 (the tutorial's clients are the digits) would have no data.
    Files.write(dir.resolve(FashionMnist.IMAGES), IdxBytes.gzip(IdxBytes.images(100, 28, 28,
        new byte[100 * 784])));
    Path labels = Files.write(dir.resolve(FashionMnist.LABELS), IdxBytes.gzip(IdxBytes.labels(100,
        new byte[100])));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThatThrownBy(() -> new CustomFederatedAlgorithms2().run(new PrintStream(out, true, StandardCharsets.UTF_8),
        dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(labels + ": no examples of digits 1, 2, 3, 4, 5, 6, 7, 8, 9 among its 100 labels; the tutorial's"
            + " clients are the ten digits (client d trains on the examples labelled d), so each needs at least one"
            + " (examples per digit: [100, 0, 0, 0, 0, 0, 0, 0, 0, 0])");
    byte[] oneMissing = new byte[100];
    for (int i = 0; i < 100; i++) {
      oneMissing[i] = (byte) (i % 10 == 5 ? 4 : i % 10);
    }
    Files.write(labels, IdxBytes.gzip(IdxBytes.labels(100, oneMissing)));
    assertThatThrownBy(() -> CustomFederatedAlgorithms2.federatedTrainData(FashionMnist.read(dir)))
        .hasMessageStartingWith(labels + ": no examples of digit 5 among its 100 labels;");
    oneMissing[7] = 10;
    Files.write(labels, IdxBytes.gzip(IdxBytes.labels(100, oneMissing)));
    assertThatThrownBy(() -> CustomFederatedAlgorithms2.federatedTrainData(FashionMnist.read(dir)))
        .hasMessage(labels + ": example 7 has label 10; the tutorial's clients are the ten digits, labels 0..9");
  }

  @Test
  void imagesThatAreNot28By28AreNamed(@TempDir Path dir) throws Exception {
    Path images = Files.write(dir.resolve(FashionMnist.IMAGES), IdxBytes.gzip(IdxBytes.images(10, 2, 2,
        new byte[40])));
    Files.write(dir.resolve(FashionMnist.LABELS), IdxBytes.gzip(IdxBytes.labels(10,
        new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})));
    assertThatThrownBy(() -> CustomFederatedAlgorithms2.federatedTrainData(FashionMnist.read(dir)))
        .hasMessage(images + ": images of 2x2 pixels; the tutorial's model takes 28x28 (784 inputs)");
  }

  @Test
  void pythonAndNumpyNumberFormats() {
    assertThat(Numbers.float32(69.53334f)).isEqualTo("69.53334");
    assertThat(Numbers.float32(70f)).isEqualTo("70.0");
    assertThat(Numbers.float32(0.101132266f)).isEqualTo("0.101132266");
    assertThat(Numbers.float64((double) 21.605524f)).isEqualTo("21.60552406311035");
    assertThat(Numbers.float32(1e-5f)).isEqualTo("1e-05");
    assertThat(NumpyFormat.intArray(new int[] {3, 3, 3, 3, 3}, "int32")).isEqualTo("array([3, 3, 3, 3, 3], dtype=int32)");
  }
}
