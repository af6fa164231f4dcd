package dev.cohort.core.types;

import java.util.List;
import java.util.Objects;

/**
 * The type of a computation: {@code (P -> R)}, or {@code ( -> R)} without a parameter. A computation takes at
 * most one parameter; several arguments travel as one struct.
 *
 * @param parameter the parameter type, or {@code null} for none
 * @param result the result type
 */
public record FunctionType(Type parameter, Type result) implements Type {
  /** Requires a result. */
  public FunctionType {
    Objects.requireNonNull(result, "result");
  }

  /** {@code (parameter -> result)}; a null parameter means none. */
  public static FunctionType of(Type parameter, Type result) {
    return new FunctionType(parameter, result);
  }

  /** {@code ( -> result)}. */
  public static FunctionType noArg(Type result) {
    return new FunctionType(null, result);
  }

  @Override
  public boolean isAssignableFrom(Type source) {
    if (!(source instanceof FunctionType f) || (parameter == null) != (f.parameter == null)) {
      return false;
    }
    if (parameter != null && !f.parameter.isAssignableFrom(parameter)) {
      return false;
    }
    return result.isAssignableFrom(f.result);
  }

  @Override
  public List<Type> children() {
    return parameter == null ? List.of(result) : List.of(parameter, result);
  }

  @Override
  public String toString() {
    return TypePrinter.print(this, false);
  }
}
