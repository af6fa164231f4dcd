package dev.cohort.learning.optimizers;

import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import java.util.List;

/**
 * Gradient descent, with optional momentum (TFF's {@code build_sgdm}):
 *
 * <pre>
 * no momentum:  w = w - lr * g
 * momentum m:   v = m * v + g;  w = w - lr * v
 * Nesterov:     v = m * v + g;  w = w - lr * (g + m * v)
 * </pre>
 *
 * State {@code <learning_rate=float32>}, or {@code <learning_rate=float32,momentum=float32,accumulator=W>} when
 * {@code momentum > 0}; hyper-parameters {@code learning_rate} (and {@code momentum}).
 *
 * @param learningRate {@code >= 0}
 * @param momentum in {@code [0, 1)}; 0 means no momentum and no accumulator
 * @param nesterov Nesterov's momentum; requires {@code momentum > 0}
 */
public record Sgdm(double learningRate, double momentum, boolean nesterov) implements Optimizer {
  /** Rejects a negative learning rate, a momentum outside [0, 1), and Nesterov without momentum. */
  public Sgdm {
    Leaves.nonNegative(LEARNING_RATE, learningRate);
    Leaves.unitInterval("momentum", momentum);
    if (nesterov && momentum == 0) {
      throw new IllegalArgumentException("nesterov requires momentum > 0, found momentum 0.0");
    }
  }

  private boolean hasMomentum() {
    return momentum > 0;
  }

  private List<String> keys() {
    return hasMomentum() ? List.of(LEARNING_RATE, "momentum") : List.of(LEARNING_RATE);
  }

  @Override
  public String kind() {
    return nesterov ? "sgdm_nesterov" : hasMomentum() ? "sgdm_momentum" : "sgdm";
  }

  @Override
  public Struct initialize(Type weightsType) {
    Leaves.checkWeightsType(weightsType);
    if (!hasMomentum()) {
      return Struct.named(LEARNING_RATE, Leaves.scalar(learningRate));
    }
    return Struct.named(LEARNING_RATE, Leaves.scalar(learningRate), "momentum",
        Leaves.scalar(momentum), "accumulator", Leaves.filled(weightsType, 0f));
  }

  @Override
  public Step next(Struct state, Object weights, Object gradients) {
    return step(state, weights, gradients, false);
  }

  /** Without momentum, the new weights overwrite {@code weights}' arrays; with momentum, as {@link #next}. */
  @Override
  public Step nextInPlace(Struct state, Object weights, Object gradients) {
    return step(state, weights, gradients, true);
  }

  private Step step(Struct state, Object weights, Object gradients, boolean inPlace) {
    Leaves.checkMatch(weights, gradients);
    float lr = Leaves.hparam(state, LEARNING_RATE);
    List<float[]> w = Leaves.data(weights);
    List<float[]> g = Leaves.data(gradients);
    if (!hasMomentum() && inPlace) {
      for (int k = 0; k < w.size(); k++) {
        float[] wk = w.get(k);
        float[] gk = g.get(k);
        for (int i = 0; i < wk.length; i++) {
          wk[i] = wk[i] - lr * gk[i];
        }
      }
      return new Step(state, weights);
    }
    List<float[]> out = Leaves.newLike(weights);
    if (!hasMomentum()) {
      for (int k = 0; k < w.size(); k++) {
        float[] wk = w.get(k);
        float[] gk = g.get(k);
        float[] ok = out.get(k);
        for (int i = 0; i < wk.length; i++) {
          ok[i] = wk[i] - lr * gk[i];
        }
      }
      return new Step(state, Leaves.like(weights, out));
    }
    Object accumulator = state.get("accumulator");
    Leaves.checkState(weights, accumulator, "accumulator");
    float m = Leaves.hparam(state, "momentum");
    List<float[]> a = Leaves.data(accumulator);
    List<float[]> acc = Leaves.newLike(weights);
    for (int k = 0; k < w.size(); k++) {
      float[] wk = w.get(k);
      float[] gk = g.get(k);
      float[] ak = a.get(k);
      float[] ok = out.get(k);
      float[] nk = acc.get(k);
      for (int i = 0; i < wk.length; i++) {
        nk[i] = m * ak[i] + gk[i];
        ok[i] = nesterov ? wk[i] - lr * (gk[i] + m * nk[i]) : wk[i] - lr * nk[i];
      }
    }
    Struct next = Struct.named(LEARNING_RATE, state.get(LEARNING_RATE), "momentum", state.get("momentum"),
        "accumulator", Leaves.like(weights, acc));
    return new Step(next, Leaves.like(weights, out));
  }

  @Override
  public Struct getHparams(Struct state) {
    return Leaves.select(state, keys());
  }

  @Override
  public Struct setHparams(Struct state, Struct hparams) {
    Struct next = Leaves.replace(state, hparams, keys());
    Leaves.nonNegative(LEARNING_RATE, Leaves.hparam(next, LEARNING_RATE));
    if (hasMomentum()) {
      Leaves.unitInterval("momentum", Leaves.hparam(next, "momentum"));
    }
    return next;
  }
}
