package dev.cohort.core;

import dev.cohort.core.ast.Expr;
import dev.cohort.core.ast.LocalFactory;
import dev.cohort.core.ast.LocalFunction;
import dev.cohort.core.ast.LocalRegistry;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import java.util.Objects;

/**
 * A local function family: Java functions under one stable name, one for each concrete type and set of parameters a
 * factory accepts (the counterpart of a TensorFlow computation that is generic in its input, or built from a
 * configuration). A serialized computation carries, for each local function, the family's name, the type and the
 * parameters, so a JVM that defines the family rebuilds exactly the function from what the file carries, without
 * having built the computation itself.
 *
 * <pre>{@code
 * private static final LocalFactory CLIP = Clipping::create;   // (type, parameters) -> LocalFunction
 * // Where computations are built (defining it again with the same factory is a no-op):
 * LocalFamily clip = LocalFamily.define("aggregators.clip", CLIP);
 * // At any value type and threshold the factory accepts:
 * Computation clipVector = clip.at(FunctionType.of(vector, vector), Struct.named("max_norm", Tensor.scalar(1f)));
 * }</pre>
 *
 * <p>Parameters are a {@link Struct} of {@link dev.cohort.tensor.Tensor}s (strings included) and nested structs;
 * keep configuration there, not in the family's name. The factory may reject a type or parameters with an
 * {@link IllegalArgumentException} saying precisely what it expects; that message reaches the caller of {@link #at} and
 * the loader of a computation, after the family, type and parameters.
 *
 * <p>Definitions are explicit (call {@link #define} in code that runs before building or loading, never in a static
 * initializer) and final: a second definition under the same name with a factory that is not equal to the first
 * (a lambda equals only itself: keep it in a constant; a record factory equals another with equal components) fails,
 * because computations already written under the name would change meaning. {@link #defineReplaceable} is for tests
 * that redefine throw-away families under a fixed name. See {@link LocalRegistry}.
 */
public final class LocalFamily {
  private final String name;

  private LocalFamily(String name) {
    this.name = name;
  }

  /**
   * Defines the family {@code name} (dotted identifiers, e.g. {@code aggregators.clip}) built by {@code factory}, or
   * returns it if it is already defined with an equal factory.
   *
   * @throws IllegalArgumentException if the name is malformed or under the reserved prefix {@code cohort.}
   * @throws IllegalStateException if the name is defined with a factory not equal to {@code factory}, or as
   *     replaceable
   */
  public static LocalFamily define(String name, LocalFactory factory) {
    LocalRegistry.define(name, factory, false);
    return new LocalFamily(name);
  }

  /**
   * Defines a family that a later {@code defineReplaceable} of the same name replaces (for tests): computations built
   * before keep their functions; later builds and loads get the new factory's.
   *
   * @throws IllegalArgumentException if the name is malformed or reserved
   * @throws IllegalStateException if the name is defined by {@link #define} (not replaceable)
   */
  public static LocalFamily defineReplaceable(String name, LocalFactory factory) {
    LocalRegistry.define(name, factory, true);
    return new LocalFamily(name);
  }

  /** The stable name. */
  public String name() {
    return name;
  }

  /**
   * The member at {@code type} with {@code parameters}: a local computation named as the family, whose function the
   * family's factory (the one defined now under its name) builds now.
   *
   * @throws IllegalArgumentException if the type is federated, the parameters are not a struct of tensors, or the
   *     factory rejects them (a {@link dev.cohort.core.types.TypeMismatchException} when it rejects the type)
   */
  public Computation at(FunctionType type, Struct parameters) {
    Objects.requireNonNull(type, "type");
    LocalFunction fn = LocalRegistry.resolve(name, type, parameters);
    return Computation.of(name, new Expr.Local(name, type, parameters, fn));
  }

  /** {@link #at(FunctionType, Struct)} with the type {@code (parameter -> result)}. */
  public Computation at(Type parameter, Type result, Struct parameters) {
    return at(new FunctionType(parameter, result), parameters);
  }

  /** {@link #at(FunctionType, Struct)} without parameters. */
  public Computation at(FunctionType type) {
    return at(type, Struct.empty());
  }

  /** {@code local family <name>}. */
  @Override
  public String toString() {
    return "local family " + name;
  }
}
