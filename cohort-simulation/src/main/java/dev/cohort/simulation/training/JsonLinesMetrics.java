package dev.cohort.simulation.training;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Metrics as JSON lines, one object per round: {@code {"round":3,"client_work/train/loss":0.52,...}} (names flat,
 * in the process's order; non-finite values as the strings {@code "NaN"}, {@code "Infinity"}). Each release appends
 * a line and flushes; when a run resumes, the lines from the resumed round on are dropped first (the file is
 * rewritten through a temporary file and a rename), and so is a last line without its newline, which a run killed
 * while writing it leaves.
 */
public final class JsonLinesMetrics implements MetricsSink {
  private static final JsonFactory JSON = new JsonFactory();

  private final Path file;
  private BufferedWriter out;

  /** Metrics written to {@code file}. */
  public JsonLinesMetrics(Path file) {
    this.file = Objects.requireNonNull(file, "file");
  }

  @Override
  public void start(int firstRound) throws IOException {
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    if (Files.exists(file)) {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      // A line without its newline is one a killed run was writing: it was never complete, so it is dropped.
      List<String> lines = text.substring(0, text.lastIndexOf('\n') + 1).lines().toList();
      for (int i = 0; i < lines.size(); i++) {
        if (round(lines.get(i), i + 1) < firstRound) {
          kept.writeBytes((lines.get(i) + "\n").getBytes(StandardCharsets.UTF_8));
        }
      }
    }
    AtomicFiles.replace(file, kept.toByteArray());
    out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  private long round(String line, int number) throws IOException {
    try (JsonParser p = JSON.createParser(line)) {
      if (p.nextToken() == JsonToken.START_OBJECT && p.nextToken() == JsonToken.FIELD_NAME
          && p.currentName().equals("round") && p.nextToken() == JsonToken.VALUE_NUMBER_INT) {
        return p.getLongValue();
      }
    } catch (IOException e) {
      throw new IOException(file + ": line " + number + ": not a metrics line of this sink (" + e.getMessage() + ")",
          e);
    }
    throw new IOException(file + ": line " + number + ": not a metrics line of this sink (no leading \"round\")");
  }

  @Override
  public void release(int round, Map<String, Double> metrics) throws IOException {
    if (out == null) {
      throw new IllegalStateException("JsonLinesMetrics: release before start");
    }
    StringWriter line = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(line)) {
      g.writeStartObject();
      g.writeNumberField("round", round);
      for (Map.Entry<String, Double> e : metrics.entrySet()) {
        g.writeNumberField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
    }
    out.write(line.toString());
    out.write('\n');
    out.flush();
  }

  @Override
  public void close() throws IOException {
    if (out != null) {
      out.close();
    }
  }
}
