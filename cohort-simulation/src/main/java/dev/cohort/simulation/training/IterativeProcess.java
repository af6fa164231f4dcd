package dev.cohort.simulation.training;

import dev.cohort.core.values.FederatedValue;

/**
 * What the {@link TrainingLoop} drives: TFF's {@code IterativeProcess} / {@code LearningProcess} as far as a
 * training loop needs it. {@link LearningProcessRun} implements it for a cohort-learning {@code LearningProcess};
 * a program with its own metrics per round (as {@code cohort train}) implements it directly. A process is deterministic: the same state and clients give the same next state
 * (randomness keyed on the round, as Cohort's streams are), which is what makes a resumed run equal an uninterrupted
 * one.
 *
 * @param <S> the server state
 */
public interface IterativeProcess<S> {
  /** The state before round 1. */
  S initialize();

  /**
   * One round: the next state and the round's metrics.
   *
   * @param state the state after the previous round
   * @param clientData the round's clients' datasets, a CLIENTS value ({@code ClientData.atClients(ids)})
   * @param round the round, from 1
   */
  RoundOutput<S> next(S state, FederatedValue clientData, int round);

  /**
   * What identifies the model and the algorithm (architecture, hyperparameters), written into checkpoints: a
   * checkpoint of another fingerprint is refused on resume.
   */
  String fingerprint();

  /** The state as bytes, for a checkpoint. */
  byte[] saveState(S state);

  /**
   * The state from {@link #saveState}'s bytes.
   *
   * @throws IllegalArgumentException if the bytes are not a state of this process
   */
  S loadState(byte[] bytes);
}
