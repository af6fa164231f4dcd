package dev.cohort.nn;

import static dev.cohort.tensor.internal.Checks.checkArgument;
import static dev.cohort.tensor.internal.Checks.checkState;

import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records operations on {@link Variable}s for reverse-mode differentiation.
 *
 * <p>Use one tape per training step and thread: create leaves with {@link #constant}, {@link #watch(Tensor)} or
 * {@link #watch(Parameter)}, compute with {@code Variable} methods, then call {@link #backward(Variable)} on a
 * scalar loss. Gradients are kept for leaves: a watched tensor's via {@link #gradient}, a parameter's in
 * {@link Parameter#grad()} (overwritten, not accumulated across tapes).
 */
public final class Tape {
  private final List<Variable> nodes = new ArrayList<>();
  private final Map<Parameter, Variable> parameterLeaves = new IdentityHashMap<>();
  private boolean backwardDone;

  /** A new, empty tape. */
  public Tape() {}

  void record(Variable v) {
    checkState(!backwardDone, "this tape already ran backward(); record the next step on a new Tape");
    nodes.add(v);
  }

  /** A leaf that takes no gradient (input data, labels). */
  public Variable constant(Tensor value) {
    return Variable.leaf(this, value, false, null);
  }

  /** A leaf whose gradient {@link #backward} computes. */
  public Variable watch(Tensor value) {
    return Variable.leaf(this, value, true, null);
  }

  /**
   * The leaf bound to {@code p} on this tape: its gradient is written to {@link Parameter#grad()}. Watching the
   * same parameter again returns the same leaf, so every use of it adds to one gradient.
   */
  public Variable watch(Parameter p) {
    return parameterLeaves.computeIfAbsent(p, q -> Variable.leaf(this, q.value(), q.trainable(), q));
  }

  /**
   * Back-propagates from the scalar {@code loss}: afterwards every watched leaf the loss depends on holds
   * {@code d loss / d leaf}; parameters the loss does not depend on get a zero gradient.
   */
  public void backward(Variable loss) {
    checkArgument(loss.tape() == this, "backward: the loss was recorded on another tape");
    checkArgument(loss.value().size() == 1, "backward: loss must be a scalar, got shape %s", loss.value().shape());
    checkState(!backwardDone, "backward() already ran on this tape");
    backwardDone = true;
    loss.seedGradient();
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Variable v = nodes.get(i);
      if (v.requiresGrad() && v.hasGrad() && !v.isLeaf()) {
        v.propagate();
        v.releaseGradient();
      }
    }
    for (Variable p : parameterLeaves.values()) {
      if (p.requiresGrad() && !p.hasGrad()) {
        java.util.Arrays.fill(p.parameter().grad().floatData(), 0f);
      }
    }
  }

  /** The gradient of the last {@link #backward} with respect to the watched leaf {@code v} (zeros if unreached). */
  public Tensor gradient(Variable v) {
    checkArgument(v.isLeaf() && v.requiresGrad(), "gradient: only watched leaves keep gradients");
    checkState(backwardDone, "gradient: call backward(loss) first");
    return v.hasGrad() ? Tensor.wrap(v.gradArray(), v.value().shape()) : Tensor.zeros(v.value().dtype(), v.value().shape());
  }
}
