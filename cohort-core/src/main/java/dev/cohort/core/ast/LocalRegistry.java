package dev.cohort.core.ast;

import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TypeAnalysis;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local function families of this JVM: a family is a stable name (dotted identifiers such as
 * {@code aggregators.clip}) and a {@link LocalFactory} that builds the Java body for a concrete type and parameters.
 * A serialized computation names, for each local function it uses, the family, the type and the parameters; loading it
 * needs the family defined here (by running the code that defines it, {@link dev.cohort.core.LocalFamily#define}) and
 * rebuilds the function from what the file carries. Users reach this through {@link dev.cohort.core.LocalFamily} and
 * {@link dev.cohort.core.Computation#local}.
 *
 * <p>Definitions are explicit (no class-load registration) and final: a name names one family for the life of the JVM.
 * Defining it again with an equal factory (the same object, or for factories that are records, an equal one) is a
 * no-op, so code that builds computations may define its families wherever it builds them; defining it with a
 * different factory fails, because computations already serialized under the name would silently change meaning
 * when loaded. A family defined replaceable ({@link dev.cohort.core.LocalFamily#defineReplaceable}, for tests that
 * define throw-away families under fixed names) may be replaced by another replaceable definition; that changes what
 * later builds and loads get, never computations already built, which hold their functions.
 *
 * <p>Names starting with {@code cohort.} are reserved for Cohort's own polymorphic helpers ({@link #MINIMUM},
 * {@link #MAXIMUM}), which every JVM knows.
 */
public final class LocalRegistry {
  private static final Map<String, Family> FAMILIES = new ConcurrentHashMap<>();

  private LocalRegistry() {}

  private record Family(LocalFactory factory, boolean replaceable) {}

  /** Cohort's element-wise minimum helper, of any type {@code (<T,T> -> T)} with numeric {@code T}. */
  public static final String MINIMUM = Builtins.MINIMUM;
  /** Cohort's element-wise maximum helper, of any type {@code (<T,T> -> T)} with numeric {@code T}. */
  public static final String MAXIMUM = Builtins.MAXIMUM;

  /**
   * Defines the family {@code name} built by {@code factory} (see the class comment for the rules).
   *
   * @throws IllegalArgumentException if the name is malformed or reserved
   * @throws IllegalStateException if the name is already defined with a different factory, or one of the two
   *     definitions is not replaceable
   */
  public static void define(String name, LocalFactory factory, boolean replaceable) {
    checkName(name);
    Objects.requireNonNull(factory, "factory");
    if (name.startsWith("cohort.")) {
      throw new IllegalArgumentException("local family name '" + name + "' is reserved (prefix 'cohort.')");
    }
    FAMILIES.merge(name, new Family(factory, replaceable), (old, neu) -> {
      if (old.factory().equals(neu.factory()) && old.replaceable() == neu.replaceable()) {
        return old;
      }
      if (old.replaceable() && neu.replaceable()) {
        return neu;
      }
      throw new IllegalStateException("local family '" + name + "' is already defined in this JVM"
          + (old.replaceable() ? " as replaceable" : "") + " with another factory (" + describe(old.factory())
          + "); a name names one family, so that a serialized computation means one thing: define it once (or with an"
          + " equal factory, e.g. one kept in a constant), choose another name, or, in tests, define both with"
          + " LocalFamily.defineReplaceable");
    });
  }

  /**
   * Whether {@code name} can be resolved in this JVM: a family is defined under it, or it is under Cohort's reserved
   * prefix {@code cohort.}, whose names {@link #resolve} answers (or explains) without a definition.
   */
  public static boolean isDefined(String name) {
    return name != null && (FAMILIES.containsKey(name) || name.startsWith("cohort."));
  }

  /**
   * The function of family {@code name} at {@code type} with {@code parameters}.
   *
   * @throws IllegalArgumentException if no family is defined under the name, the type is federated, the parameters
   *     are not a struct of tensors, or the family rejects the type or parameters (its message, after the family,
   *     type and parameters); a {@link TypeMismatchException} when it is the type that is rejected
   */
  public static LocalFunction resolve(String name, FunctionType type, Struct parameters) {
    Objects.requireNonNull(type, "type");
    checkParameters(name, parameters);
    if (TypeAnalysis.contains(type, t -> t instanceof FederatedType)) {
      throw new TypeMismatchException("local function '" + name + "' must have a non-federated type, found " + type,
          null, type);
    }
    if (name.startsWith("cohort.")) {
      return Builtins.require(name, type, parameters);
    }
    Family f = FAMILIES.get(name);
    if (f == null) {
      throw new IllegalArgumentException("local family '" + name + "' is not defined in this JVM; run the code that"
          + " defines it (LocalFamily.define(\"" + name + "\", ...) or Computation.local(\"" + name + "\", ...))"
          + " before building or loading a computation that uses it");
    }
    LocalFunction fn;
    try {
      fn = f.factory().create(type, parameters);
    } catch (TypeMismatchException e) {
      throw new TypeMismatchException(rejects(name, type, parameters) + e.getMessage(), e.expected(), e.actual());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(rejects(name, type, parameters) + e.getMessage(), e);
    }
    if (fn == null) {
      throw new IllegalStateException("local family '" + name + "': its factory returned null for type " + type);
    }
    return fn;
  }

  /**
   * Parameters as trees print them, compactly: {@code <order="l2",capacity=100,table=int32[1024]>} (strings quoted,
   * tensors of more than 8 elements as dtype and shape).
   */
  public static String print(Struct parameters) {
    return ExprPrinter.parameters(parameters);
  }

  /** {@code family 'name' ... does not accept ...: }, the prefix of a rejection. */
  private static String rejects(String name, FunctionType type, Struct parameters) {
    return "local family '" + name + "' does not accept type " + type
        + (parameters.size() == 0 ? "" : " with parameters " + ExprPrinter.parameters(parameters)) + ": ";
  }

  /**
   * Checks that {@code parameters} is a struct whose leaves are tensors (nested structs allowed).
   *
   * @throws IllegalArgumentException naming the local function and the offending element's path
   */
  static void checkParameters(String name, Struct parameters) {
    if (parameters == null) {
      throw new IllegalArgumentException("local function '" + name + "': parameters must be a Struct (Struct.empty()"
          + " for none), found null");
    }
    checkLeaves(name, parameters, "parameters");
  }

  private static void checkLeaves(String name, Struct s, String path) {
    for (int i = 0; i < s.size(); i++) {
      Object v = s.get(i);
      String at = path + (s.name(i) != null ? "." + s.name(i) : "[" + i + "]");
      if (v instanceof Struct nested) {
        checkLeaves(name, nested, at);
      } else if (!(v instanceof Tensor)) {
        throw new IllegalArgumentException("local function '" + name + "': " + at + " must be a Tensor or a Struct"
            + " (what a serialized computation carries), found " + v.getClass().getName() + " " + v);
      }
    }
  }

  /** A factory as errors name it: its own {@code toString()} if it has one (records do), else its class. */
  private static String describe(LocalFactory factory) {
    try {
      boolean own = factory.getClass().getMethod("toString").getDeclaringClass() != Object.class;
      return own ? factory.toString() : factory.getClass().getName();
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("internal: every class has toString", e);
    }
  }

  private static void checkName(String name) {
    if (name == null || !Arrays.stream(name.split("\\.", -1)).allMatch(StructType::isIdentifier)) {
      throw new IllegalArgumentException("local family name '" + name
          + "' must be dotted identifiers, e.g. 'tutorial.add_half'");
    }
  }
}
