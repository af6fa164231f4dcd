package dev.cohort.simulation.training;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Progress of a {@link TrainingLoop}, for a command line to draw; every method does nothing by default. */
public interface TrainingListener {
  /**
   * The run resumes after {@code round} from {@code checkpoint}.
   *
   * @param round the last round the checkpoint holds
   * @param checkpoint the checkpoint read
   */
  default void resumed(int round, Path checkpoint) {}

  /**
   * A checkpoint newer than the one resumed from could not be read and was skipped.
   *
   * @param checkpoint the file
   * @param problem what is wrong with it
   */
  default void checkpointSkipped(Path checkpoint, String problem) {}

  /**
   * A round finished.
   *
   * @param round the round, from 1 (0 is the initial evaluation)
   * @param totalRounds the rounds of the run
   * @param metrics the metrics released for the round (training, and evaluation where it ran)
   * @param took the time of the round's training and evaluation
   */
  default void roundDone(int round, int totalRounds, Map<String, Double> metrics, Duration took) {}

  /**
   * A checkpoint was written.
   *
   * @param round the round it holds
   * @param checkpoint the file
   */
  default void checkpointWritten(int round, Path checkpoint) {}
}
