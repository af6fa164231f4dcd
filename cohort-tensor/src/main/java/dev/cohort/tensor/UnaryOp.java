package dev.cohort.tensor;

/** Elementwise unary functions. */
enum UnaryOp {
  NEG("neg", false), ABS("abs", false), SQUARE("square", false), RELU("relu", false),
  EXP("exp", true), LOG("log", true), SQRT("sqrt", true), TANH("tanh", true), SIGMOID("sigmoid", true);

  final String opName;
  final boolean floatOnly;

  UnaryOp(String opName, boolean floatOnly) {
    this.opName = opName;
    this.floatOnly = floatOnly;
  }

  float apply(float x) {
    return switch (this) {
      case NEG -> -x;
      case ABS -> Math.abs(x);
      case SQUARE -> x * x;
      case RELU -> Math.max(x, 0f);
      case EXP -> (float) Math.exp(x);
      case LOG -> (float) Math.log(x);
      case SQRT -> (float) Math.sqrt(x);
      case TANH -> (float) Math.tanh(x);
      case SIGMOID -> x >= 0 ? (float) (1.0 / (1.0 + Math.exp(-x))) : (float) (Math.exp(x) / (1.0 + Math.exp(x)));
    };
  }

  long apply(long x) {
    return switch (this) {
      case NEG -> -x;
      case ABS -> Math.abs(x);
      case SQUARE -> x * x;
      case RELU -> Math.max(x, 0);
      default -> throw new AssertionError(this);
    };
  }
}
