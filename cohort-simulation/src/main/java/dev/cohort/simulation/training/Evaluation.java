package dev.cohort.simulation.training;

import java.util.Map;

/**
 * Federated evaluation of a state, run by the {@link TrainingLoop} every few rounds (TFF's {@code evaluation_fn});
 * its metrics are released under {@code evaluation/}.
 *
 * @param <S> the server state
 */
@FunctionalInterface
public interface Evaluation<S> {
  /**
   * The metrics of {@code state} after {@code round} (0: the initial state), by flat name.
   *
   * @param state the state to evaluate
   * @param round the rounds trained
   */
  Map<String, Double> evaluate(S state, int round);
}
