package dev.cohort.core.types;

import dev.cohort.tensor.DType;
import java.util.function.Predicate;

/**
 * Predicates over types shared by the intrinsic catalogue, the runtime and the compiler (federated-language keeps
 * these in {@code types/type_analysis.py}).
 */
public final class TypeAnalysis {
  private TypeAnalysis() {}

  /** Whether {@code type} or any type nested in it satisfies {@code p}. */
  public static boolean contains(Type type, Predicate<Type> p) {
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
  public static boolean isStructureOf(Type type, Predicate<TensorType> leaf) {
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

  /** Whether the tensor type has a numeric (integer or float) dtype. */
  public static boolean isNumeric(TensorType t) {
    return t.dtype().isNumeric();
  }

  /** Whether the tensor type is float32. */
  public static boolean isFloat(TensorType t) {
    return t.dtype() == DType.FLOAT32;
  }

  /** Whether the tensor type has an integer dtype (int32 or int64). */
  public static boolean isInteger(TensorType t) {
    return t.dtype().isInteger();
  }

  /** Whether {@code t} is an integer or float scalar tensor type. */
  public static boolean isNumericScalar(Type t) {
    return t instanceof TensorType tt && tt.isScalar() && tt.dtype().isNumeric();
  }
}
