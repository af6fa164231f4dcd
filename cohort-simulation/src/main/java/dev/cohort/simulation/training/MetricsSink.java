package dev.cohort.simulation.training;

import java.io.IOException;
import java.util.Map;

/**
 * Where a {@link TrainingLoop} releases each round's metrics (TFF's release managers keyed by round):
 * {@link CsvMetrics}, {@link JsonLinesMetrics}, {@link TensorBoardMetrics}.
 */
public interface MetricsSink extends AutoCloseable {
  /**
   * Called once before the first release: rounds from {@code firstRound} on are about to be released (0 for a new
   * run; the checkpoint's round + 1 when resuming), so what an earlier run released from that round on is dropped.
   *
   * @throws IOException if the sink cannot be written
   */
  void start(int firstRound) throws IOException;

  /**
   * Releases one round's metrics.
   *
   * @throws IOException if the sink cannot be written
   */
  void release(int round, Map<String, Double> metrics) throws IOException;

  /** Flushes and closes. */
  @Override
  void close() throws IOException;
}
