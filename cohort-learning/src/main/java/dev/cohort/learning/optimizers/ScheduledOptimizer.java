package dev.cohort.learning.optimizers;

import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An optimizer whose learning rate follows a schedule (TFF's {@code schedule_learning_rate}): the {@code i}-th
 * {@link #next} (from 0) uses {@code schedule.learningRate(i)}. State
 * {@code <round_num=int32,optimizer=S>} where {@code S} is the wrapped optimizer's state, whose {@code learning_rate}
 * always holds the rate of the next step; hyper-parameters are the wrapped optimizer's.
 *
 * @param optimizer an optimizer with a top-level {@code learning_rate} in its state
 * @param schedule the learning rate per step
 */
public record ScheduledOptimizer(Optimizer optimizer, LearningRateSchedule schedule) implements Optimizer {
  /** Rejects an optimizer without a top-level learning rate (Adafactor keeps it under {@code hparams}). */
  public ScheduledOptimizer {
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(schedule, "schedule");
    if (optimizer instanceof Adafactor) {
      throw new IllegalArgumentException("scheduleLearningRate needs an optimizer whose state has '" + LEARNING_RATE
          + "' at its top level; Adafactor keeps it under 'hparams'");
    }
  }

  @Override
  public String kind() {
    return "scheduled." + schedule.name() + "." + optimizer.kind();
  }

  @Override
  public Struct initialize(Type weightsType) {
    Struct inner = withLearningRate(optimizer.initialize(weightsType), schedule.learningRate(0));
    return Struct.named("round_num", Tensor.scalar(0), "optimizer", inner);
  }

  @Override
  public Step next(Struct state, Object weights, Object gradients) {
    Step step = optimizer.next((Struct) state.get("optimizer"), weights, gradients);
    int round = Leaves.counter(state, "round_num") + 1;
    Struct inner = withLearningRate(step.state(), schedule.learningRate(round));
    return new Step(Struct.named("round_num", Tensor.scalar(round), "optimizer", inner), step.weights());
  }

  private static Struct withLearningRate(Struct state, float lr) {
    List<Object> values = new ArrayList<>(state.values());
    values.set(state.names().indexOf(LEARNING_RATE), Tensor.scalar(lr));
    return Struct.of(state.names(), values);
  }

  @Override
  public Struct getHparams(Struct state) {
    return optimizer.getHparams((Struct) state.get("optimizer"));
  }

  @Override
  public Struct setHparams(Struct state, Struct hparams) {
    return Struct.named("round_num", state.get("round_num"), "optimizer",
        optimizer.setHparams((Struct) state.get("optimizer"), hparams));
  }
}
