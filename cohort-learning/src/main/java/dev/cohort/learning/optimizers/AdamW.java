package dev.cohort.learning.optimizers;

import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import java.util.ArrayList;
import java.util.List;

/**
 * AdamW, Adam with decoupled weight decay (Loshchilov and Hutter 2019, "Decoupled Weight Decay Regularization",
 * arXiv:1711.05101), as TFF's {@code build_adamw}; at step {@code t} (from 1):
 *
 * <pre>
 * acc = acc + (g - acc) * (1 - beta_1)
 * s   = s + (g^2 - s) * (1 - beta_2)
 * normalization = sqrt(1 - beta_2^t) / (1 - beta_1^t)
 * w   = w - lr * (normalization * acc / (sqrt(s) + eps) + weight_decay * w)
 * </pre>
 *
 * State {@link Adam}'s followed by {@code weight_decay=float32}; hyper-parameters Adam's and {@code weight_decay}.
 *
 * @param learningRate {@code >= 0}
 * @param beta1 in {@code [0, 1)}
 * @param beta2 in {@code [0, 1)}
 * @param epsilon {@code >= 0}
 * @param weightDecay {@code >= 0}
 */
public record AdamW(double learningRate, double beta1, double beta2, double epsilon, double weightDecay)
    implements Optimizer {
  private static final List<String> KEYS = List.of(LEARNING_RATE, "beta_1", "beta_2", "epsilon", "weight_decay");

  /** Rejects a negative learning rate, epsilon or weight decay and a beta outside [0, 1), naming it. */
  public AdamW {
    Leaves.nonNegative(LEARNING_RATE, learningRate);
    Leaves.unitInterval("beta_1", beta1);
    Leaves.unitInterval("beta_2", beta2);
    Leaves.nonNegative("epsilon", epsilon);
    Leaves.nonNegative("weight_decay", weightDecay);
  }

  @Override
  public String kind() {
    return "adamw";
  }

  @Override
  public Struct initialize(Type weightsType) {
    Struct adam = Adam.initial(weightsType, learningRate, beta1, beta2, epsilon, 0f);
    List<String> names = new ArrayList<>(adam.names());
    List<Object> values = new ArrayList<>(adam.values());
    names.add("weight_decay");
    values.add(Leaves.scalar(weightDecay));
    return Struct.of(names, values);
  }

  @Override
  public Step next(Struct state, Object weights, Object gradients) {
    return Adam.step(state, weights, gradients, false, true);
  }

  @Override
  public Struct getHparams(Struct state) {
    return Leaves.select(state, KEYS);
  }

  @Override
  public Struct setHparams(Struct state, Struct hparams) {
    Struct next = Adam.checked(Leaves.replace(state, hparams, KEYS));
    Leaves.nonNegative("weight_decay", Leaves.hparam(next, "weight_decay"));
    return next;
  }
}
