package dev.cohort.nn;

import static dev.cohort.tensor.internal.Checks.checkState;

import dev.cohort.tensor.RandomStream;

/**
 * One forward computation of a model: the tape it records on, whether it trains (dropout on), and the random
 * stream that keys per-layer randomness. Key that stream by everything that should change the numbers, e.g.
 * {@code RandomStream.of(seed, round, client, step)}: a stream reused for every step repeats the dropout masks.
 */
public final class ForwardPass {
  private final Tape tape;
  private final boolean training;
  private final RandomStream rng;

  /**
   * A pass on {@code tape}. {@code rng} may be null when no layer draws random numbers (it is required for
   * dropout in training); each layer forks it by its index, so layers never share numbers.
   */
  public ForwardPass(Tape tape, boolean training, RandomStream rng) {
    this.tape = tape;
    this.training = training;
    this.rng = rng;
  }

  /** The tape. */
  public Tape tape() {
    return tape;
  }

  /** True in training (dropout active). */
  public boolean training() {
    return training;
  }

  /** The stream for the layer with index {@code layerIndex}, or an error naming the layer if none was given. */
  public RandomStream random(int layerIndex, String layerName) {
    checkState(rng != null, "layer %s needs random numbers in training: pass a RandomStream to the ForwardPass", layerName);
    return rng.fork(layerIndex);
  }

  /** The variable for {@code p} on this pass's tape ({@link Tape#watch(Parameter)}). */
  public Variable bind(Parameter p) {
    return tape.watch(p);
  }
}
