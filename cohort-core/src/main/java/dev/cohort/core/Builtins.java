package dev.cohort.core;

import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;

/**
 * Cohort's own polymorphic local functions, which the compiler uses where TFF would generate a TensorFlow
 * computation: {@code cohort.minimum} and {@code cohort.maximum} of type {@code (<T,T> -> T)} for numeric
 * structures {@code T} (the accumulators of {@code federated_min} and {@code federated_max}). They are registered
 * with the registry itself, so a serialized computation that uses them loads in any JVM.
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

  static void register() {
    LocalRegistry.registerFamily(MINIMUM, Builtins::isBinaryNumericOp, t -> MINIMUM_FUNCTION);
    LocalRegistry.registerFamily(MAXIMUM, Builtins::isBinaryNumericOp, t -> MAXIMUM_FUNCTION);
  }

  private static boolean isBinaryNumericOp(FunctionType t) {
    return t.parameter() instanceof StructType p && p.size() == 2 && p.type(0).equals(t.result())
        && p.type(1).equals(t.result()) && Types.isStructureOf(t.result(), Types::isNumeric);
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
