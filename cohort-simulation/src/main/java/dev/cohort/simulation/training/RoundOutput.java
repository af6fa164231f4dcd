package dev.cohort.simulation.training;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a round of an {@link IterativeProcess} returns.
 *
 * @param <S> the server state
 * @param state the state after the round
 * @param metrics the round's metrics by flat name ({@code client_work/train/loss}; see {@link Metrics#flatten}), in
 *     a stable order
 */
public record RoundOutput<S>(S state, Map<String, Double> metrics) {
  /** Copies the metrics, keeping their order. */
  public RoundOutput {
    Objects.requireNonNull(state, "state");
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }
}
