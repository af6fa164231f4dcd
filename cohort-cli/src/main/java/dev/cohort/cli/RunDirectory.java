package dev.cohort.cli;

import dev.cohort.nn.Sequential;
import java.awt.Color;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The directory a {@code cohort train} run writes: {@code config.json} (the configuration and the command line that
 * reruns it), {@code metrics.csv} and {@code metrics.jsonl} (one row per round, appended and flushed as the round
 * ends), {@code model.npz} (the final weights, cohort-nn's {@code .npz}, which {@code numpy.load} reads), and
 * {@code report.html} with {@code accuracy.png}, {@code loss.png}, {@code clients.png} (clients and examples),
 * {@code bits.png} (communication) and with DP {@code epsilon.png} (XChart), which opens in a browser offline,
 * {@code checkpoints/} (cohort-simulation's checkpoints, which {@code --resume} continues from) and
 * {@code tensorboard/} (TensorBoard event files of every round's metrics). A new run refuses a directory that
 * already holds files; {@link #reopen} continues one.
 */
final class RunDirectory {
  /** The columns of {@code metrics.csv}, also the keys of {@code metrics.jsonl}. */
  static final List<String> COLUMNS = List.of("round", "clients", "examples", "train_loss", "train_accuracy",
      "test_loss", "test_accuracy", "epsilon", "bits_up", "bits_down", "seconds");

  /**
   * One round's figures; a figure the round has not (no evaluation, no DP, no clients) is NaN.
   *
   * @param round the round, from 1
   * @param clients clients that took part
   * @param examples examples they trained on (all epochs)
   * @param trainLoss the clients' mean training loss
   * @param trainAccuracy their training accuracy
   * @param testLoss the test loss after the round
   * @param testAccuracy the test accuracy after the round
   * @param epsilon the epsilon spent so far
   * @param bitsUp bits the clients sent (float32 updates)
   * @param bitsDown bits broadcast to them
   * @param seconds the round's wall time, evaluation included
   */
  record Row(int round, int clients, long examples, double trainLoss, double trainAccuracy, double testLoss,
      double testAccuracy, double epsilon, long bitsUp, long bitsDown, double seconds) {
    /** The row {@code csv} wrote, as {@link #toCsv} wrote it. */
    static Row of(CSVRecord csv) {
      return new Row(Integer.parseInt(csv.get(0)), Integer.parseInt(csv.get(1)), Long.parseLong(csv.get(2)),
          number(csv.get(3)), number(csv.get(4)), number(csv.get(5)), number(csv.get(6)), number(csv.get(7)),
          Long.parseLong(csv.get(8)), Long.parseLong(csv.get(9)), number(csv.get(10)));
    }

    private static double number(String cell) {
      return cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
    }

    private List<Object> values() {
      return List.of(round, clients, examples, trainLoss, trainAccuracy, testLoss, testAccuracy, epsilon, bitsUp,
          bitsDown, seconds);
    }

    String toCsv() {
      List<String> cells = new ArrayList<>();
      for (Object v : values()) {
        cells.add(v instanceof Double d ? (Double.isNaN(d) ? "" : Double.toString(d)) : v.toString());
      }
      return String.join(",", cells);
    }

    /** The figures as a JSON object; those the round has not are left out. */
    String toJson() {
      Json j = new Json();
      List<Object> values = values();
      for (int i = 0; i < COLUMNS.size(); i++) {
        Object v = values.get(i);
        if (v instanceof Double d) {
          if (!Double.isNaN(d)) {
            j.put(COLUMNS.get(i), d);
          }
        } else {
          j.put(COLUMNS.get(i), ((Number) v).longValue());
        }
      }
      return j.end();
    }
  }

  private final Path path;
  private BufferedWriter csv;
  private BufferedWriter jsonl;

  private RunDirectory(Path path) {
    this.path = path;
  }

  /**
   * Creates {@code dir} (or takes it, empty).
   *
   * @throws Flags.FlagException if {@code dir} is a file or already holds files (named by {@code flag})
   * @throws UserFileException if it cannot be created or written
   */
  static RunDirectory create(Path dir, String flag) {
    requireFresh(dir, flag);
    try {
      Files.createDirectories(dir);
      if (!Files.isWritable(dir)) {
        throw new IOException("not writable");
      }
      return new RunDirectory(dir);
    } catch (IOException e) {
      throw new UserFileException(flag + " " + dir + ": cannot write the run directory: " + e, e);
    }
  }

  /**
   * The run directory {@code dir} of an earlier run, to continue ({@code --resume}).
   *
   * @throws Flags.FlagException if it holds no run (no {@code config.json})
   */
  static RunDirectory reopen(Path dir) {
    if (!Files.isRegularFile(dir.resolve("config.json"))) {
      throw new Flags.FlagException("--resume: --out (" + dir + ") holds no run to resume (no config.json); give "
          + "the --out of an earlier cohort train");
    }
    return new RunDirectory(dir);
  }

  /**
   * Opens the metric files for rounds from {@code firstRound} on: the rows of earlier rounds that they hold (a
   * resumed run's) are kept and returned, later ones dropped.
   *
   * @throws UserFileException if the files cannot be read or written
   */
  List<Row> start(int firstRound) {
    List<Row> kept = new ArrayList<>();
    try {
      if (Files.exists(csv())) {
        String text = Files.readString(csv(), StandardCharsets.UTF_8);
        // A run stopped while appending a row leaves it unfinished: without its line end, it is dropped.
        text = text.substring(0, text.lastIndexOf('\n') + 1);
        try (CSVParser p = CSVParser.parse(text, CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true)
            .get())) {
          if (!p.getHeaderNames().equals(COLUMNS)) {
            throw new UserFileException(csv() + ": columns " + p.getHeaderNames() + ", expected " + COLUMNS, null);
          }
          for (CSVRecord r : p) {
            if (Integer.parseInt(r.get(0)) < firstRound) {
              kept.add(Row.of(r));
            }
          }
        } catch (IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException e) {
          throw new UserFileException(csv() + ": not the metrics of a cohort train run: " + e.getMessage(), e);
        }
      }
      csv = Files.newBufferedWriter(csv(), StandardCharsets.UTF_8);
      jsonl = Files.newBufferedWriter(jsonl(), StandardCharsets.UTF_8);
      csv.write(String.join(",", COLUMNS));
      csv.newLine();
      csv.flush();
    } catch (IOException e) {
      throw new UserFileException(path + ": cannot write the metrics: " + e, e);
    }
    kept.forEach(this::append);
    return kept;
  }

  Path checkpoints() {
    return path.resolve("checkpoints");
  }

  Path tensorboard() {
    return path.resolve("tensorboard");
  }

  /**
   * Checks that {@code dir} can become a run directory: absent, or an empty directory.
   *
   * @throws Flags.FlagException if it is a file or already holds files (named by {@code flag})
   */
  static void requireFresh(Path dir, String flag) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new Flags.FlagException(flag + " (" + dir + ") is a file; give a new or empty directory");
    }
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          throw new Flags.FlagException(flag + " (" + dir + ") already holds files; give a new or empty directory");
        }
      } catch (IOException e) {
        throw new UserFileException(flag + " " + dir + ": cannot list it: " + e.getMessage(), e);
      }
    }
  }

  Path path() {
    return path;
  }

  Path config() {
    return path.resolve("config.json");
  }

  Path csv() {
    return path.resolve("metrics.csv");
  }

  Path jsonl() {
    return path.resolve("metrics.jsonl");
  }

  void writeConfig(String json) {
    write(config(), json + "\n");
  }

  /** Appends {@code row} to both metric files and flushes them, so a run stopped early keeps its rounds. */
  void append(Row row) {
    try {
      csv.write(row.toCsv());
      csv.newLine();
      csv.flush();
      jsonl.write(row.toJson());
      jsonl.newLine();
      jsonl.flush();
    } catch (IOException e) {
      throw new UserFileException(path + ": cannot write the metrics: " + e, e);
    }
  }

  /** Writes {@code net}'s weights to {@code model.npz} and closes the metric files. */
  Path writeWeights(Sequential net) {
    try {
      csv.close();
      jsonl.close();
    } catch (IOException e) {
      throw new UserFileException(path + ": cannot write the metrics: " + e, e);
    }
    return writeWeights(net, path.resolve("model.npz"), "--out");
  }

  /** Writes {@code net}'s weights to {@code file} (its directories created), naming {@code flag} on failure. */
  static Path writeWeights(Sequential net, Path file, String flag) {
    try {
      if (file.toAbsolutePath().getParent() != null) {
        Files.createDirectories(file.toAbsolutePath().getParent());
      }
      net.saveWeights(file);
      return file;
    } catch (IOException e) {
      throw new UserFileException(flag + " " + file + ": cannot write the weights: " + e, e);
    }
  }

  /** The plots and {@code report.html}; returns the paths written. */
  List<Path> writeReport(TrainConfig config, List<Row> rows, long parameters) {
    System.setProperty("java.awt.headless", "true");
    Path accuracy = path.resolve("accuracy.png");
    Path loss = path.resolve("loss.png");
    plot(accuracy, "Accuracy per round", "accuracy", "0.00", rows, List.of(
        new Series("train (sampled clients, during the round)", Row::trainAccuracy),
        new Series("test (all writers' test split)", Row::testAccuracy)));
    plot(loss, "Loss per round", "cross-entropy loss", "0.0", rows, List.of(
        new Series("train (sampled clients, during the round)", Row::trainLoss),
        new Series("test (all writers' test split)", Row::testLoss)));
    Path clients = path.resolve("clients.png");
    plot(clients, "Clients and examples per round", "clients", "0", rows, List.of(
        new Series("clients", Row::clients), new Series("examples (right axis)", r -> r.examples(), 1)));
    Path bits = path.resolve("bits.png");
    plot(bits, "Communication per round", "megabytes", "0.00", rows, List.of(
        new Series("up (clients to server)", r -> r.bitsUp() / 8e6),
        new Series("down (server to clients)", r -> r.bitsDown() / 8e6)));
    List<Path> plots = new ArrayList<>(List.of(accuracy, loss, clients, bits));
    boolean dp = config.noiseMultiplier() != null;
    if (dp) {
      Path epsilon = path.resolve("epsilon.png");
      plot(epsilon, "Privacy spent", "epsilon at delta " + config.delta(), "0.00", rows,
          List.of(new Series("epsilon after the round", Row::epsilon)));
      plots.add(epsilon);
    }
    Row last = rows.get(rows.size() - 1);
    StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<title>cohort train: " + escape(config.task() + " " + config.model()) + "</title>\n<style>body{font-family:"
        + "sans-serif;max-width:60em;margin:2em auto;color:#222}td,th{padding:2px 10px;text-align:left}"
        + "img{max-width:100%}</style></head><body>\n");
    html.append("<h1>cohort train: ").append(escape(config.task())).append(", ").append(escape(config.model()))
        .append(", ").append(escape(config.algorithm())).append("</h1>\n");
    html.append(String.format(Locale.ROOT, "<p>Test accuracy <b>%.2f %%</b> (test loss %.4f) after %d rounds; "
        + "%,d parameters.</p>%n", 100 * last.testAccuracy(), last.testLoss(), config.rounds(), parameters));
    for (Path plot : plots) {
      String name = plot.getFileName().toString();
      html.append("<img src=\"").append(name).append("\" alt=\"").append(name.replace(".png", " per round"))
          .append("\">\n");
    }
    html.append("<h2>Configuration</h2>\n<p><code>cohort ").append(escape(String.join(" ", config.commandLine())))
        .append("</code></p>\n<h2>Evaluations</h2>\n<table><tr><th>round</th><th>test loss</th><th>test accuracy"
            + "</th>" + (dp ? "<th>&epsilon;</th>" : "") + "</tr>\n");
    for (Row r : rows) {
      if (!Double.isNaN(r.testAccuracy())) {
        html.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.4f</td><td>%.2f %%</td>", r.round(),
            r.testLoss(), 100 * r.testAccuracy()));
        html.append(dp ? "<td>" + escape(GuaranteeOutput.epsilon(r.epsilon())) + "</td>" : "").append("</tr>\n");
      }
    }
    html.append("</table>\n<p>Per-round figures: <a href=\"metrics.csv\">metrics.csv</a>, "
        + "<a href=\"metrics.jsonl\">metrics.jsonl</a>; weights: <a href=\"model.npz\">model.npz</a>.</p>\n"
        + "</body></html>\n");
    Path report = path.resolve("report.html");
    write(report, html.toString());
    List<Path> written = new ArrayList<>(List.of(report));
    written.addAll(plots);
    return written;
  }

  /** A line of a plot: its legend, its values, and its y axis (0 left, 1 right). */
  private record Series(String name, ToDoubleFunction<Row> value, int axis) {
    Series(String name, ToDoubleFunction<Row> value) {
      this(name, value, 0);
    }
  }

  private static void plot(Path file, String title, String yTitle, String decimals, List<Row> rows,
      List<Series> series) {
    XYChart chart = new XYChartBuilder().width(800).height(450).title(title).xAxisTitle("round").yAxisTitle(yTitle)
        .build();
    XYStyler style = chart.getStyler();
    style.setYAxisDecimalPattern(decimals);
    style.setChartBackgroundColor(Color.WHITE).setPlotBackgroundColor(Color.WHITE)
        .setLegendPosition(Styler.LegendPosition.OutsideS).setLegendLayout(Styler.LegendLayout.Horizontal)
        .setMarkerSize(5);
    for (Series s : series) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (Row r : rows) {
        double v = s.value().applyAsDouble(r);
        if (!Double.isNaN(v)) {
          x.add((double) r.round());
          y.add(v);
        }
      }
      if (!x.isEmpty()) {
        XYSeries xy = chart.addSeries(s.name(), x, y);
        xy.setMarker(x.size() > 30 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
        if (s.axis() == 1) {
          xy.setYAxisGroup(1);
          style.setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
          chart.setYAxisGroupTitle(1, "examples");
        }
      }
    }
    try {
      BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UserFileException(file + ": cannot write the plot: " + e, e);
    }
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot write: " + e.getMessage(), e);
    }
  }
}
