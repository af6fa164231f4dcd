package dev.cohort.simulation.training;

import dev.cohort.simulation.proto.Event;
import dev.cohort.simulation.proto.Summary;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Objects;

/**
 * Metrics as TensorBoard scalars (TFF's {@code TensorBoardReleaseManager}): an event file
 * {@code events.out.tfevents.<seconds>.cohort.<pid>} in a directory, TFRecord-framed {@code Event} messages (masked
 * CRC-32C), the first holding {@code file_version = "brain.Event:2"}, then one per round with {@code step} = the
 * round and a {@code Summary} of one {@code simple_value} (float32) per metric, tagged with its flat name. Each
 * release is flushed. A resumed run writes a new event file; TensorBoard shows the newest value of a step.
 */
public final class TensorBoardMetrics implements MetricsSink {
  private final Path dir;
  private OutputStream out;
  private Path file;

  /** Event files written to {@code dir}. */
  public TensorBoardMetrics(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir");
  }

  /** The event file being written (after {@link #start}). */
  public Path file() {
    return file;
  }

  @Override
  public void start(int firstRound) throws IOException {
    Files.createDirectories(dir);
    long now = System.currentTimeMillis();
    String base = "events.out.tfevents." + (now / 1000) + ".cohort." + ProcessHandle.current().pid();
    Path candidate = dir.resolve(base);
    for (int i = 1; Files.exists(candidate); i++) {
      candidate = dir.resolve(base + "." + i);
    }
    file = candidate;
    out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW));
    TfRecord.write(out, Event.newBuilder().setWallTime(now / 1000.0).setFileVersion("brain.Event:2").build()
        .toByteArray());
    out.flush();
  }

  @Override
  public void release(int round, Map<String, Double> metrics) throws IOException {
    if (out == null) {
      throw new IllegalStateException("TensorBoardMetrics: release before start");
    }
    Summary.Builder summary = Summary.newBuilder();
    metrics.forEach((k, v) -> summary.addValue(Summary.Value.newBuilder().setTag(k).setSimpleValue(v.floatValue())));
    TfRecord.write(out, Event.newBuilder().setWallTime(System.currentTimeMillis() / 1000.0).setStep(round)
        .setSummary(summary).build().toByteArray());
    out.flush();
  }

  @Override
  public void close() throws IOException {
    if (out != null) {
      out.close();
    }
  }
}
