package dev.cohort.core;

import dev.cohort.tensor.DType;
import java.util.function.Predicate;

/** Predicates over types shared by the intrinsics, the runtime and the compiler. */
final class Types {
  private Types() {}

  /** Whether {@code type} or any type nested in it satisfies {@code p}. */
  static boolean contains(Type type, Predicate<Type> p) {
    if (p.test(type)) {
      return true;
    }
    for (Type child : type.children()) {
      if (contains(child, p)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code type} is a tensor or a (nested) struct whose leaves are all tensors satisfying {@code leaf}. */
  static boolean isStructureOf(Type type, Predicate<TensorType> leaf) {
    if (type instanceof TensorType t) {
      return leaf.test(t);
    }
    if (type instanceof StructType s) {
      for (Type child : s.children()) {
        if (!isStructureOf(child, leaf)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  static boolean isNumeric(TensorType t) {
    return t.dtype().isNumeric();
  }

  static boolean isFloat(TensorType t) {
    return t.dtype() == DType.FLOAT32;
  }

  static boolean isInteger(TensorType t) {
    return t.dtype().isInteger();
  }

  /** Whether {@code t} is an integer or float scalar tensor type. */
  static boolean isNumericScalar(Type t) {
    return t instanceof TensorType tt && tt.isScalar() && tt.dtype().isNumeric();
  }
}
