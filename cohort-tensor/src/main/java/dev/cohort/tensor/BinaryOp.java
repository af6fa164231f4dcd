package dev.cohort.tensor;

/** Elementwise binary arithmetic. */
enum BinaryOp {
  ADD("add"), SUB("sub"), MUL("mul"), DIV("div"), MAX("maximum"), MIN("minimum"), POW("pow");

  final String opName;

  BinaryOp(String opName) {
    this.opName = opName;
  }

  float apply(float a, float b) {
    return switch (this) {
      case ADD -> a + b;
      case SUB -> a - b;
      case MUL -> a * b;
      case DIV -> a / b;
      case MAX -> Math.max(a, b);
      case MIN -> Math.min(a, b);
      case POW -> (float) Math.pow(a, b);
    };
  }

  int apply(int a, int b) {
    return switch (this) {
      case ADD -> a + b;
      case SUB -> a - b;
      case MUL -> a * b;
      case DIV -> {
        if (b == 0) {
          throw new IllegalArgumentException("div: integer division by zero (int32)");
        }
        yield a / b;
      }
      case MAX -> Math.max(a, b);
      case MIN -> Math.min(a, b);
      case POW -> throw new IllegalArgumentException("pow: dtype int32 not supported, expected float32");
    };
  }

  long apply(long a, long b) {
    return switch (this) {
      case ADD -> a + b;
      case SUB -> a - b;
      case MUL -> a * b;
      case DIV -> {
        if (b == 0) {
          throw new IllegalArgumentException("div: integer division by zero (int64)");
        }
        yield a / b;
      }
      case MAX -> Math.max(a, b);
      case MIN -> Math.min(a, b);
      case POW -> throw new IllegalArgumentException("pow: dtype int64 not supported, expected float32");
    };
  }
}
