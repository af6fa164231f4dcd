package dev.cohort.core.ast;

import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TypeAnalysis;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;

/**
 * Cohort's own polymorphic local functions, which the compiler uses where TFF would generate a TensorFlow
 * computation: {@code cohort.minimum} and {@code cohort.maximum} of type {@code (<T,T> -> T)} for numeric
 * structures {@code T} (the accumulators of {@code federated_min} and {@code federated_max}). The registry answers
 * every name under the reserved prefix {@code cohort.} from here, so a serialized computation that uses them loads
 * in any JVM without registration.
 */
final class Builtins {
  /** Element-wise minimum. */
  static final String MINIMUM = "cohort.minimum";
  /** Element-wise maximum. */
  static final String MAXIMUM = "cohort.maximum";

  private Builtins() {}

  /** One function for every type, so that equal types give equal {@code Local} nodes. */
  private static final LocalFunction MINIMUM_FUNCTION = binary(Tensor::minimum);
  private static final LocalFunction MAXIMUM_FUNCTION = binary(Tensor::maximum);

  /**
   * The helper {@code name} at {@code type}.
   *
   * @throws IllegalArgumentException if there is no such helper or it does not accept the type
   */
  static LocalFunction require(String name, FunctionType type, Struct parameters) {
    LocalFunction f = switch (name) {
      case MINIMUM -> MINIMUM_FUNCTION;
      case MAXIMUM -> MAXIMUM_FUNCTION;
      default -> throw new IllegalArgumentException("'" + name + "' is not one of Cohort's helpers (" + MINIMUM + ", "
          + MAXIMUM + "); the prefix 'cohort.' is reserved for them");
    };
    if (parameters.size() != 0) {
      throw new IllegalArgumentException("Cohort helper '" + name + "' takes no parameters, found "
          + ExprPrinter.parameters(parameters));
    }
    if (!isBinaryNumericOp(type)) {
      throw new TypeMismatchException("Cohort helper '" + name + "' does not accept type " + type, null, type);
    }
    return f;
  }

  private static boolean isBinaryNumericOp(FunctionType t) {
    return t.parameter() instanceof StructType p && p.size() == 2 && p.type(0).equals(t.result())
        && p.type(1).equals(t.result()) && TypeAnalysis.isStructureOf(t.result(), TypeAnalysis::isNumeric);
  }

  private static LocalFunction binary(BinaryOperator<Tensor> op) {
    return arg -> zip(((Struct) arg).get(0), ((Struct) arg).get(1), op);
  }

  private static Object zip(Object a, Object b, BinaryOperator<Tensor> op) {
    if (a instanceof Tensor x) {
      return op.apply(x, (Tensor) b);
    }
    Struct sa = (Struct) a;
    Struct sb = (Struct) b;
    List<Object> out = new ArrayList<>(sa.size());
    for (int i = 0; i < sa.size(); i++) {
      out.add(zip(sa.get(i), sb.get(i), op));
    }
    return Struct.of(sa.names(), out);
  }
}
