package dev.cohort.learning.optimizers;

import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import java.util.List;

/**
 * Adagrad (Duchi, Hazan and Singer 2011, "Adaptive Subgradient Methods for Online Learning and Stochastic
 * Optimization", JMLR 12), as TFF's {@code build_adagrad}:
 *
 * <pre>
 * s = s + g^2
 * w = w - lr * g / sqrt(s + eps)
 * </pre>
 *
 * State {@code <learning_rate=float32,epsilon=float32,preconditioner=W>}, the preconditioner starting at
 * {@code initialPreconditionerValue}; hyper-parameters {@code learning_rate}, {@code epsilon}.
 *
 * @param learningRate {@code >= 0}
 * @param initialPreconditionerValue {@code >= 0}
 * @param epsilon {@code >= 0}
 */
public record Adagrad(double learningRate, double initialPreconditionerValue, double epsilon) implements Optimizer {
  private static final List<String> KEYS = List.of(LEARNING_RATE, "epsilon");

  /** Rejects a negative or non-finite hyper-parameter, naming it. */
  public Adagrad {
    Leaves.nonNegative(LEARNING_RATE, learningRate);
    Leaves.nonNegative("initial_preconditioner_value", initialPreconditionerValue);
    Leaves.nonNegative("epsilon", epsilon);
  }

  @Override
  public String kind() {
    return "adagrad";
  }

  @Override
  public Struct initialize(Type weightsType) {
    Leaves.checkWeightsType(weightsType);
    return Struct.named(LEARNING_RATE, Leaves.scalar(learningRate), "epsilon", Leaves.scalar(epsilon),
        "preconditioner", Leaves.filled(weightsType, (float) initialPreconditionerValue));
  }

  @Override
  public Step next(Struct state, Object weights, Object gradients) {
    Leaves.checkMatch(weights, gradients);
    Object preconditioner = state.get("preconditioner");
    Leaves.checkState(weights, preconditioner, "preconditioner");
    float lr = Leaves.hparam(state, LEARNING_RATE);
    float eps = Leaves.hparam(state, "epsilon");
    List<float[]> w = Leaves.data(weights);
    List<float[]> g = Leaves.data(gradients);
    List<float[]> s = Leaves.data(preconditioner);
    List<float[]> ns = Leaves.newLike(weights);
    List<float[]> nw = Leaves.newLike(weights);
    for (int k = 0; k < w.size(); k++) {
      float[] wk = w.get(k);
      float[] gk = g.get(k);
      for (int i = 0; i < wk.length; i++) {
        float si = s.get(k)[i] + gk[i] * gk[i];
        ns.get(k)[i] = si;
        nw.get(k)[i] = wk[i] - lr * gk[i] / Leaves.sqrt(si + eps);
      }
    }
    return new Step(Struct.named(LEARNING_RATE, state.get(LEARNING_RATE), "epsilon", state.get("epsilon"),
        "preconditioner", Leaves.like(weights, ns)), Leaves.like(weights, nw));
  }

  @Override
  public Struct getHparams(Struct state) {
    return Leaves.select(state, KEYS);
  }

  @Override
  public Struct setHparams(Struct state, Struct hparams) {
    Struct next = Leaves.replace(state, hparams, KEYS);
    Leaves.nonNegative(LEARNING_RATE, Leaves.hparam(next, LEARNING_RATE));
    Leaves.nonNegative("epsilon", Leaves.hparam(next, "epsilon"));
    return next;
  }
}
