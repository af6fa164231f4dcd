package dev.cohort.core.runtime;

import dev.cohort.core.Values;
import dev.cohort.core.ast.Expr;
import dev.cohort.core.ast.LocalFunction;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A function value at run time: a closure over a lambda, a local Java function, or an intrinsic (a lambda made by
 * {@link IntrinsicRuntime#evaluate}).
 */
interface Fn {
  /** Applies the function to a runtime value (null for a no-argument function). */
  Object apply(Object argument);

  /** A lambda with the environment it was evaluated in. */
  record Closure(Expr.Lambda lambda, Env env, Interpreter interpreter) implements Fn {
    @Override
    public Object apply(Object argument) {
      Env inner = env;
      if (lambda.parameterName() != null) {
        Object arg = interpreter.prepare(argument, interpreter.parameterUse(lambda));
        inner = new Env(env, lambda.parameterName(), arg);
      }
      return interpreter.eval(lambda.result(), inner);
    }
  }

  /** A registered Java function; its argument arrives named as its parameter type names it. */
  record Local(String name, FunctionType type, LocalFunction function) implements Fn {
    @Override
    public Object apply(Object argument) {
      Object arg = type.parameter() == null ? null : relabel(argument, type.parameter());
      Object result;
      try {
        result = function.apply(arg);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("local computation '" + name + "' failed: " + e.getMessage(), e);
      }
      return Values.conform(result, type.result(), "result of local computation '" + name + "'");
    }

    /**
     * {@code value} (a runtime value of a type assignable to {@code type}) with the struct names of {@code type}, so
     * that the function reads elements by the names it declares. Tensors are shared, not copied.
     */
    private static Object relabel(Object value, Type type) {
      if (type instanceof StructType t && value instanceof Struct s) {
        List<String> names = new ArrayList<>(t.size());
        List<Object> values = new ArrayList<>(t.size());
        boolean same = true;
        for (int i = 0; i < t.size(); i++) {
          String n = t.name(i) != null ? t.name(i) : s.name(i);
          names.add(n);
          Object v = relabel(s.get(i), t.type(i));
          values.add(v);
          same &= v == s.get(i) && Objects.equals(n, s.name(i));
        }
        return same ? s : Struct.of(names, values);
      } else if (type instanceof SequenceType t && value instanceof Sequence s && hasStruct(t.element())) {
        return Sequence.mapped(s, e -> relabel(e, t.element()));
      }
      return value;
    }

    private static boolean hasStruct(Type t) {
      return t instanceof StructType || t.children().stream().anyMatch(Local::hasStruct);
    }
  }
}
