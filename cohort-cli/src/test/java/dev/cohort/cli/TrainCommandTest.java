package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.nn.Npz;
import dev.cohort.privacy.DpEvent;
import dev.cohort.privacy.NeighboringRelation;
import dev.cohort.privacy.RdpAccountant;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end tests of {@code cohort train} through the in-process harness: short runs on a small LEAF data set
 * written here (and one on the shipped FEMNIST sample), their output, run directory and JSON summary, and the
 * usage errors. The default job itself is a benchmark (BENCHMARKS.md), not a test.
 */
class TrainCommandTest {
  private static final String NL = System.lineSeparator();
  /** logreg on 28x28 images and 62 classes: a 784 x 62 kernel and 62 biases. */
  private static final long LOGREG_PARAMETERS = 784L * 62 + 62;

  @TempDir
  Path tmp;

  /** A LEAF FEMNIST directory with {@code clients} writers of 6 train and 2 test random images each. */
  private Path leaf(int clients) throws IOException {
    Path root = tmp.resolve("leaf");
    RandomStream random = RandomStream.of(7);
    for (String split : List.of("train", "test")) {
      int n = split.equals("train") ? 6 : 2;
      StringBuilder users = new StringBuilder();
      StringBuilder counts = new StringBuilder();
      StringBuilder data = new StringBuilder();
      for (int c = 0; c < clients; c++) {
        String id = String.format(Locale.ROOT, "w%02d", c);
        users.append(c == 0 ? "" : ",").append('"').append(id).append('"');
        counts.append(c == 0 ? "" : ",").append(n);
        data.append(c == 0 ? "" : ",").append('"').append(id).append("\":{\"x\":[");
        List<String> ys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          float[] pixels = random.uniform(dev.cohort.tensor.Shape.of(784), 0f, 1f).floatData();
          data.append(i == 0 ? "[" : ",[");
          for (int p = 0; p < 784; p++) {
            data.append(p == 0 ? "" : ",").append(pixels[p]);
          }
          data.append(']');
          ys.add(Integer.toString((c + i) % 62));
        }
        data.append("],\"y\":[").append(String.join(",", ys)).append("]}");
      }
      Path dir = Files.createDirectories(root.resolve(split));
      Files.writeString(dir.resolve("data.json"), "{\"users\":[" + users + "],\"num_samples\":[" + counts
          + "],\"user_data\":{" + data + "}}", StandardCharsets.UTF_8);
    }
    return root;
  }

  private static CliRun train(String... args) {
    List<String> argv = new ArrayList<>(List.of("train"));
    argv.addAll(Arrays.asList(args));
    return CliRun.of(argv.toArray(new String[0]));
  }

  @Test
  void aShortRunPrintsTheHeaderTheEvaluatedRoundsAndWritesTheRunDirectory() throws IOException {
    Path data = leaf(5);
    Path out = tmp.resolve("run");
    CliRun r = train("--data", data.toString(), "--model", "logreg", "--rounds", "3", "--clients-per-round", "2",
        "--eval-every", "2", "--threads", "2", "--seed", "3", "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    List<String> lines = List.of(r.out().split(NL));
    assertThat(lines.subList(0, 10)).extracting(l -> l.split(" +")[0]).containsExactly("task", "data", "model",
        "algorithm", "optimizers", "aggregator", "blas", "threads", "seed", "output");
    assertThat(lines.get(0)).isEqualTo(Output.row("task", "femnist: LEAF JSON " + data));
    assertThat(lines.get(1)).isEqualTo(Output.row("data", "5 clients, 30 train / 10 test examples, 62 classes"));
    assertThat(lines.get(2)).isEqualTo(Output.row("model", String.format(Locale.ROOT, "logreg, %,d parameters",
        LOGREG_PARAMETERS)));
    assertThat(lines.get(3)).isEqualTo(Output.row("algorithm",
        "fedavg: 3 rounds, 2 clients per round (uniform), 1 epoch of batch 20"));
    assertThat(lines.get(7)).isEqualTo(Output.row("threads", "2"));
    assertThat(lines.get(9)).isEqualTo(Output.row("output", out.toString()));
    // Rounds 2 (every 2) and 3 (the last) are evaluated.
    assertThat(lines.get(10)).matches("round 2/3  train loss \\d+\\.\\d{4}  test loss \\d+\\.\\d{4}  "
        + "test accuracy \\d+\\.\\d\\d %  \\d+\\.\\d s");
    assertThat(lines.get(11)).startsWith("round 3/3  train loss ");
    assertThat(lines.get(12)).startsWith(Output.row("test accuracy", "")).endsWith(" after 3 rounds");
    // 2 clients x 6 examples x 3 rounds; each client sends and receives the float32 weights once a round.
    assertThat(lines.get(13)).isEqualTo(Output.row("trained", String.format(Locale.ROOT,
        "36 examples; %.1f MB up, %.1f MB down", 3 * 2 * 32.0 * LOGREG_PARAMETERS / 8e6,
        3 * 2 * 32.0 * LOGREG_PARAMETERS / 8e6)));
    assertThat(lines.get(14)).startsWith(Output.row("wall time", ""));
    List<String> files = List.of("config.json", "metrics.csv", "metrics.jsonl", "model.npz", "report.html",
        "accuracy.png", "loss.png", "clients.png", "bits.png", "checkpoints", "tensorboard");
    assertThat(lines.subList(15, lines.size())).containsExactlyElementsOf(files.stream()
        .map(f -> Output.row(f.equals("config.json") ? "written" : "", out.resolve(f).toString())).toList());
    try (var listing = Files.list(out)) {
      assertThat(listing.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(files);
    }

    List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
    assertThat(csv).hasSize(4);
    assertThat(csv.get(0)).isEqualTo(String.join(",", RunDirectory.COLUMNS));
    assertThat(csv.get(1)).startsWith("1,2,12,").contains(",,,,"); // no evaluation, no epsilon in round 1
    List<String> jsonl = Files.readAllLines(out.resolve("metrics.jsonl"));
    assertThat(jsonl).hasSize(3);
    assertThat(jsonl.get(0)).startsWith("{\"round\":1,\"clients\":2,\"examples\":12,\"train_loss\":")
        .doesNotContain("test_accuracy");
    assertThat(jsonl.get(1)).contains("\"test_accuracy\":");
    String config = Files.readString(out.resolve("config.json"));
    assertThat(config).startsWith("{\"task\":\"femnist\",\"data\":" + quote(data.toString()))
        .contains("\"model\":\"logreg\"", "\"rounds\":3", "\"clients_per_round\":2", "\"seed\":3",
            "\"command_line\":[\"train\",");
    String report = Files.readString(out.resolve("report.html"));
    assertThat(report).contains("<img src=\"accuracy.png\"", "<img src=\"loss.png\"", "<img src=\"clients.png\"",
        "<img src=\"bits.png\"", "<td>2</td>", "<td>3</td>").doesNotContain("epsilon");
    for (String png : List.of("accuracy.png", "loss.png", "clients.png", "bits.png")) {
      byte[] bytes = Files.readAllBytes(out.resolve(png));
      assertThat(Arrays.copyOf(bytes, 8)).as(png).containsExactly(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
    }
    Map<String, Tensor> weights = Npz.read(out.resolve("model.npz"));
    assertThat(weights.values()).extracting(t -> (long) t.shape().size()).containsExactlyInAnyOrder(784L * 62, 62L);
    // Checkpoints every 10 rounds and after the last; one TensorBoard event file of every round's metrics.
    assertThat(names(out.resolve("checkpoints"))).containsExactly("checkpoint-000000003.ckpt");
    List<String> events = names(out.resolve("tensorboard"));
    assertThat(events).hasSize(1).allMatch(n -> n.startsWith("events.out.tfevents."));
    String tags = new String(Files.readAllBytes(out.resolve("tensorboard").resolve(events.get(0))),
        StandardCharsets.ISO_8859_1);
    assertThat(tags).contains("brain.Event:2", "train/loss", "evaluation/accuracy", "bits_up");
  }

  private static List<String> names(Path dir) throws IOException {
    try (var listing = Files.list(dir)) {
      return listing.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\") + "\"";
  }

  @Test
  void theConfigCommandLineRerunsTheSameRunAndThreadsDoNotChangeTheWeights() throws IOException {
    Path data = leaf(6);
    Path first = tmp.resolve("first");
    assertThat(train("--data", data.toString(), "--model", "mlp", "--rounds", "2", "--clients-per-round", "4",
        "--threads", "1", "--seed", "11", "--out", first.toString()).code()).isZero();
    String config = Files.readString(first.resolve("config.json"));
    Matcher m = Pattern.compile("\"command_line\":\\[(.*)]").matcher(config);
    assertThat(m.find()).isTrue();
    List<String> argv = new ArrayList<>();
    for (String quoted : m.group(1).split(",")) {
      argv.add(quoted.substring(1, quoted.length() - 1));
    }
    int t = argv.indexOf("--threads");
    argv.set(t + 1, "2");
    Path second = tmp.resolve("second");
    argv.addAll(List.of("--out", second.toString()));
    CliRun rerun = CliRun.of(argv.toArray(new String[0]));
    assertThat(rerun.code()).as(rerun.err()).isZero();
    assertThat(arrays(second.resolve("model.npz"))).isEqualTo(arrays(first.resolve("model.npz")));
    assertThat(withoutSeconds(second.resolve("metrics.csv"))).isEqualTo(withoutSeconds(first.resolve("metrics.csv")));
  }

  /** The float32 arrays of an .npz by name (the zip entries' timestamps aside). */
  private static Map<String, List<Float>> arrays(Path npz) throws IOException {
    Map<String, List<Float>> out = new java.util.TreeMap<>();
    for (Map.Entry<String, Tensor> e : Npz.read(npz).entrySet()) {
      List<Float> values = new ArrayList<>();
      for (float f : e.getValue().floatData()) {
        values.add(f);
      }
      out.put(e.getKey(), values);
    }
    assertThat(out).isNotEmpty();
    return out;
  }

  private static List<String> withoutSeconds(Path csv) throws IOException {
    return Files.readAllLines(csv).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
  }

  /** The flags of a 4-round mlp run on {@code data} into {@code out}, checkpointed every round. */
  private static List<String> resumable(Path data, Path out, String... more) {
    List<String> argv = new ArrayList<>(List.of("--data", data.toString(), "--model", "mlp", "--rounds", "4",
        "--clients-per-round", "3", "--eval-every", "1", "--checkpoint-every", "1", "--aggregator", "compression",
        "--server-optimizer", "adam", "--server-lr", "0.01", "--seed", "9", "--out", out.toString()));
    argv.addAll(Arrays.asList(more));
    return argv;
  }

  @Test
  void aResumedRunEndsWithTheWeightsOfARunNeverStopped() throws IOException {
    Path data = leaf(6);
    Path whole = tmp.resolve("whole");
    CliRun first = train(resumable(data, whole, "--threads", "2").toArray(new String[0]));
    assertThat(first.code()).as(first.err()).isZero();
    // A run stopped after round 2: its directory as it was then, with the later rows the metric files already
    // held (a row is appended before its round's checkpoint is written).
    Path stopped = tmp.resolve("stopped");
    CliRun part = train(resumable(data, stopped, "--threads", "1").toArray(new String[0]));
    assertThat(part.code()).as(part.err()).isZero();
    Files.delete(stopped.resolve("checkpoints").resolve("checkpoint-000000004.ckpt"));
    Files.delete(stopped.resolve("checkpoints").resolve("checkpoint-000000003.ckpt"));
    Files.delete(stopped.resolve("model.npz"));
    // ... and stopped while it appended a row: a line without its end.
    Files.writeString(stopped.resolve("metrics.csv"), "5,3,1", java.nio.file.StandardOpenOption.APPEND);
    CliRun resumed = train(resumable(data, stopped, "--threads", "1", "--resume").toArray(new String[0]));
    assertThat(resumed.code()).as(resumed.err()).isZero();
    assertThat(resumed.out()).contains("resumed after round 2 from " + stopped.resolve("checkpoints")
        .resolve("checkpoint-000000002.ckpt"));
    assertThat(resumed.out()).doesNotContain("round 1/4", "round 2/4").contains("round 3/4", "round 4/4");
    assertThat(arrays(stopped.resolve("model.npz"))).isEqualTo(arrays(whole.resolve("model.npz")));
    assertThat(withoutSeconds(stopped.resolve("metrics.csv"))).isEqualTo(withoutSeconds(whole.resolve("metrics.csv")));
    assertThat(Files.readAllLines(stopped.resolve("metrics.jsonl"))).hasSize(4);
    // The report plots all four rounds, the two of the first run too.
    assertThat(Files.readString(stopped.resolve("report.html"))).contains("<td>1</td>", "<td>4</td>");

    // Resuming a finished run trains nothing more and writes the same weights again.
    CliRun again = train(resumable(data, stopped, "--resume").toArray(new String[0]));
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.out()).contains("resumed after round 4").doesNotContain("round 4/4");
    assertThat(arrays(stopped.resolve("model.npz"))).isEqualTo(arrays(whole.resolve("model.npz")));
  }

  @Test
  void resumeRefusesADirectoryWithoutARunOrWithOtherFlags() throws IOException {
    Path data = leaf(6);
    Path run = tmp.resolve("run");
    assertThat(train(resumable(data, run).toArray(new String[0])).code()).isZero();
    List<String> other = resumable(data, run, "--resume");
    other.set(other.indexOf("--seed") + 1, "10");
    usage("--resume: " + run + " holds a run with other flags; resume it with the flags of the command_line in "
        + run.resolve("config.json") + " (only --threads may differ)", other.toArray(new String[0]));
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    usage("--resume: --out (" + empty + ") holds no run to resume (no config.json); give the --out of an earlier "
        + "cohort train", resumable(data, empty, "--resume").toArray(new String[0]));
    usage("--resume needs --out DIR: the run directory to continue", "--data", data.toString(), "--resume");
    // A damaged newest checkpoint is skipped with a warning; the run continues from the one before.
    Files.write(run.resolve("checkpoints").resolve("checkpoint-000000004.ckpt"), new byte[] {1, 2, 3});
    CliRun r = train(resumable(data, run, "--resume").toArray(new String[0]));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).startsWith("cohort train: warning: skipped the unreadable checkpoint "
        + run.resolve("checkpoints").resolve("checkpoint-000000004.ckpt"));
    assertThat(r.out()).contains("resumed after round 3", "round 4/4");
  }

  @Test
  void initWeightsStartFromAFileAndExportWeightsWriteOne() throws IOException {
    Path data = leaf(4);
    Path export = tmp.resolve("w.npz");
    Map<String, List<Float>> trained = weightsOf(data, "a", 1, "--export-weights", export.toString());
    assertThat(arrays(export)).isEqualTo(trained);
    // A run of 0 steps (learning rate ~0) from the exported weights ends where it started.
    Map<String, List<Float>> still = weightsOf(data, "b", 1, "--init-weights", export.toString(), "--client-lr",
        "1e-30");
    assertThat(distance(still, trained)).isLessThan(1e-6);
    assertThat(distance(weightsOf(data, "c", 1, "--client-lr", "1e-30"), trained)).isGreaterThan(1e-3);
    Path missing = tmp.resolve("none.npz");
    usage("--init-weights (" + missing + ") is not a file", "--data", data.toString(), "--init-weights",
        missing.toString());
    Path wrong = tmp.resolve("wrong.npz");
    Npz.write(wrong, Map.of("dense/kernel", Tensor.of(new float[4], 2, 2)));
    CliRun r = train("--data", data.toString(), "--model", "logreg", "--clients-per-round", "2", "--init-weights",
        wrong.toString(), "--out", tmp.resolve("d").toString());
    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).startsWith("cohort train: error: --init-weights " + wrong + ": " + wrong
        + " does not match the model: ").doesNotContain("bug", "\tat ");
  }

  @Test
  void jsonPrintsOneSummaryObjectOnStandardOutputAndTheRestOnStandardError() throws IOException {
    Path out = tmp.resolve("run");
    Path export = tmp.resolve("exported/final.npz");
    CliRun r = train("--data", leaf(4).toString(), "--model", "logreg", "--rounds", "2", "--clients", "w01,w03",
        "--eval-every", "1", "--json", "--export-weights", export.toString(), "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().split(NL)).hasSize(1);
    assertThat(r.out()).startsWith("{\"command\":\"train\",\"task\":\"femnist\",\"model\":\"logreg\","
        + "\"algorithm\":\"fedavg\",\"aggregator\":\"mean\",\"rounds\":2,\"final_test_accuracy\":")
        .contains("\"examples_trained\":24,", "\"run_dir\":" + quote(out.toString()),
            "\"evaluations\":[{\"round\":1,\"clients\":2,", "},{\"round\":2,\"clients\":2,")
        .endsWith("]}" + NL);
    assertThat(r.err()).startsWith(Output.row("task", "femnist")).contains("round 1/2", "round 2/2",
        Output.row("algorithm", "fedavg: 2 rounds, the fixed cohort of 2 clients, 1 epoch of batch 20"));
    assertThat(arrays(export)).isEqualTo(arrays(out.resolve("model.npz")));
  }

  @Test
  void quietPrintsOnlyTheResult() throws IOException {
    CliRun r = train("--data", leaf(3).toString(), "--model", "logreg", "--rounds", "1", "--clients-per-round", "1",
        "--quiet", "--out", tmp.resolve("run").toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith(Output.row("test accuracy", "")).doesNotContain("round 1/1", "blas");
  }

  @Test
  void differentialPrivacyReportsTheEpsilonOfTheRoundsRun() throws IOException {
    CliRun r = train("--data", leaf(8).toString(), "--model", "logreg", "--rounds", "3", "--clients-per-round", "2",
        "--algorithm", "fedavg-unweighted", "--aggregator", "dp", "--noise-multiplier", "0.8", "--clip", "0.5",
        "--json", "--out", tmp.resolve("run").toString());
    assertThat(r.code()).as(r.err()).isZero();
    // Three rounds of 2 of 8 clients drawn without replacement, each a Gaussian of noise multiplier 0.8.
    double epsilon = RdpAccountant.builder().neighboringRelation(NeighboringRelation.REPLACE_ONE).build()
        .compose(DpEvent.sampledWithoutReplacement(8, 2, DpEvent.gaussian(0.8)), 3).epsilon(1e-5).epsilon();
    assertThat(r.out()).contains("\"epsilon\":" + epsilon + ",\"delta\":1.0E-5");
    assertThat(names(tmp.resolve("run"))).contains("epsilon.png");
    assertThat(Files.readString(tmp.resolve("run").resolve("report.html"))).contains("<img src=\"epsilon.png\"",
        "<th>&epsilon;</th>", "<td>" + GuaranteeOutput.epsilon(epsilon) + "</td>");
    assertThat(r.err()).contains(Output.row("aggregator", "dp (noise multiplier 0.8, clip 0.5, delta 1.0E-5)"),
        "  ε " + GuaranteeOutput.epsilon(epsilon) + "  ", Output.row("privacy", "(" + GuaranteeOutput.epsilon(epsilon)
            + ", 1.0E-5)-DP"));
  }

  /** Chromium: {@code chromium} on the PATH (Debian's package), or null. */
  private static Path chromium() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path p = Path.of(dir, "chromium");
      if (!dir.isEmpty() && Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  @Test
  void theReportOpensInAHeadlessBrowserWithEveryPlot() throws IOException, InterruptedException {
    Path chromium = chromium();
    dev.cohort.testing.Prerequisites.require(chromium != null, "chromium (headless) on the PATH, to open "
        + "report.html", "apt-get install chromium");
    Path out = tmp.resolve("run");
    CliRun r = train("--data", leaf(6).toString(), "--model", "logreg", "--rounds", "3", "--clients-per-round", "2",
        "--algorithm", "fedavg-unweighted", "--aggregator", "dp", "--noise-multiplier", "1", "--quiet", "--out",
        out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    // A page beside the report loads it in a frame and lists its images as the browser decoded them.
    Files.writeString(out.resolve("check.html"), "<!DOCTYPE html><html><body><iframe id=\"f\" src=\"report.html\">"
        + "</iframe><script>document.getElementById('f').onload = () => { const d = document.getElementById('f')"
        + ".contentDocument; const o = document.createElement('pre'); o.id = 'result'; o.textContent = 'title: ' + "
        + "d.title + '\\n' + Array.from(d.images).map(i => i.getAttribute('src') + ' ' + i.naturalWidth + 'x' + "
        + "i.naturalHeight).join('\\n'); document.body.appendChild(o); };</script></body></html>");
    Process browser = new ProcessBuilder(chromium.toString(), "--headless", "--disable-gpu", "--no-sandbox",
        "--allow-file-access-from-files", "--virtual-time-budget=5000", "--dump-dom",
        out.resolve("check.html").toUri().toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String dom = new String(browser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(browser.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    Matcher m = Pattern.compile("<pre id=\"result\">([^<]*)</pre>").matcher(dom);
    assertThat(m.find()).as(dom).isTrue();
    List<String> lines = List.of(m.group(1).split("\n"));
    assertThat(lines.get(0)).isEqualTo("title: cohort train: femnist logreg");
    // XChart's 800 x 450 plots, every one decoded (a missing or broken image has width 0).
    assertThat(lines.subList(1, lines.size())).containsExactly("accuracy.png 800x450", "loss.png 800x450",
        "clients.png 800x450", "bits.png 800x450", "epsilon.png 800x450");
  }

  @Test
  void anInterruptedRunPrintsHowToResumeAndTheResumedRunEndsAsAnUninterruptedOne() throws Exception {
    Path data = leaf(6);
    List<String> flags = List.of("--data", data.toString(), "--model", "logreg", "--rounds", "100",
        "--clients-per-round", "3", "--eval-every", "0", "--checkpoint-every", "1", "--seed", "4", "--threads", "1");
    Path whole = tmp.resolve("whole");
    List<String> uninterrupted = new ArrayList<>(flags);
    uninterrupted.addAll(List.of("--out", whole.toString()));
    assertThat(train(uninterrupted.toArray(new String[0])).code()).isZero();

    // The same run in a JVM of its own, stopped by SIGINT (Ctrl-C) once it has checkpointed a few rounds.
    Path stopped = tmp.resolve("stopped");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), Cohort.class.getName(), "train"));
    command.addAll(flags);
    command.addAll(List.of("--out", stopped.toString()));
    Path err = tmp.resolve("err.txt");
    Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(err.toFile()).start();
    Path checkpoints = stopped.resolve("checkpoints");
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (p.isAlive() && System.nanoTime() < deadline
        && (!Files.isDirectory(checkpoints) || names(checkpoints).size() < 2)) {
      Thread.sleep(5);
    }
    assertThat(p.isAlive()).as("the run ended before it was interrupted: %s", Files.readString(err)).isTrue();
    new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
    assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(130); // 128 + SIGINT
    String message = Files.readString(err);
    Matcher m = Pattern.compile("cohort train: interrupted; the last checkpoint is (\\S+); continue with:\n"
        + "  cohort (.*)\n").matcher(message);
    assertThat(m.find()).as(message).isTrue();
    // A whole checkpoint (written to a temporary file, then renamed): the round in flight may have left only its
    // temporary file.
    assertThat(Path.of(m.group(1)).getParent()).isEqualTo(checkpoints);
    assertThat(names(checkpoints)).contains(Path.of(m.group(1)).getFileName().toString());
    assertThat(m.group(1)).endsWith(".ckpt");
    assertThat(m.group(2)).endsWith(" --out " + stopped + " --resume");
    assertThat(Files.exists(stopped.resolve("model.npz"))).isFalse();

    // The printed command continues the run to the weights of the one never stopped.
    CliRun resumed = CliRun.of(m.group(2).split(" "));
    assertThat(resumed.code()).as(resumed.err()).isZero();
    assertThat(resumed.out()).contains("resumed after round ");
    assertThat(arrays(stopped.resolve("model.npz"))).isEqualTo(arrays(whole.resolve("model.npz")));
    assertThat(withoutSeconds(stopped.resolve("metrics.csv"))).isEqualTo(withoutSeconds(whole.resolve("metrics.csv")));
  }

  @Test
  void robustAggregationAndPoissonSamplingRun() throws IOException {
    Path data = leaf(6);
    CliRun robust = train("--data", data.toString(), "--model", "logreg", "--rounds", "2", "--clients-per-round",
        "3", "--aggregator", "robust", "--sampling", "poisson", "--server-optimizer", "adam", "--server-lr", "0.01",
        "--client-optimizer", "sgdm", "--client-lr", "0.01", "--no-shuffle", "--out", tmp.resolve("r").toString());
    assertThat(robust.code()).as(robust.err()).isZero();
    assertThat(robust.out()).contains(Output.row("aggregator", "robust (zeroing at the adaptive 0.98 quantile, "
        + "clipping at the adaptive 0.8 quantile)"), "3 clients per round (poisson), 1 epoch of batch 20 (not "
        + "shuffled)");
  }

  /** The final weights of a short logreg run on {@code data} with {@code flags}. */
  private Map<String, List<Float>> weightsOf(Path data, String name, int rounds, String... flags)
      throws IOException {
    List<String> argv = new ArrayList<>(List.of("--data", data.toString(), "--model", "logreg", "--rounds",
        Integer.toString(rounds),
        "--clients-per-round", "3", "--seed", "5", "--out", tmp.resolve(name).toString()));
    argv.addAll(Arrays.asList(flags));
    CliRun r = train(argv.toArray(new String[0]));
    assertThat(r.code()).as(r.err()).isZero();
    return arrays(tmp.resolve(name).resolve("model.npz"));
  }

  @Test
  void fedProxWithoutTheProximalTermIsFedAvgAndWithItMovesLess() throws IOException {
    Path data = leaf(6);
    // Batches of 2: three local steps a round, so that the proximal term acts from the second on.
    Map<String, List<Float>> initial = weightsOf(data, "none", 2, "--client-lr", "1e-30", "--batch-size", "2");
    Map<String, List<Float>> fedAvg = weightsOf(data, "fedavg", 2, "--batch-size", "2");
    assertThat(weightsOf(data, "prox0", 2, "--batch-size", "2", "--algorithm", "fedprox", "--prox-mu", "0"))
        .isEqualTo(fedAvg);
    Map<String, List<Float>> prox = weightsOf(data, "prox", 2, "--batch-size", "2", "--algorithm", "fedprox",
        "--prox-mu", "5");
    // mu pulls each client back towards the broadcast model: the rounds move the model less than FedAvg's.
    assertThat(distance(prox, initial)).isLessThan(distance(fedAvg, initial)).isPositive();
  }

  private static double distance(Map<String, List<Float>> a, Map<String, List<Float>> b) {
    double d = 0;
    for (String k : a.keySet()) {
      for (int i = 0; i < a.get(k).size(); i++) {
        double x = a.get(k).get(i) - b.get(k).get(i);
        d += x * x;
      }
    }
    return Math.sqrt(d);
  }

  @Test
  void everyAlgorithmAndAggregatorTrains() throws IOException {
    Path data = leaf(6);
    for (List<String> flags : List.of(List.of("--algorithm", "fedsgd"), List.of("--algorithm", "mime-lite",
        "--client-optimizer", "sgdm", "--client-lr", "0.05"), List.of("--aggregator", "secure"),
        List.of("--aggregator", "compression"), List.of("--algorithm", "fedprox", "--aggregator", "robust"))) {
      Path out = tmp.resolve("run-" + String.join("", flags).replace("-", ""));
      List<String> argv = new ArrayList<>(List.of("--data", data.toString(), "--model", "logreg", "--rounds", "2",
          "--clients-per-round", "3", "--json", "--out", out.toString()));
      argv.addAll(flags);
      CliRun r = train(argv.toArray(new String[0]));
      assertThat(r.code()).as(flags + ": " + r.err()).isZero();
      assertThat(r.out()).as(flags.toString()).containsPattern("\"final_test_accuracy\":[0-9.]+,");
      assertThat(arrays(out.resolve("model.npz")).values()).allSatisfy(v -> assertThat(v).allMatch(Float::isFinite));
    }
  }

  @Test
  void fedSgdIsOneServerStepOfTheClientsMeanGradient() throws IOException {
    Path data = leaf(4);
    Map<String, List<Float>> initial = weightsOf(data, "none", 1, "--client-lr", "1e-30");
    // One round of FedSGD at server lr 0.1 equals one round of FedAvg whose clients take one full-batch step at
    // lr 0.1 (their 6 examples fit one batch of 20): the example-weighted mean of the gradients, applied once.
    Map<String, List<Float>> fedSgd = weightsOf(data, "sgd", 1, "--algorithm", "fedsgd");
    Map<String, List<Float>> fedAvg = weightsOf(data, "avg", 1, "--client-lr", "0.1");
    assertThat(distance(fedSgd, initial)).isPositive();
    assertThat(distance(fedSgd, fedAvg)).isLessThan(1e-5 * distance(fedAvg, initial));
  }

  @Test
  void compressionSendsEightBitsPerElementOfTheLargeKernel() throws IOException {
    CliRun r = train("--data", leaf(4).toString(), "--model", "logreg", "--rounds", "1", "--clients", "w00,w01",
        "--aggregator", "compression", "--json", "--out", tmp.resolve("run").toString());
    assertThat(r.code()).as(r.err()).isZero();
    // The 784 x 62 kernel (48,608 > 20,000 elements) as 8-bit integers plus its float32 min and max; the 62
    // biases as float32; down, the float32 model.
    long up = 2 * (784L * 62 * 8 + 64 + 62 * 32);
    assertThat(r.out()).contains("\"bits_up\":" + up + ",\"bits_down\":" + 2 * 32 * LOGREG_PARAMETERS + ",");
  }

  @Test
  void aTargetEpsilonCalibratesTheNoiseMultiplier() throws IOException {
    Path out = tmp.resolve("run");
    CliRun r = train("--data", leaf(8).toString(), "--model", "logreg", "--rounds", "3", "--clients-per-round", "2",
        "--aggregator", "dp", "--target-epsilon", "4", "--delta", "1e-3", "--json", "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    double z = dev.cohort.privacy.Calibration.noiseMultiplier(RdpAccountant.create(), 2 / 8.0, 3, 4, 1e-3)
        .noiseMultiplier();
    double epsilon = RdpAccountant.create().compose(DpEvent.poissonSampled(0.25, DpEvent.gaussian(z)), 3)
        .epsilon(1e-3).epsilon();
    assertThat(epsilon).isLessThanOrEqualTo(4).isGreaterThan(3.9);
    assertThat(r.out()).contains("\"epsilon\":" + epsilon + ",\"delta\":0.001");
    assertThat(r.err()).contains(Output.row("aggregator", "dp (noise multiplier " + z + " calibrated to epsilon 4.0, "
        + "clip 1.0, delta 0.001)"));
    assertThat(Files.readString(out.resolve("config.json"))).contains("\"sampling\":\"poisson\"",
        "\"noise_multiplier\":" + z + ",", "\"target_epsilon\":4.0");
  }

  @Test
  void theDefaultJobShortenedRunsOnTheShippedFemnistSample() throws IOException {
    // The default job (TFF's EMNIST CNN on data/femnist_leaf) cut to 2 rounds of 3 writers, for CI.
    CliRun r = train("--rounds", "2", "--clients-per-round", "3", "--out", tmp.resolve("run").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains(Output.row("data", "73 clients, 10,621 train / 1,216 test examples, 62 classes"),
        Output.row("model", "cnn, 1,690,046 parameters"), "round 2/2  train loss ");
    // Better than chance (1/62) after two rounds: the test accuracy line reads "NN.NN %".
    Matcher m = Pattern.compile("test accuracy +(\\d+\\.\\d\\d) %").matcher(r.out());
    assertThat(m.find()).isTrue();
    assertThat(Double.parseDouble(m.group(1))).isGreaterThan(100.0 / 62);
  }

  /** A usage error: exit 2, nothing on standard output, one line naming the flag. */
  private static void usage(String message, String... args) {
    CliRun r = train(args);
    assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("cohort train: error: " + message + NL);
  }

  @Test
  void everyBadFlagIsAUsageErrorNamingIt() {
    // picocli's parse errors: one line too, with a close match where there is one.
    usage("Unknown option: '--bogus'; see 'cohort train --help'", "--bogus");
    usage("Unknown options: '--round', '3'; did you mean --rounds?; see 'cohort train --help'", "--round", "3");
    usage("Invalid value for option '--rounds': 'x' is not an int; see 'cohort train --help'", "--rounds", "x");
    usage("--task (mnist) must be one of femnist, fashion-mnist, mnist-idx, shakespeare, stackoverflow-tags, "
        + "ratings", "--task", "mnist");
    usage("--model (resnet) is not a model of --task femnist: use one of cnn, mlp, logreg", "--model", "resnet");
    usage("--algorithm (scaffold) must be one of fedavg, fedavg-unweighted, fedprox, fedsgd, mime-lite",
        "--algorithm", "scaffold");
    usage("--aggregator (median) must be one of mean, robust, dp, secure, compression", "--aggregator", "median");
    usage("--prox-mu (-0.5) must be a finite number >= 0", "--algorithm", "fedprox", "--prox-mu", "-0.5");
    usage("--target-epsilon (0.0) must be a finite number > 0", "--aggregator", "dp", "--target-epsilon", "0");
    usage("--sampling (stratified) must be one of uniform, poisson", "--sampling", "stratified");
    usage("--client-optimizer (lamb) must be one of sgd, sgdm, adam, yogi, adagrad", "--client-optimizer", "lamb");
    usage("--server-optimizer (rmsprop) must be one of sgd, sgdm, adam, yogi, adagrad", "--server-optimizer",
        "rmsprop");
    usage("--rounds (0) must be >= 1", "--rounds", "0");
    usage("--epochs (0) must be >= 1", "--epochs", "0");
    usage("--batch-size (-1) must be >= 1", "--batch-size", "-1");
    usage("--eval-every (-1) must be >= 0", "--eval-every", "-1");
    usage("--clients-per-round (0) must be >= 1", "--clients-per-round", "0");
    usage("--threads (0) must be >= 1", "--threads", "0");
    usage("--client-lr (0.0) must be a finite number > 0", "--client-lr", "0");
    usage("--server-lr (NaN) must be a finite number > 0", "--server-lr", "NaN");
    usage("--clip (-1.0) must be a finite number > 0", "--aggregator", "robust", "--clip", "-1");
    usage("--export-weights (w.txt) must be a file ending in .npz", "--export-weights", "w.txt");
  }

  @Test
  void flagsThatDoNotApplyAreRejected() {
    usage("--noise-multiplier (1) must not be given with --aggregator mean: it is the noise of --aggregator dp",
        "--noise-multiplier", "1");
    usage("--clip (1) must not be given with --aggregator mean: only robust and dp take a fixed clip", "--clip",
        "1");
    usage("--clip (1) must not be given with --aggregator secure: only robust and dp take a fixed clip",
        "--aggregator", "secure", "--clip", "1");
    usage("--prox-mu (0.1) must not be given with --algorithm fedavg: it is fedprox's proximal strength",
        "--prox-mu", "0.1");
    usage("--client-lr (0.1) must not be given with --algorithm fedsgd: clients take no local step",
        "--algorithm", "fedsgd", "--client-lr", "0.1");
    usage("--aggregator compression needs a weighted algorithm (fedavg, fedprox, fedsgd, mime-lite): TFF's "
        + "compression aggregator is a weighted mean", "--algorithm", "fedavg-unweighted", "--aggregator",
        "compression");
    usage("--algorithm (fedprox) must be fedavg-unweighted with --aggregator dp: the Gaussian mechanism averages "
        + "clipped updates with equal weights", "--aggregator", "dp", "--noise-multiplier", "1", "--algorithm",
        "fedprox");
    usage("--noise-multiplier and --target-epsilon exclude each other: --target-epsilon calibrates the noise "
        + "multiplier", "--aggregator", "dp", "--noise-multiplier", "1", "--target-epsilon", "2");
    usage("--target-epsilon needs --sampling poisson or a fixed --clients cohort: the calibration accounts "
        + "Poisson-sampled rounds", "--aggregator", "dp", "--target-epsilon", "2", "--sampling", "uniform");
    usage("--target-epsilon (2) must not be given with --aggregator mean: it calibrates the noise of --aggregator "
        + "dp", "--target-epsilon", "2");
    usage("--delta (1e-5) must not be given with --aggregator robust: it is the delta of --aggregator dp's epsilon",
        "--aggregator", "robust", "--delta", "1e-5");
    usage("--clients-per-round (5) must not be given with --clients: the cohort is fixed", "--clients", "a,b",
        "--clients-per-round", "5");
    usage("--sampling (poisson) must not be given with --clients: the cohort is fixed", "--clients", "a",
        "--sampling", "poisson");
    usage("--clients (a,a) names a client twice", "--clients", "a,a");
    usage("--aggregator dp needs --noise-multiplier Z (e.g. 1.0), the noise standard deviation over the clip, or "
        + "--target-epsilon EPS to calibrate it", "--aggregator", "dp");
    usage("--algorithm (fedavg) must be fedavg-unweighted with --aggregator dp: the Gaussian mechanism averages "
        + "clipped updates with equal weights", "--aggregator", "dp", "--noise-multiplier", "1", "--algorithm",
        "fedavg");
    usage("--delta (2.0) must be in (0, 1)", "--aggregator", "dp", "--noise-multiplier", "1", "--delta", "2");
  }

  @Test
  void dataErrorsNameTheFlagAndTheProblem() throws IOException {
    Path missing = tmp.resolve("nowhere");
    usage("--data (" + missing + ") does not exist; --task femnist reads " + Task.FEMNIST.dataDescription(),
        "--data", missing.toString());
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    usage("--data (" + empty + "): FEMNIST: expected LEAF files (*.json, *.json.gz) in " + empty.resolve("train"),
        "--data", empty.toString());
    Path data = leaf(3);
    usage("--clients-per-round (4) must be at most the 3 clients of " + data, "--data", data.toString(),
        "--clients-per-round", "4");
    usage("--clients: no client 'zz' among the 3 clients of " + data + " ('w00' .. 'w02')", "--data",
        data.toString(), "--clients", "w00,zz");
    // A file in the wrong format is not a usage error: exit 1, naming the file.
    Files.writeString(data.resolve("train").resolve("data.json"), "{\"users\": [");
    CliRun bad = train("--data", data.toString(), "--out", tmp.resolve("run").toString());
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).startsWith("cohort train: error: --data " + data + ": " + data.resolve("train")
        .resolve("data.json")).doesNotContain("bug");
  }

  @Test
  void anOutputDirectoryThatHoldsFilesOrCannotBeWrittenIsRefused() throws IOException {
    Path data = leaf(2);
    Path used = Files.createDirectories(tmp.resolve("used"));
    Files.writeString(used.resolve("config.json"), "{}");
    usage("--out (" + used + ") already holds files; give a new or empty directory", "--data", data.toString(),
        "--out", used.toString());
    Path file = Files.writeString(tmp.resolve("file"), "x");
    CliRun under = train("--data", data.toString(), "--model", "logreg", "--clients-per-round", "1", "--out",
        file.resolve("run").toString());
    assertThat(under.code()).isEqualTo(1);
    assertThat(under.err()).startsWith("cohort train: error: --out " + file.resolve("run")
        + ": cannot write the run directory: ").doesNotContain("bug");
  }
}
