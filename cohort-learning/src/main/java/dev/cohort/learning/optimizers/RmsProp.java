package dev.cohort.learning.optimizers;

import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import java.util.List;

/**
 * RMSprop (Tieleman and Hinton 2012, Coursera lecture 6.5), as TFF's {@code build_rmsprop}:
 *
 * <pre>
 * s = s + (g^2 - s) * (1 - d)        (= d * s + (1 - d) * g^2)
 * w = w - lr * g / (sqrt(s) + eps)
 * </pre>
 *
 * State {@code <learning_rate=float32,decay=float32,epsilon=float32,preconditioner=W>} (the preconditioner starts at
 * zero); hyper-parameters {@code learning_rate}, {@code decay}, {@code epsilon}.
 *
 * @param learningRate {@code >= 0}
 * @param decay in {@code [0, 1)}
 * @param epsilon {@code >= 0}
 */
public record RmsProp(double learningRate, double decay, double epsilon) implements Optimizer {
  private static final List<String> KEYS = List.of(LEARNING_RATE, "decay", "epsilon");

  /** Rejects a negative learning rate or epsilon and a decay outside [0, 1), naming it. */
  public RmsProp {
    Leaves.nonNegative(LEARNING_RATE, learningRate);
    Leaves.unitInterval("decay", decay);
    Leaves.nonNegative("epsilon", epsilon);
  }

  @Override
  public String kind() {
    return "rmsprop";
  }

  @Override
  public Struct initialize(Type weightsType) {
    Leaves.checkWeightsType(weightsType);
    return Struct.named(LEARNING_RATE, Leaves.scalar(learningRate), "decay", Leaves.scalar(decay), "epsilon",
        Leaves.scalar(epsilon), "preconditioner", Leaves.filled(weightsType, 0f));
  }

  @Override
  public Step next(Struct state, Object weights, Object gradients) {
    Leaves.checkMatch(weights, gradients);
    Object preconditioner = state.get("preconditioner");
    Leaves.checkState(weights, preconditioner, "preconditioner");
    float lr = Leaves.hparam(state, LEARNING_RATE);
    float oneMinusDecay = 1f - Leaves.hparam(state, "decay");
    float eps = Leaves.hparam(state, "epsilon");
    List<float[]> w = Leaves.data(weights);
    List<float[]> g = Leaves.data(gradients);
    List<float[]> s = Leaves.data(preconditioner);
    List<float[]> ns = Leaves.newLike(weights);
    List<float[]> nw = Leaves.newLike(weights);
    for (int k = 0; k < w.size(); k++) {
      float[] wk = w.get(k);
      float[] gk = g.get(k);
      float[] sk = s.get(k);
      for (int i = 0; i < wk.length; i++) {
        float si = sk[i] + (gk[i] * gk[i] - sk[i]) * oneMinusDecay;
        ns.get(k)[i] = si;
        nw.get(k)[i] = wk[i] - lr * gk[i] / (Leaves.sqrt(si) + eps);
      }
    }
    return new Step(Struct.named(LEARNING_RATE, state.get(LEARNING_RATE), "decay", state.get("decay"), "epsilon",
        state.get("epsilon"), "preconditioner", Leaves.like(weights, ns)), Leaves.like(weights, nw));
  }

  @Override
  public Struct getHparams(Struct state) {
    return Leaves.select(state, KEYS);
  }

  @Override
  public Struct setHparams(Struct state, Struct hparams) {
    Struct next = Leaves.replace(state, hparams, KEYS);
    Leaves.nonNegative(LEARNING_RATE, Leaves.hparam(next, LEARNING_RATE));
    Leaves.unitInterval("decay", Leaves.hparam(next, "decay"));
    Leaves.nonNegative("epsilon", Leaves.hparam(next, "epsilon"));
    return next;
  }
}
