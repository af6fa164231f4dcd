package dev.cohort.learning.optimizers;

import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam (Kingma and Ba 2015, "Adam: A Method for Stochastic Optimization", arXiv:1412.6980), as TFF's
 * {@code build_adam}; at step {@code t} (from 1):
 *
 * <pre>
 * acc = acc + (g - acc) * (1 - beta_1)
 * s   = s + (g^2 - s) * (1 - beta_2)
 * normalized_lr = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
 * w   = w - normalized_lr * acc / (sqrt(s) + eps)
 * </pre>
 *
 * State {@code <learning_rate,beta_1,beta_2,epsilon (float32),step=int32,accumulator=W,preconditioner=W>};
 * hyper-parameters {@code learning_rate}, {@code beta_1}, {@code beta_2}, {@code epsilon}.
 *
 * @param learningRate {@code >= 0}
 * @param beta1 in {@code [0, 1)}
 * @param beta2 in {@code [0, 1)}
 * @param epsilon {@code >= 0}
 */
public record Adam(double learningRate, double beta1, double beta2, double epsilon) implements Optimizer {
  static final List<String> KEYS = List.of(LEARNING_RATE, "beta_1", "beta_2", "epsilon");

  /** Rejects a negative learning rate or epsilon and a beta outside [0, 1), naming it. */
  public Adam {
    Leaves.nonNegative(LEARNING_RATE, learningRate);
    Leaves.unitInterval("beta_1", beta1);
    Leaves.unitInterval("beta_2", beta2);
    Leaves.nonNegative("epsilon", epsilon);
  }

  @Override
  public String kind() {
    return "adam";
  }

  @Override
  public Struct initialize(Type weightsType) {
    return initial(weightsType, learningRate, beta1, beta2, epsilon, 0f);
  }

  /** The state shared by Adam and Yogi. */
  static Struct initial(Type weightsType, double lr, double beta1, double beta2, double epsilon, float precond) {
    Leaves.checkWeightsType(weightsType);
    return Struct.named(LEARNING_RATE, Leaves.scalar(lr), "beta_1", Leaves.scalar(beta1), "beta_2",
        Leaves.scalar(beta2), "epsilon", Leaves.scalar(epsilon), "step", Tensor.scalar(0),
        "accumulator", Leaves.filled(weightsType, 0f), "preconditioner", Leaves.filled(weightsType, precond));
  }

  @Override
  public Step next(Struct state, Object weights, Object gradients) {
    return step(state, weights, gradients, false, false);
  }

  /**
   * Adam's step; Yogi's (whose preconditioner moves additively by the sign of {@code g^2 - s}); or AdamW's (whose
   * state ends with {@code weight_decay}, applied to the weights outside the normalized step).
   */
  static Step step(Struct state, Object weights, Object gradients, boolean yogi, boolean weightDecay) {
    Leaves.checkMatch(weights, gradients);
    Object accumulator = state.get("accumulator");
    Object preconditioner = state.get("preconditioner");
    Leaves.checkState(weights, accumulator, "accumulator");
    Leaves.checkState(weights, preconditioner, "preconditioner");
    float lr = Leaves.hparam(state, LEARNING_RATE);
    float beta1 = Leaves.hparam(state, "beta_1");
    float beta2 = Leaves.hparam(state, "beta_2");
    float eps = Leaves.hparam(state, "epsilon");
    float decay = weightDecay ? Leaves.hparam(state, "weight_decay") : 0f;
    int step = Leaves.counter(state, "step") + 1;
    float oneMinusBeta1 = 1f - beta1;
    float oneMinusBeta2 = 1f - beta2;
    float normalization = Leaves.sqrt(1f - Leaves.pow(beta2, step)) / (1f - Leaves.pow(beta1, step));
    float normalizedLr = lr * normalization;
    List<float[]> w = Leaves.data(weights);
    List<float[]> g = Leaves.data(gradients);
    List<float[]> a = Leaves.data(accumulator);
    List<float[]> s = Leaves.data(preconditioner);
    List<float[]> na = Leaves.newLike(weights);
    List<float[]> ns = Leaves.newLike(weights);
    List<float[]> nw = Leaves.newLike(weights);
    for (int k = 0; k < w.size(); k++) {
      float[] wk = w.get(k);
      float[] gk = g.get(k);
      float[] ak = a.get(k);
      float[] sk = s.get(k);
      for (int i = 0; i < wk.length; i++) {
        float gi = gk[i];
        float g2 = gi * gi;
        float ai = ak[i] + (gi - ak[i]) * oneMinusBeta1;
        float si = yogi ? sk[i] + oneMinusBeta2 * Math.signum(g2 - sk[i]) * g2 : sk[i] + (g2 - sk[i]) * oneMinusBeta2;
        na.get(k)[i] = ai;
        ns.get(k)[i] = si;
        // AdamW keeps TFF's order of operations: lr * (normalization * acc / (sqrt(s) + eps) + decay * w).
        nw.get(k)[i] = weightDecay ? wk[i] - lr * (normalization * ai / (Leaves.sqrt(si) + eps) + decay * wk[i])
            : wk[i] - normalizedLr * ai / (Leaves.sqrt(si) + eps);
      }
    }
    List<String> names = new ArrayList<>(List.of(LEARNING_RATE, "beta_1", "beta_2", "epsilon", "step",
        "accumulator", "preconditioner"));
    List<Object> values = new ArrayList<>(List.of(state.get(LEARNING_RATE), state.get("beta_1"),
        state.get("beta_2"), state.get("epsilon"), Tensor.scalar(step), Leaves.like(weights, na),
        Leaves.like(weights, ns)));
    if (weightDecay) {
      names.add("weight_decay");
      values.add(state.get("weight_decay"));
    }
    return new Step(Struct.of(names, values), Leaves.like(weights, nw));
  }

  @Override
  public Struct getHparams(Struct state) {
    return Leaves.select(state, KEYS);
  }

  @Override
  public Struct setHparams(Struct state, Struct hparams) {
    return checked(Leaves.replace(state, hparams, KEYS));
  }

  /** Checks the hyper-parameters Adam, AdamW and Yogi share. */
  static Struct checked(Struct state) {
    Leaves.nonNegative(LEARNING_RATE, Leaves.hparam(state, LEARNING_RATE));
    Leaves.unitInterval("beta_1", Leaves.hparam(state, "beta_1"));
    Leaves.unitInterval("beta_2", Leaves.hparam(state, "beta_2"));
    Leaves.nonNegative("epsilon", Leaves.hparam(state, "epsilon"));
    return state;
  }
}
