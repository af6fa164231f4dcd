package dev.cohort.learning.optimizers;

import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeAnalysis;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.Nest;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** What every optimizer does with its arguments: checks, hyper-parameter access, leaf-wise float32 loops. */
final class Leaves {
  private Leaves() {}

  /** A hyper-parameter that must be a finite number {@code >= 0}. */
  static float nonNegative(String name, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " (" + value + ") must be a finite number >= 0");
    }
    return (float) value;
  }

  /** A decay rate that must be in {@code [0, 1)}. */
  static float unitInterval(String name, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(name + " (" + value + ") must be in [0, 1)");
    }
    return (float) value;
  }

  static float hparam(Struct state, String key) {
    return ((Tensor) state.get(key)).floatValue();
  }

  static int counter(Struct state, String key) {
    return ((Tensor) state.get(key)).intValue();
  }

  /** The float32 leaves of a structure type, checked to be fully defined. */
  static void checkWeightsType(Type weightsType) {
    if (!TypeAnalysis.isStructureOf(weightsType, t -> t.dtype() == DType.FLOAT32 && t.isFullyDefined())) {
      throw new IllegalArgumentException("optimizer weights must be a structure of fully defined float32 tensors,"
          + " found " + weightsType);
    }
  }

  /** Checks weights and gradients (and a state structure) agree; TFF's {@code check_weights_gradients_match}. */
  static void checkMatch(Object weights, Object gradients) {
    Nest.checkSameStructure("weights", weights, "gradients", gradients);
  }

  static void checkState(Object weights, Object slot, String name) {
    Nest.checkSameStructure("weights", weights, "state " + name, slot);
  }

  static List<float[]> data(Object structure) {
    List<float[]> out = new ArrayList<>();
    for (Tensor t : Nest.flatten(structure)) {
      out.add(t.floatData());
    }
    return out;
  }

  /** A structure like {@code template} whose i-th leaf holds {@code arrays.get(i)}. */
  static Object like(Object template, List<float[]> arrays) {
    List<Tensor> leaves = Nest.flatten(template);
    List<Tensor> out = new ArrayList<>(leaves.size());
    for (int i = 0; i < leaves.size(); i++) {
      out.add(Tensor.wrap(arrays.get(i), leaves.get(i).shape()));
    }
    return Nest.pack(template, out);
  }

  /** Fresh arrays of the sizes of the leaves of {@code structure}. */
  static List<float[]> newLike(Object structure) {
    List<float[]> out = new ArrayList<>();
    for (Tensor t : Nest.flatten(structure)) {
      out.add(new float[t.size()]);
    }
    return out;
  }

  /** A structure of type {@code type} (float32 leaves) filled with {@code value}. */
  static Object filled(Type type, float value) {
    Object zeros = Nest.zeros(type);
    return value == 0f ? zeros : Nest.map(zeros, t -> Tensor.full(value, t.shape().dims()));
  }

  /**
   * {@code state} with the entries of {@code hparams} replaced; every name must be one of {@code keys} and every value
   * a float32 scalar (a bool scalar where the state holds one).
   */
  static Struct replace(Struct state, Struct hparams, List<String> keys) {
    List<Object> values = new ArrayList<>(state.values());
    for (int i = 0; i < hparams.size(); i++) {
      String name = hparams.name(i);
      if (name == null || !keys.contains(name)) {
        throw new IllegalArgumentException("hyper-parameter " + (name == null ? "#" + i : "'" + name + "'")
            + " is not one of this optimizer's " + keys);
      }
      Tensor old = (Tensor) state.get(name);
      if (!(hparams.get(i) instanceof Tensor t) || t.dtype() != old.dtype() || t.rank() != 0) {
        throw new IllegalArgumentException("hyper-parameter '" + name + "' must be a " + old.dtype()
            + " scalar, found " + dev.cohort.core.Values.describe(hparams.get(i)));
      }
      values.set(state.names().indexOf(name), t);
    }
    return Struct.of(state.names(), values);
  }

  /** The entries {@code keys} of {@code state}, in that order. */
  static Struct select(Struct state, List<String> keys) {
    List<Object> values = new ArrayList<>(keys.size());
    for (String k : keys) {
      values.add(state.get(k));
    }
    return Struct.of(keys, values);
  }

  /** A float32 scalar holding {@code v} rounded to float32. */
  static Tensor scalar(double v) {
    return Tensor.scalar((float) v);
  }

  /** The float32 square root (correctly rounded, as TensorFlow's). */
  static float sqrt(float x) {
    return (float) Math.sqrt(x);
  }

  /** {@code base^exponent} rounded to float32, as {@code tf.math.pow} on float32 operands. */
  static float pow(float base, float exponent) {
    return (float) Math.pow(base, exponent);
  }
}
