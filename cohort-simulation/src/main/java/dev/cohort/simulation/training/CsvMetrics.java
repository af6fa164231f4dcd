package dev.cohort.simulation.training;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * Metrics as a CSV table, one row per round (TFF's {@code CSVFileReleaseManager}): a {@code round} column, then one
 * column per metric name in the order names first appeared; a round without a metric (evaluation runs every few
 * rounds) leaves its cell empty. Values are written as Java writes a double (shortest round-tripping form). The
 * file is rewritten whole at each release (temporary file, rename), so it is always complete; when a run resumes,
 * the rows from the resumed round on are dropped first.
 */
public final class CsvMetrics implements MetricsSink {
  private final Path file;
  private final List<Map<String, String>> rows = new ArrayList<>();
  private final Set<String> columns = new LinkedHashSet<>();

  /** Metrics written to {@code file}. */
  public CsvMetrics(Path file) {
    this.file = Objects.requireNonNull(file, "file");
  }

  @Override
  public void start(int firstRound) throws IOException {
    rows.clear();
    columns.clear();
    columns.add("round");
    if (!Files.exists(file)) {
      return;
    }
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        CSVParser p = CSVParser.parse(in, CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
      columns.addAll(p.getHeaderNames());
      for (CSVRecord r : p) {
        long round;
        try {
          round = Long.parseLong(r.get("round"));
        } catch (IllegalArgumentException e) {
          throw new IOException(file + ": line " + p.getCurrentLineNumber() + ": not a metrics row of this sink ("
              + e.getMessage() + ")", e);
        }
        if (round < firstRound) {
          rows.add(new LinkedHashMap<>(r.toMap()));
        }
      }
    }
  }

  @Override
  public void release(int round, Map<String, Double> metrics) throws IOException {
    Map<String, String> row = new LinkedHashMap<>();
    row.put("round", String.valueOf(round));
    metrics.forEach((k, v) -> row.put(k, String.valueOf(v)));
    columns.addAll(row.keySet());
    rows.add(row);
    StringWriter text = new StringWriter();
    try (CSVPrinter out = new CSVPrinter(text, CSVFormat.RFC4180.builder().setRecordSeparator('\n').get())) {
      out.printRecord(columns);
      for (Map<String, String> r : rows) {
        List<String> cells = new ArrayList<>();
        for (String c : columns) {
          cells.add(r.getOrDefault(c, ""));
        }
        out.printRecord(cells);
      }
    }
    AtomicFiles.replace(file, text.toString().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    // every release already left the file complete on disk
  }
}
