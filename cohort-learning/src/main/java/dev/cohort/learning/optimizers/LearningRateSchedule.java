package dev.cohort.learning.optimizers;

import dev.cohort.core.types.StructType;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntToDoubleFunction;

/**
 * A learning rate per step, {@code function.applyAsDouble(i)} for the {@code i}-th step from 0, under a stable
 * {@code name} (dotted identifiers, e.g. {@code inverse_sqrt} or {@code mnist.decay}) that identifies the function in
 * the parameters of the local computations built from it: a fresh JVM that defines the same schedule under the same
 * name loads them (see {@link Optimizer#nextComputation} and {@link Optimizer#defineLocalFamilies}).
 *
 * <pre>{@code
 * LearningRateSchedule decay = new LearningRateSchedule("decay_0_9", i -> 0.1 * Math.pow(0.9, i));
 * }</pre>
 *
 * @param name dotted identifiers
 * @param function the learning rate of step {@code i}; must be a finite number {@code >= 0} for every step used
 */
public record LearningRateSchedule(String name, IntToDoubleFunction function) {
  /** Rejects a name that is not dotted identifiers and a null function. */
  public LearningRateSchedule {
    Objects.requireNonNull(function, "function");
    if (name == null || !Arrays.stream(name.split("\\.", -1)).allMatch(StructType::isIdentifier)) {
      throw new IllegalArgumentException("schedule name '" + name + "' must be dotted identifiers, e.g. 'decay_0_9'");
    }
  }

  /**
   * The learning rate of step {@code step} as float32.
   *
   * @throws IllegalArgumentException naming the schedule and the step if it is negative or not finite
   */
  public float learningRate(int step) {
    double lr = function.applyAsDouble(step);
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("learning rate schedule '" + name + "' gave " + lr + " at step " + step
          + "; a learning rate must be a finite number >= 0");
    }
    return (float) lr;
  }
}
