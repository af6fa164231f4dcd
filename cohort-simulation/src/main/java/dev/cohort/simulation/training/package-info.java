/**
 * The training driver: rounds over an {@link dev.cohort.simulation.training.IterativeProcess}, client sampling,
 * periodic evaluation, metric release (CSV, JSON lines, TensorBoard) and checkpoints that a run resumes from.
 *
 * <h2>Contents</h2>
 * <ul>
 *   <li>{@link dev.cohort.simulation.training.TrainingLoop}: the driver (TFF's {@code run_training_process} with
 *       program state).
 *   <li>{@link dev.cohort.simulation.training.IterativeProcess}, {@link dev.cohort.simulation.training.RoundOutput},
 *       {@link dev.cohort.simulation.training.Evaluation}: what it drives;
 *       {@link dev.cohort.simulation.training.LearningProcessRun}: a cohort-learning {@code LearningProcess} as one,
 *       with states saved by {@link dev.cohort.simulation.training.TensorStates}.
 *   <li>{@link dev.cohort.simulation.training.MetricsSink} and {@link dev.cohort.simulation.training.CsvMetrics},
 *       {@link dev.cohort.simulation.training.JsonLinesMetrics},
 *       {@link dev.cohort.simulation.training.TensorBoardMetrics}; {@link dev.cohort.simulation.training.Metrics}
 *       flattens nested metric structs to names like {@code client_work/train/loss}.
 *   <li>{@link dev.cohort.simulation.training.TrainingListener}: progress for a command line;
 *       {@link dev.cohort.simulation.training.CheckpointException}: an unusable checkpoint.
 * </ul>
 */
package dev.cohort.simulation.training;
