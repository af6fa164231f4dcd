package dev.cohort.core.ast;

import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TypeAnalysis;
import dev.cohort.core.types.TypeMismatchException;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stable names of local computations in this JVM. A serialized computation refers to its local functions by
 * name; loading it needs the same names registered with equal types (by running the code that defines them, e.g.
 * {@link dev.cohort.core.Computation#local(String, FunctionType, LocalFunction)}). Names are dotted identifiers such
 * as {@code tutorial.add_half}.
 *
 * <p>A computation holds the function it was built with: the registry is consulted only when a computation refers
 * to a function by name, that is when one is written ({@link dev.cohort.core.Computation#serialize()}, which checks
 * that a reader can resolve every local it names) or loaded ({@link dev.cohort.core.Computation#deserialize}, which
 * lists every name it misses). Registering a name again with
 * the same type therefore changes what later loads get (re-running a program in one JVM), never computations that
 * already exist; registering it with a different type fails. Names starting with {@code cohort.} are reserved for
 * Cohort's own polymorphic helpers, which serve any type their rule accepts.
 */
public final class LocalRegistry {
  private static final Map<String, Entry> ENTRIES = new ConcurrentHashMap<>();

  private LocalRegistry() {}

  private record Entry(FunctionType type, LocalFunction function) {}

  /**
   * Registers {@code function} under {@code name} with {@code type}, replacing an earlier registration of the same
   * name and type for later lookups.
   *
   * @throws IllegalArgumentException if the name is malformed, reserved, or registered with another type
   */
  public static void register(String name, FunctionType type, LocalFunction function) {
    checkName(name);
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(function, "function");
    if (name.startsWith("cohort.")) {
      throw new IllegalArgumentException("local computation name '" + name + "' is reserved (prefix 'cohort.')");
    }
    if (TypeAnalysis.contains(type, t -> t instanceof FederatedType)) {
      throw new TypeMismatchException("local computation '" + name + "' must have a non-federated type, found " + type,
          null, type);
    }
    ENTRIES.merge(name, new Entry(type, function), (old, neu) -> {
      if (!old.type().equals(neu.type())) {
        throw new IllegalArgumentException("local computation '" + name + "' is already registered with type "
            + old.type() + "; cannot register it again with type " + neu.type());
      }
      return neu;
    });
  }

  /** Cohort's element-wise minimum helper, of any type {@code (<T,T> -> T)} with numeric {@code T}. */
  public static final String MINIMUM = Builtins.MINIMUM;
  /** Cohort's element-wise maximum helper, of any type {@code (<T,T> -> T)} with numeric {@code T}. */
  public static final String MAXIMUM = Builtins.MAXIMUM;

  /**
   * Whether {@code name} can be resolved in this JVM: it is registered (with some type), or it is under Cohort's
   * reserved prefix {@code cohort.}, whose names {@link #require} answers (or explains) without registration. False
   * exactly when {@link #require} fails because no code in this JVM has registered the name.
   */
  public static boolean isDefined(String name) {
    return name != null && (ENTRIES.containsKey(name) || name.startsWith("cohort."));
  }

  /**
   * The function registered now as {@code name} with exactly {@code type}.
   *
   * @throws IllegalArgumentException if the name is unknown in this JVM or registered with another type
   */
  public static LocalFunction require(String name, FunctionType type) {
    Entry e = ENTRIES.get(name);
    if (e != null) {
      if (!e.type().equals(type)) {
        throw new TypeMismatchException("local computation '" + name + "' is registered with type " + e.type()
            + ", but the computation refers to it with type " + type, type, e.type());
      }
      return e.function();
    }
    if (name.startsWith("cohort.")) {
      return Builtins.require(name, type);
    }
    throw new IllegalArgumentException("local computation '" + name + "' is not registered in this JVM; run the code"
        + " that defines it (Computation.local(\"" + name + "\", ...)) before building or loading a computation that"
        + " uses it");
  }

  private static void checkName(String name) {
    if (name == null || !Arrays.stream(name.split("\\.", -1)).allMatch(StructType::isIdentifier)) {
      throw new IllegalArgumentException("local computation name '" + name
          + "' must be dotted identifiers, e.g. 'tutorial.add_half'");
    }
  }
}
