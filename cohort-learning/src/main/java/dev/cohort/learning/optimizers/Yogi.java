package dev.cohort.learning.optimizers;

import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;

/**
 * Yogi (Zaheer, Reddi, Sachan, Kale and Kumar 2018, "Adaptive Methods for Nonconvex Optimization", NeurIPS), as
 * TFF's {@code build_yogi}: Adam with an additive preconditioner update, at step {@code t} (from 1)
 *
 * <pre>
 * acc = acc + (g - acc) * (1 - beta_1)
 * s   = s + (1 - beta_2) * sign(g^2 - s) * g^2
 * normalized_lr = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
 * w   = w - normalized_lr * acc / (sqrt(s) + eps)
 * </pre>
 *
 * (TFF's documentation writes {@code sign(g - s)}; its code, and this, use {@code g^2}.) State and
 * hyper-parameters as {@link Adam}'s, the preconditioner starting at {@code initialPreconditionerValue}.
 *
 * @param learningRate {@code >= 0}
 * @param beta1 in {@code [0, 1)}
 * @param beta2 in {@code [0, 1)}
 * @param epsilon {@code >= 0}
 * @param initialPreconditionerValue {@code >= 0}
 */
public record Yogi(double learningRate, double beta1, double beta2, double epsilon,
    double initialPreconditionerValue) implements Optimizer {
  /** Rejects a negative learning rate, epsilon or initial preconditioner and a beta outside [0, 1), naming it. */
  public Yogi {
    Leaves.nonNegative(LEARNING_RATE, learningRate);
    Leaves.unitInterval("beta_1", beta1);
    Leaves.unitInterval("beta_2", beta2);
    Leaves.nonNegative("epsilon", epsilon);
    Leaves.nonNegative("initial_preconditioner_value", initialPreconditionerValue);
  }

  @Override
  public String kind() {
    return "yogi";
  }

  @Override
  public Struct initialize(Type weightsType) {
    return Adam.initial(weightsType, learningRate, beta1, beta2, epsilon, (float) initialPreconditionerValue);
  }

  @Override
  public Step next(Struct state, Object weights, Object gradients) {
    return Adam.step(state, weights, gradients, true, false);
  }

  @Override
  public Struct getHparams(Struct state) {
    return Leaves.select(state, Adam.KEYS);
  }

  @Override
  public Struct setHparams(Struct state, Struct hparams) {
    return Adam.checked(Leaves.replace(state, hparams, Adam.KEYS));
  }
}
