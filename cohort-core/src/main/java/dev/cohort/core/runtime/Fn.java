package dev.cohort.core.runtime;

import dev.cohort.core.FunctionType;
import dev.cohort.core.IntrinsicDef;
import dev.cohort.core.LocalFunction;
import dev.cohort.core.Values;
import dev.cohort.core.ast.Expr;

/** A function value at run time: a closure over a lambda, a local Java function, or an intrinsic. */
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
      Object arg = type.parameter() == null ? null : Values.relabel(argument, type.parameter());
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
  }

  /** An intrinsic at a concrete type. */
  record Intrinsic(IntrinsicDef def, FunctionType type, Interpreter interpreter) implements Fn {
    @Override
    public Object apply(Object argument) {
      return IntrinsicRuntime.apply(def, type, argument, interpreter);
    }
  }
}
