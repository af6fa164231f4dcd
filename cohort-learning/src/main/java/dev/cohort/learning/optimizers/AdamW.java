package dev.cohort.learning.optimizers;

import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
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
    Leaves.checkMatch(weights, gradients);
    Object accumulator = state.get("accumulator");
    Object preconditioner = state.get("preconditioner");
    Leaves.checkState(weights, accumulator, "accumulator");
    Leaves.checkState(weights, preconditioner, "preconditioner");
    float lr = Leaves.hparam(state, LEARNING_RATE);
    float beta1 = Leaves.hparam(state, "beta_1");
    float beta2 = Leaves.hparam(state, "beta_2");
    float eps = Leaves.hparam(state, "epsilon");
    float decay = Leaves.hparam(state, "weight_decay");
    int step = Leaves.counter(state, "step") + 1;
    float normalization = Leaves.sqrt(1f - Leaves.pow(beta2, step)) / (1f - Leaves.pow(beta1, step));
    float oneMinusBeta1 = 1f - beta1;
    float oneMinusBeta2 = 1f - beta2;
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
        float ai = ak[i] + (gi - ak[i]) * oneMinusBeta1;
        float si = sk[i] + (gi * gi - sk[i]) * oneMinusBeta2;
        na.get(k)[i] = ai;
        ns.get(k)[i] = si;
        nw.get(k)[i] = wk[i] - lr * (normalization * ai / (Leaves.sqrt(si) + eps) + decay * wk[i]);
      }
    }
    Struct next = Struct.named(LEARNING_RATE, state.get(LEARNING_RATE), "beta_1", state.get("beta_1"), "beta_2",
        state.get("beta_2"), "epsilon", state.get("epsilon"), "step", Tensor.scalar(step), "accumulator",
        Leaves.like(weights, na), "preconditioner", Leaves.like(weights, ns), "weight_decay",
        state.get("weight_decay"));
    return new Step(next, Leaves.like(weights, nw));
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
