package dev.cohort.tensor;

/** Elementwise comparisons. */
enum CompareOp {
  EQ("eq"), NE("ne"), LT("lt"), LE("le"), GT("gt"), GE("ge");

  final String opName;

  CompareOp(String opName) {
    this.opName = opName;
  }

  boolean test(int cmp) {
    return switch (this) {
      case EQ -> cmp == 0;
      case NE -> cmp != 0;
      case LT -> cmp < 0;
      case LE -> cmp <= 0;
      case GT -> cmp > 0;
      case GE -> cmp >= 0;
    };
  }

  boolean test(float a, float b) {
    return switch (this) {
      case EQ -> a == b;
      case NE -> a != b;
      case LT -> a < b;
      case LE -> a <= b;
      case GT -> a > b;
      case GE -> a >= b;
    };
  }
}
