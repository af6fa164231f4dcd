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
 *
 * <p>A training loop should record its steps on tapes that share one {@link Workspace} per thread, which reuses
 * each step's activation and gradient buffers in the next: see there for what that asks of the caller.
 */
public final class Tape {
  private final List<Variable> nodes = new ArrayList<>();
  private final Map<Parameter, Variable> parameterLeaves = new IdentityHashMap<>();
  private boolean backwardDone;
  /** In {@link #backward(Variable, float)}: the parameter leaves whose one consuming op may apply the step itself. */
  private Map<Variable, Boolean> fusable = Map.of();
  private float learningRate = Float.NaN;
  private final Workspace workspace;

  /** A new, empty tape whose ops allocate fresh arrays. */
  public Tape() {
    this.workspace = null;
  }

  /**
   * A new, empty tape whose ops take their arrays from {@code workspace}; this ends the previous tape on that
   * workspace, whose values and gradients may be overwritten from now on.
   */
  public Tape(Workspace workspace) {
    checkArgument(workspace != null, "Tape: workspace must not be null (use new Tape() for fresh arrays)");
    workspace.begin();
    this.workspace = workspace;
  }

  /** A zero-filled float array for an op's result or gradient. */
  float[] zeros(int length) {
    return workspace == null ? new float[length] : workspace.floats(length, true);
  }

  /** A float array the caller overwrites completely (its contents are unspecified). */
  float[] uninitialized(int length) {
    return workspace == null ? new float[length] : workspace.floats(length, false);
  }

  /** An int array the caller overwrites completely. */
  int[] ints(int length) {
    return workspace == null ? new int[length] : workspace.ints(length);
  }

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
      if (p.requiresGrad() && !p.hasGrad() && fusable.get(p) != Boolean.FALSE) { // not after a fused update
        java.util.Arrays.fill(p.parameter().grad().floatData(), 0f);
      }
    }
  }

  /**
   * Back-propagates from the scalar {@code loss} and applies one step of plain gradient descent to every trainable
   * parameter the loss depends on: {@code value <- value - learningRate * d loss / d value}, the update of
   * {@code backward(loss)} followed by {@code p.value().axpyInPlace(-learningRate, p.grad())} for each parameter.
   *
   * <p>Where a parameter has exactly one consuming op on this tape and that op can, the update is fused into the
   * gradient's computation: a dense layer's kernel is updated by its weight-gradient GEMM itself ({@code alpha =
   * -learningRate}, {@code beta = 1}), which saves writing and re-reading the gradient. A fused update may round
   * differently from the separate one in the last bit of a weight (a fused multiply-add in the GEMM kernel where the
   * separate step rounds the product first); it is deterministic all the same. Parameters used by several ops (shared
   * weights, recurrent kernels) take the separate update. Afterwards {@link Parameter#grad()} is unspecified for a
   * parameter whose update was fused.
   *
   * @throws IllegalArgumentException if {@code learningRate} is negative or not finite
   */
  public void backward(Variable loss, float learningRate) {
    checkArgument(learningRate >= 0 && Float.isFinite(learningRate),
        "backward: learning rate must be finite and >= 0, got %s", learningRate);
    Map<Variable, Boolean> single = new IdentityHashMap<>();
    for (Variable v : nodes) {
      for (Variable in : v.inputs()) {
        if (in.parameter() != null && in.requiresGrad()) {
          single.merge(in, Boolean.TRUE, (a, b) -> Boolean.FALSE); // TRUE while it has one use
        }
      }
    }
    single.values().removeIf(one -> !one);
    this.fusable = single;
    this.learningRate = learningRate;
    backward(loss);
    for (Variable p : parameterLeaves.values()) {
      if (p.requiresGrad() && p.hasGrad() && fusable.get(p) != Boolean.FALSE) {
        p.parameter().value().axpyInPlace(-learningRate, p.parameter().grad());
      }
    }
  }

  /**
   * The learning rate with which {@code parameterLeaf}'s only consuming op should apply the update itself, or NaN
   * when it must leave a gradient: outside {@link #backward(Variable, float)} or for a parameter with other uses.
   * The op then calls {@link #applied}.
   */
  float fusedLearningRate(Variable parameterLeaf) {
    return fusable.containsKey(parameterLeaf) ? learningRate : Float.NaN;
  }

  /** Records that {@code parameterLeaf}'s update was applied by its op (no separate update follows). */
  void applied(Variable parameterLeaf) {
    fusable.put(parameterLeaf, Boolean.FALSE);
  }

  /** The gradient of the last {@link #backward} with respect to the watched leaf {@code v} (zeros if unreached). */
  public Tensor gradient(Variable v) {
    checkArgument(v.isLeaf() && v.requiresGrad(), "gradient: only watched leaves keep gradients");
    checkState(backwardDone, "gradient: call backward(loss) first");
    return v.hasGrad() ? Tensor.wrap(v.gradArray(), v.value().shape()) : Tensor.zeros(v.value().dtype(), v.value().shape());
  }
}
