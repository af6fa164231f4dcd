package dev.cohort.nn;

/** Activation functions, as Keras names them. */
public enum Activation {
  /** Identity. */
  LINEAR,
  /** {@code max(x, 0)}. */
  RELU,
  /** {@code 1 / (1 + e^-x)}. */
  SIGMOID,
  /** {@code tanh(x)}. */
  TANH,
  /** Softmax over the last axis. */
  SOFTMAX;

  /** Applies this activation to {@code x}. */
  public Variable apply(Variable x) {
    return switch (this) {
      case LINEAR -> x;
      case RELU -> x.relu();
      case SIGMOID -> x.sigmoid();
      case TANH -> x.tanh();
      case SOFTMAX -> x.softmax(-1);
    };
  }
}
