package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.simulation.proto.Example;
import dev.cohort.simulation.proto.Feature;
import dev.cohort.simulation.proto.Features;
import dev.cohort.simulation.proto.FloatList;
import dev.cohort.simulation.proto.Int64List;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end runs of {@code cohort train}, {@code evaluate} and {@code data inspect} on every task, each on small
 * files written here in the task's format (learnable: the label follows from the input), and their errors.
 */
class TasksTest {
  private static final String NL = System.lineSeparator();

  @TempDir
  Path tmp;

  // ---- data the tests write ----

  /** IDX files of {@code n} 28x28 images per split: label {@code i % 10}, its row band bright, plus noise. */
  static Path idx(Path dir, int trainN, int testN) throws IOException {
    Files.createDirectories(dir);
    RandomStream random = RandomStream.of(3);
    for (String split : List.of("train", "t10k")) {
      int n = split.equals("train") ? trainN : testN;
      byte[] pixels = new byte[n * 784];
      byte[] labels = new byte[n];
      float[] noise = random.uniform(Shape.of(n * 784), 0f, 60f).floatData();
      for (int i = 0; i < n; i++) {
        int label = (i * 7 + (split.equals("t10k") ? 3 : 0)) % 10;
        labels[i] = (byte) label;
        for (int p = 0; p < 784; p++) {
          int band = (p / 28) / 3;
          pixels[i * 784 + p] = (byte) (band == label ? 200 + (int) noise[i * 784 + p] / 2 : (int) noise[i * 784 + p]);
        }
      }
      ByteArrayOutputStream images = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(images)) {
        out.writeInt(0x803);
        out.writeInt(n);
        out.writeInt(28);
        out.writeInt(28);
        out.write(pixels);
      }
      ByteArrayOutputStream labelFile = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(labelFile)) {
        out.writeInt(0x801);
        out.writeInt(n);
        out.write(labels);
      }
      // The train split gzip-compressed, the test split plain: both are read.
      if (split.equals("train")) {
        gzip(dir.resolve("train-images-idx3-ubyte.gz"), images.toByteArray());
        gzip(dir.resolve("train-labels-idx1-ubyte.gz"), labelFile.toByteArray());
      } else {
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), images.toByteArray());
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), labelFile.toByteArray());
      }
    }
    return dir;
  }

  private static void gzip(Path file, byte[] content) throws IOException {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(content);
    }
  }

  /** Six speakers, each with turns repeating one phrase: the next character follows from the ten before it. */
  static Path speakers(Path file) throws IOException {
    StringBuilder sb = new StringBuilder();
    String[] phrases = {"to be or not to be ", "all the world is a stage ", "now is the winter "};
    for (int s = 0; s < 6; s++) {
      for (int turn = 0; turn < 3; turn++) {
        sb.append("SPEAKER ").append((char) ('A' + s)).append(":\n");
        sb.append(phrases[(s + turn) % 3].repeat(4).trim()).append("\n\n");
      }
    }
    return Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
  }

  /** Twelve users with six questions each: ale words tagged ale (and beer), brewing words tagged brewing. */
  static Path posts(Path file) throws IOException {
    StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<posts>\n");
    int id = 1;
    for (int u = 0; u < 12; u++) {
      for (int p = 0; p < 6; p++) {
        boolean ale = (u + p) % 2 == 0;
        sb.append(String.format(Locale.ROOT, "  <row Id=\"%d\" PostTypeId=\"1\" CreationDate=\"2014-01-21T20:26:05"
            + ".383\" Score=\"1\" OwnerUserId=\"%d\" Title=\"%s\" Body=\"&lt;p&gt;%s&lt;/p&gt;\" Tags=\"%s\" />%n",
            id++, 100 + u, ale ? "hoppy ipa" : "mash temperature", ale ? "bitter hops aroma" : "grain yeast boil",
            ale ? "&lt;ale&gt;&lt;beer&gt;" : "&lt;brewing&gt;"));
      }
    }
    return Files.writeString(file, sb.append("</posts>\n").toString(), StandardCharsets.UTF_8);
  }

  /** Twenty users rating ten items each: item k is rated k % 3 by everyone. */
  static Path ratings(Path file) throws IOException {
    StringBuilder sb = new StringBuilder("userID,placeID,rating\n");
    for (int u = 0; u < 20; u++) {
      for (int item = 0; item < 10; item++) {
        sb.append("U").append(u).append(",P").append(item).append(',').append(item % 3).append('\n');
      }
    }
    return Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
  }

  /** TFF's SQLite layout with four writers of 8 train and 3 test images (a band per label, as {@link #idx}). */
  static Path femnistSqlite(Path file) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE examples (split_name TEXT NOT NULL, client_id TEXT NOT NULL,"
          + " serialized_example_proto BLOB NOT NULL)");
      s.execute("CREATE TABLE client_metadata (client_id TEXT NOT NULL, split_name TEXT NOT NULL,"
          + " num_examples INTEGER NOT NULL)");
      try (PreparedStatement ex = c.prepareStatement("INSERT INTO examples VALUES (?, ?, ?)");
          PreparedStatement meta = c.prepareStatement("INSERT INTO client_metadata VALUES (?, ?, ?)")) {
        for (String split : List.of("train", "test")) {
          int n = split.equals("train") ? 8 : 3;
          for (int w = 0; w < 4; w++) {
            for (int i = 0; i < n; i++) {
              int label = (w + i) % 10;
              FloatList.Builder pixels = FloatList.newBuilder();
              for (int p = 0; p < 784; p++) {
                pixels.addValue((p / 28) / 3 == label ? 0f : 1f);
              }
              ex.setString(1, split);
              ex.setString(2, "f" + w);
              ex.setBytes(3, Example.newBuilder().setFeatures(Features.newBuilder()
                  .putFeature("label", Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(label))
                      .build())
                  .putFeature("pixels", Feature.newBuilder().setFloatList(pixels).build())).build().toByteArray());
              ex.executeUpdate();
            }
            meta.setString(1, "f" + w);
            meta.setString(2, split);
            meta.setInt(3, n);
            meta.executeUpdate();
          }
        }
      }
    }
    return file;
  }

  // ---- helpers ----

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  private static final Pattern TEST_LOSS = Pattern.compile("\"test_loss\":([0-9.eE+-]+)");

  /** The test losses of a --json summary's evaluations, in round order. */
  private static List<Double> testLosses(String json) {
    Matcher m = TEST_LOSS.matcher(json);
    List<Double> out = new ArrayList<>();
    while (m.find()) {
      out.add(Double.parseDouble(m.group(1)));
    }
    return out;
  }

  /** Trains {@code args} for a few rounds, evaluating each, and checks the run succeeded and the test loss fell. */
  private CliRun trainsAndLearns(String... args) {
    List<String> argv = new ArrayList<>(List.of("train", "--json", "--quiet", "--eval-every", "1", "--threads",
        "2", "--out", tmp.resolve("run" + Math.abs(Arrays.hashCode(args))).toString()));
    argv.addAll(Arrays.asList(args));
    CliRun r = run(argv.toArray(new String[0]));
    assertThat(r.code()).as(r.err()).isZero();
    List<Double> losses = testLosses(r.out());
    assertThat(losses).as(r.out()).hasSizeGreaterThan(1);
    assertThat(losses.get(losses.size() - 1)).as(r.out()).isLessThan(losses.get(0));
    return r;
  }

  // ---- train on every task ----

  @Test
  void fashionMnistAndMnistIdxPartitionIdxFilesOverClients() throws IOException {
    Path dir = idx(tmp.resolve("idx"), 300, 60);
    CliRun r = trainsAndLearns("--task", "mnist-idx", "--data", dir.toString(), "--model", "logreg", "--rounds",
        "4", "--num-clients", "20", "--partition", "dirichlet:0.5", "--clients-per-round", "5");
    assertThat(r.out()).contains("\"task\":\"mnist-idx\"");
    CliRun fm = trainsAndLearns("--task", "fashion-mnist", "--data", dir.toString(), "--model", "mlp", "--rounds",
        "3", "--num-clients", "10", "--clients-per-round", "5");
    assertThat(fm.err()).doesNotContain("warning");
    // The header names the partition; --num-clients is the population.
    CliRun header = run("train", "--task", "mnist-idx", "--data", dir.toString(), "--model", "logreg", "--rounds",
        "1", "--num-clients", "7", "--clients-per-round", "2", "--out", tmp.resolve("h").toString());
    assertThat(header.out()).contains(Output.row("task", "mnist-idx: IDX " + dir + ", iid over 7 clients"),
        Output.row("data", "7 clients, 300 train / 60 test examples, 10 classes"),
        Output.row("optimizers", "client sgd lr 0.2, server sgd lr 1.0"));
  }

  @Test
  void femnistReadsTffSqliteWhenDataIsAFile() throws Exception {
    Path db = femnistSqlite(tmp.resolve("emnist.sqlite"));
    CliRun r = run("train", "--data", db.toString(), "--model", "logreg", "--rounds", "2", "--clients-per-round",
        "2", "--out", tmp.resolve("run").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains(Output.row("task", "femnist: TFF SQLite " + db),
        Output.row("data", "4 clients, 32 train / 12 test examples, 62 classes"));
    trainsAndLearns("--data", db.toString(), "--model", "logreg", "--rounds", "4", "--clients-per-round", "4",
        "--client-lr", "0.002");
  }

  @Test
  void shakespearePredictsTheNextCharacter() throws IOException {
    Path text = speakers(tmp.resolve("plays.txt"));
    CliRun r = trainsAndLearns("--task", "shakespeare", "--data", text.toString(), "--rounds", "4",
        "--clients-per-round", "3");
    assertThat(r.out()).contains("\"model\":\"mlp\"");
    CliRun header = run("train", "--task", "shakespeare", "--data", text.toString(), "--rounds", "1",
        "--clients-per-round", "2", "--out", tmp.resolve("h").toString());
    // 6 speakers; the phrases' 15 distinct characters and "none"; 10 characters of context, one-hot: an MLP of
    // 160 inputs, 200 and 200 hidden units and 16 outputs.
    assertThat(header.out()).contains(Output.row("model", "mlp, 75,616 parameters"),
        Output.row("optimizers", "client sgd lr 1.0, server sgd lr 1.0"));
    assertThat(header.out()).containsPattern("6 clients, [0-9,]+ train / [0-9,]+ test examples, 16 classes");
  }

  @Test
  void stackoverflowTagsIsMultiLabelOverTheBagOfWords() throws IOException {
    Path xml = posts(tmp.resolve("Posts.xml"));
    // The default client learning rate (100) is measured on a real site's 1,000 words; these ten take less.
    CliRun r = trainsAndLearns("--task", "stackoverflow-tags", "--data", xml.toString(), "--rounds", "5",
        "--clients-per-round", "6", "--client-lr", "5");
    assertThat(r.out()).contains("\"model\":\"logreg\"");
    CliRun header = run("train", "--task", "stackoverflow-tags", "--data", tmp.toString(), "--rounds", "1",
        "--clients-per-round", "2", "--out", tmp.resolve("h").toString());
    // A directory holding one Posts.xml is read as that file; 12 users, 10 words, 3 tags (ale, beer, brewing).
    assertThat(header.code()).as(header.err()).isZero();
    assertThat(header.out()).contains(Output.row("data", "12 clients, 60 train / 12 test examples, 3 classes"),
        Output.row("model", "logreg, 33 parameters"));
  }

  @Test
  void ratingsPredictARatingClassFromTheItem() throws IOException {
    Path csv = ratings(tmp.resolve("ratings.csv"));
    trainsAndLearns("--task", "ratings", "--data", csv.toString(), "--rounds", "5", "--clients-per-round", "5");
    Path renamed = Files.writeString(tmp.resolve("other.csv"), Files.readString(csv).replace("userID,placeID",
        "user,item"));
    CliRun r = run("train", "--task", "ratings", "--data", renamed.toString(), "--columns", "user,item,rating",
        "--rounds", "1", "--out", tmp.resolve("h").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains(Output.row("data", "20 clients, 160 train / 40 test examples, 3 classes"));
  }

  // ---- evaluate and data inspect ----

  @Test
  void evaluateGivesPerClientAndPooledMetricsOfATrainedModel() throws IOException {
    Path dir = idx(tmp.resolve("idx"), 200, 50);
    Path out = tmp.resolve("run");
    CliRun t = run("train", "--task", "mnist-idx", "--data", dir.toString(), "--model", "logreg", "--rounds", "3",
        "--num-clients", "5", "--clients-per-round", "5", "--eval-every", "0", "--json", "--out", out.toString());
    assertThat(t.code()).as(t.err()).isZero();
    CliRun e = run("evaluate", "--weights", out.resolve("model.npz").toString(), "--task", "mnist-idx", "--data",
        dir.toString(), "--num-clients", "5", "--json", "--per-client");
    assertThat(e.code()).as(e.err()).isZero();
    // Centralized evaluation over all clients' test examples is the training's final pooled evaluation.
    Matcher trained = Pattern.compile("\"final_test_accuracy\":([0-9.]+),\"final_test_loss\":([0-9.]+)")
        .matcher(t.out());
    assertThat(trained.find()).as(t.out()).isTrue();
    assertThat(e.out()).contains("\"model\":\"logreg\"", "\"examples\":50,", "\"clients\":5,",
        "\"centralized_accuracy\":" + trained.group(1), "\"centralized_loss\":" + trained.group(2) + ",");
    // The mean over clients is the unweighted mean of the per-client accuracies.
    Matcher perClient = Pattern.compile("\\{\"client\":\"[0-9]\",\"examples\":([0-9]+),\"loss\":[0-9.]+,"
        + "\"accuracy\":([0-9.]+)}").matcher(e.out());
    double sum = 0;
    int n = 0;
    while (perClient.find()) {
      sum += Double.parseDouble(perClient.group(2));
      n++;
    }
    assertThat(n).isEqualTo(5);
    Matcher mean = Pattern.compile("\"federated_mean_accuracy\":([0-9.]+)").matcher(e.out());
    assertThat(mean.find()).isTrue();
    assertThat(Double.parseDouble(mean.group(1))).isCloseTo(sum / 5, org.assertj.core.data.Offset.offset(1e-12));
    CliRun text = run("evaluate", "--weights", out.resolve("model.npz").toString(), "--task", "mnist-idx",
        "--data", dir.toString(), "--num-clients", "5", "--split", "train");
    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.out()).contains(Output.row("weights", out.resolve("model.npz") + " (logreg)"))
        .containsPattern("federated +mean over 5 clients with examples \\(of 5\\): accuracy [0-9.]+ %")
        .contains("200 examples pooled: accuracy");
  }

  @Test
  void evaluateRefusesWeightsOfAnotherModel() throws IOException {
    Path dir = idx(tmp.resolve("idx"), 40, 20);
    Path out = tmp.resolve("run");
    assertThat(run("train", "--task", "mnist-idx", "--data", dir.toString(), "--model", "logreg", "--rounds", "1",
        "--num-clients", "2", "--clients-per-round", "1", "--out", out.toString()).code()).isZero();
    String weights = out.resolve("model.npz").toString();
    CliRun mlp = run("evaluate", "--weights", weights, "--task", "mnist-idx", "--data", dir.toString(),
        "--num-clients", "2", "--model", "mlp");
    assertThat(mlp.code()).isEqualTo(2);
    assertThat(mlp.err()).isEqualTo("cohort evaluate: error: --weights " + weights + " does not fit --model mlp on "
        + "this data ([28, 28, 1] examples, 10 classes): mlp: weights does not match the model: entry "
        + "'dense/kernel' is float32[784, 10], expected float32[784, 200]; ..." + NL);
    CliRun femnist = run("evaluate", "--weights", weights, "--data", femnistLeafLike().toString());
    assertThat(femnist.code()).isEqualTo(2);
    assertThat(femnist.err()).startsWith("cohort evaluate: error: --weights " + weights + " does not fit any model"
        + " of --task femnist on this data ([28, 28, 1] examples, 62 classes): cnn: ").contains("; logreg: ");
    Path junk = Files.writeString(tmp.resolve("junk.npz"), "not a zip");
    CliRun bad = run("evaluate", "--weights", junk.toString(), "--task", "mnist-idx", "--data", dir.toString());
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).startsWith("cohort evaluate: error: --weights " + junk + ": cannot read it as .npz")
        .doesNotContain("bug", "\tat ");
  }

  /** The shipped FEMNIST sample. */
  private static Path femnistLeafLike() {
    return TrainData.defaultFemnist();
  }

  @Test
  void dataInspectSummarizesClientsExamplesAndLabelSkew() throws IOException {
    Path dir = idx(tmp.resolve("idx"), 300, 60);
    CliRun iid = run("data", "inspect", "--task", "mnist-idx", "--data", dir.toString(), "--num-clients", "10");
    assertThat(iid.code()).as(iid.err()).isZero();
    assertThat(iid.out()).isEqualTo(String.join(NL,
        Output.row("task", "mnist-idx: IDX " + dir + ", iid over 10 clients"),
        Output.row("clients", "10"),
        Output.row("classes", "10, examples of shape [28, 28, 1]"),
        Output.row("train", "300 examples; per client min 30 / median 30 / max 30"),
        Output.row("test", "60 examples; per client min 6 / median 6 / max 6"), "")
        + iid.out().substring(iid.out().indexOf(Output.row("label skew", ""))));
    CliRun skewed = run("data", "inspect", "--task", "mnist-idx", "--data", dir.toString(), "--num-clients", "10",
        "--partition", "dirichlet:0.05", "--json");
    CliRun even = run("data", "inspect", "--task", "mnist-idx", "--data", dir.toString(), "--num-clients", "10",
        "--json");
    assertThat(tv(skewed.out())).isGreaterThan(tv(even.out()) + 0.3);
    CliRun speakers = run("data", "inspect", "--task", "shakespeare", "--data",
        speakers(tmp.resolve("t.txt")).toString());
    assertThat(speakers.out()).contains(Output.row("clients", "6"));
    CliRun femnist = run("data", "inspect", "--json");
    assertThat(femnist.out()).startsWith("{\"command\":\"data inspect\",\"task\":\"femnist\",").contains(
        "\"clients\":73,\"classes\":62,\"train_examples\":10621,", "\"test_examples\":1216,");
  }

  private static double tv(String json) {
    Matcher m = Pattern.compile("\"mean_tv_distance\":([0-9.]+)").matcher(json);
    assertThat(m.find()).as(json).isTrue();
    return Double.parseDouble(m.group(1));
  }

  // ---- errors ----

  private static void usage(String message, String... args) {
    CliRun r = run(args);
    assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo(message + NL);
  }

  @Test
  void taskModelAndDataErrorsAreOneLineWithExitTwo() throws IOException {
    Path dir = idx(tmp.resolve("idx"), 20, 10);
    Path text = speakers(tmp.resolve("t.txt"));
    usage("cohort train: error: --task (cifar) must be one of femnist, fashion-mnist, mnist-idx, shakespeare, "
        + "stackoverflow-tags, ratings", "train", "--task", "cifar");
    usage("cohort train: error: --model (cnn) does not fit --task shakespeare: use one of mlp, logreg", "train",
        "--task", "shakespeare", "--data", text.toString(), "--model", "cnn");
    usage("cohort train: error: --model (resnet) is not a model of --task femnist: use one of cnn, mlp, logreg",
        "train", "--model", "resnet");
    usage("cohort data inspect: error: --partition (halves) must be iid or dirichlet:ALPHA (e.g. dirichlet:0.5)",
        "data", "inspect", "--task", "mnist-idx", "--data", dir.toString(), "--partition", "halves");
    usage("cohort data inspect: error: --partition (dirichlet:0): ALPHA (0) must be a finite number > 0, e.g. "
        + "dirichlet:0.5", "data",
        "inspect", "--task", "mnist-idx", "--data", dir.toString(), "--partition", "dirichlet:0");
    usage("cohort train: error: --num-clients (10) must not be given with --task femnist: its data has its own "
        + "clients (only fashion-mnist and mnist-idx are partitioned)", "train", "--num-clients", "10");
    usage("cohort train: error: --columns (a,b,c) must not be given with --task shakespeare: only ratings reads a "
        + "CSV", "train", "--task", "shakespeare", "--data", text.toString(), "--columns", "a,b,c");
    usage("cohort train: error: --columns (user,item) must be three column names USER,ITEM,RATING, e.g. "
        + "userID,placeID,rating", "train", "--task", "ratings", "--data", text.toString(), "--columns",
        "user,item");
    Path missing = tmp.resolve("nowhere");
    usage("cohort evaluate: error: --data (" + missing + ") does not exist; --task mnist-idx reads "
        + TaskData.IDX_FILES, "evaluate", "--weights", "w.npz", "--task", "mnist-idx", "--data",
        missing.toString());
    usage("cohort data inspect: error: --task mnist-idx needs --data PATH: " + TaskData.IDX_FILES, "data",
        "inspect", "--task", "mnist-idx");
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    usage("cohort data inspect: error: --data (" + empty + ") has no train-images-idx3-ubyte, "
        + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (plain or .gz): it must be "
        + TaskData.IDX_FILES, "data", "inspect", "--task", "mnist-idx", "--data", empty.toString());
    usage("cohort data inspect: error: --data (" + text + ") must be " + TaskData.IDX_FILES, "data", "inspect",
        "--task", "fashion-mnist", "--data", text.toString());
    usage("cohort data inspect: error: --data (" + empty + ") is a directory without one data file of --task "
        + "shakespeare: pass " + Task.SHAKESPEARE.dataDescription(), "data", "inspect", "--task", "shakespeare",
        "--data", empty.toString());
  }

  @Test
  void dataInTheWrongFormatIsOneLineWithExitOne() throws IOException {
    Path notText = Files.write(tmp.resolve("bad.txt"), new byte[] {'A', ':', '\n', (byte) 0xff, '\n'});
    Path notSqlite = Files.writeString(tmp.resolve("emnist.sqlite"), "this is text");
    Path notXml = Files.writeString(tmp.resolve("Posts.xml"), "<posts><row Id=");
    Path notCsv = Files.writeString(tmp.resolve("r.csv"), "a,b\n1,2\n");
    for (List<String> args : List.of(List.of("shakespeare", notText.toString()),
        List.of("femnist", notSqlite.toString()), List.of("stackoverflow-tags", notXml.toString()),
        List.of("ratings", notCsv.toString()))) {
      CliRun r = run("data", "inspect", "--task", args.get(0), "--data", args.get(1));
      assertThat(r.code()).as(r.err()).isEqualTo(1);
      assertThat(r.err()).startsWith("cohort data inspect: error: --data " + args.get(1) + ": ")
          .doesNotContain("bug", "\tat ").hasLineCount(1);
    }
  }

  @Test
  void mutatedDataFilesGiveOneLineErrorsNeverInternalOnes() throws IOException {
    // Seeded mutations of each file-based task's data, read as cohort data inspect reads them: every file is
    // accepted or refused with one "error:" line (exit 1 or 2), never an internal error or a stack trace.
    List<Object[]> formats = List.of(new Object[] {"shakespeare", speakers(tmp.resolve("s.txt"))},
        new Object[] {"stackoverflow-tags", posts(tmp.resolve("Posts.xml"))},
        new Object[] {"ratings", ratings(tmp.resolve("r.csv"))});
    for (Object[] f : formats) {
      String task = (String) f[0];
      Path file = (Path) f[1];
      Path mutated = tmp.resolve("mutated-" + file.getFileName());
      dev.cohort.testing.Fuzz.Report report = dev.cohort.testing.Fuzz.format(task, List.of(Files.readAllBytes(file)))
          .seed(12).mutations(120).atLeast(120).budget(java.time.Duration.ofSeconds(3))
          .rejects(IllegalArgumentException.class).messagesStartWith("cohort data inspect: error: ")
          .run(bytes -> {
            Files.write(mutated, bytes);
            CliRun r = run("data", "inspect", "--task", task, "--data", mutated.toString());
            if (r.code() == 0) {
              return;
            }
            if ((r.code() == 1 || r.code() == 2) && r.err().startsWith("cohort data inspect: error: ")
                && r.err().lines().count() == 1) {
              throw new IllegalArgumentException(r.err());
            }
            throw new IllegalStateException("exit " + r.code() + ": " + r.err());
          });
      assertThat(report.tried()).isGreaterThanOrEqualTo(120);
      assertThat(report.rejected()).isPositive();
    }
  }

  /** Three ratings per user: floor(0.2 * 3) = 0 held out, so no client has test examples (test metrics 0 / 0). */
  private Path ratingsWithoutTestExamples() throws IOException {
    StringBuilder csv = new StringBuilder("userID,placeID,rating\n");
    for (int u = 0; u < 6; u++) {
      for (int i = 0; i < 3; i++) {
        csv.append("U").append(u).append(",P").append(i).append(',').append(i % 3).append('\n');
      }
    }
    return Files.writeString(tmp.resolve("few.csv"), csv);
  }

  @Test
  void withoutTestExamplesTheTextSaysSoInsteadOfNaN() throws IOException {
    Path file = ratingsWithoutTestExamples();
    CliRun r = run("train", "--task", "ratings", "--data", file.toString(), "--rounds", "2", "--clients-per-round",
        "3", "--eval-every", "1", "--out", tmp.resolve("run").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).doesNotContain("NaN")
        .contains(Output.row("test accuracy", "none after 2 rounds: no client has test examples") + NL)
        .containsPattern("round 1/2  train loss [0-9.]+  no client has test examples  [0-9.]+ s")
        .containsPattern("round 2/2  train loss [0-9.]+  no client has test examples  [0-9.]+ s");
  }

  @Test
  void nanMetricsAreWrittenAsNullListedAndReported() throws IOException {
    Path file = ratingsWithoutTestExamples();
    CliRun r = run("train", "--task", "ratings", "--data", file.toString(), "--rounds", "2", "--clients-per-round",
        "3", "--json", "--quiet", "--out", tmp.resolve("run").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"final_test_accuracy\":null,\"final_test_loss\":null,")
        .endsWith(",\"nan\":[\"final_test_accuracy\",\"final_test_loss\"]}" + NL);
    assertThat(r.err()).startsWith("cohort train: warning: final_test_accuracy, final_test_loss are NaN, written "
        + "as null and listed under \"nan\" in the JSON summary: no client has test examples" + NL);
    assertThat(new Json().metric("a", Double.NaN).metric("b", 1.5).metric("c", Double.POSITIVE_INFINITY).end())
        .isEqualTo("{\"a\":null,\"b\":1.5,\"c\":null,\"nan\":[\"a\"]}");
  }
}
