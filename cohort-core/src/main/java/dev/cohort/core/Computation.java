package dev.cohort.core;

import dev.cohort.core.ast.Expr;
import dev.cohort.core.ast.Exprs;
import dev.cohort.core.ast.LocalFactory;
import dev.cohort.core.ast.LocalFunction;
import dev.cohort.core.serialization.ComputationFormat;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.core.values.Struct;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A typed, immutable computation: a closed function-typed {@link Expr} with a name. Computations are built in two
 * ways, mirroring TFF:
 *
 * <ul>
 *   <li>{@link #federated} traces a Java lambda over symbolic {@link Value}s once, at definition, type-checking
 *       every intrinsic and call as it is made (TFF's {@code federated_computation});</li>
 *   <li>{@link #local} wraps a Java function over non-federated values with a declared type and a stable name
 *       (TFF's {@code tensorflow.computation}); a {@link LocalFamily} makes one for any type and parameters its
 *       factory accepts.</li>
 * </ul>
 *
 * <p>{@link #call} runs the computation in the current {@link ExecutionContext}; inside the body of another
 * computation being traced, {@link #apply} adds a call to it and returns a typed {@link Value}. {@link #serialize()} writes a portable, versioned form that
 * {@link #deserialize} reads back (local functions by family name, type and parameters).
 *
 * <pre>{@code
 * Computation getAverageTemperature = Computation.federated("get_average_temperature",
 *     FederatedType.atClients(TensorType.FLOAT32), x -> Intrinsics.federatedMean(x));
 * getAverageTemperature.typeSignature();            // ({float32}@CLIENTS -> float32@SERVER)
 * getAverageTemperature.call(List.of(68.5, 70.3, 69.8)); // 69.53334
 * }</pre>
 */
public final class Computation {
  private final String name;
  private final Expr expr;
  private final FunctionType type;

  private Computation(String name, Expr expr, FunctionType type) {
    this.name = name;
    this.expr = expr;
    this.type = type;
  }

  /**
   * A computation for a closed function-typed expression (used by the compiler, deserialization and runtimes).
   *
   * @throws TypeMismatchException if {@code expr} is not function-typed or has unbound references
   */
  public static Computation of(String name, Expr expr) {
    Objects.requireNonNull(expr, "expr");
    if (!(expr.type() instanceof FunctionType ft)) {
      throw new TypeMismatchException("a computation must have a function type, found " + expr.type(), null,
          expr.type());
    }
    Exprs.checkClosed(expr);
    return new Computation(name == null ? "computation" : name, expr, ft);
  }

  // ------------------------------------------------------------------ local computations

  /**
   * A local computation of one fixed type: the family {@code name} that accepts only the type
   * {@code (parameter -> result)} ({@code parameter} null for none) and no parameters, and computes
   * {@code function}. Several parameters are one struct parameter, e.g.
   * {@code StructType.named("model", MODEL_TYPE, "batch", BATCH_TYPE)}; the function then receives a
   * {@link dev.cohort.core.values.Struct}. For functions generic in their type or built from settings, define a
   * {@link LocalFamily} instead.
   *
   * <p>Calling this again with the same name and an equal type (a program that builds its computations again, a new
   * lambda each time) defines nothing new: the computation returned holds the function it was given, and a serialized
   * computation that names it loads with the first definition in this JVM. Another type under the same name fails,
   * as redefining any family does (see {@link LocalFamily}).
   *
   * @throws IllegalArgumentException if the name is malformed or reserved, or the type is federated
   * @throws IllegalStateException if the name is already defined with another type or as another family
   */
  public static Computation local(String name, Type parameter, Type result, LocalFunction function) {
    return local(name, new FunctionType(parameter, result), function);
  }

  /** {@link #local(String, Type, Type, LocalFunction)} with the whole function type. */
  public static Computation local(String name, FunctionType type, LocalFunction function) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(function, "function");
    LocalFamily.define(name, new FixedType(type, function));
    return of(name, new Expr.Local(name, type, Struct.empty(), function));
  }

  /**
   * The factory of {@link #local}: one type, no parameters, one function. Two are equal when their types are: a
   * program that builds the same local computation again (a new lambda each time) defines nothing new, and the
   * computation it gets holds its own function; loading a serialized computation uses the first definition.
   */
  private record FixedType(FunctionType type, LocalFunction function) implements LocalFactory {
    @Override
    public boolean equals(Object o) {
      return o instanceof FixedType f && f.type.equals(type);
    }

    @Override
    public int hashCode() {
      return type.hashCode();
    }

    @Override
    public LocalFunction create(FunctionType requested, Struct parameters) {
      if (!requested.equals(type)) {
        throw new TypeMismatchException("it is defined by Computation.local with the one type " + type, type,
            requested);
      }
      if (parameters.size() != 0) {
        throw new IllegalArgumentException("it is defined by Computation.local and takes no parameters");
      }
      return function;
    }

    @Override
    public String toString() {
      return "Computation.local of type " + type;
    }
  }

  // ------------------------------------------------------------------ federated computations

  /** The body of a federated computation without parameters. */
  @FunctionalInterface
  public interface Body0 {
    /** Builds the result from intrinsics and constants. */
    Object trace();
  }

  /** The body of a federated computation with one parameter. */
  @FunctionalInterface
  public interface Body1 {
    /** Builds the result from the symbolic parameter. */
    Object trace(Value a);
  }

  /** The body of a federated computation with two parameters. */
  @FunctionalInterface
  public interface Body2 {
    /** Builds the result from the symbolic parameters. */
    Object trace(Value a, Value b);
  }

  /** The body of a federated computation with three parameters. */
  @FunctionalInterface
  public interface Body3 {
    /** Builds the result from the symbolic parameters. */
    Object trace(Value a, Value b, Value c);
  }

  /** A federated computation of type {@code ( -> T)}, traced now. */
  public static Computation federated(String name, Body0 body) {
    return trace(name, List.of(), List.of(), args -> body.trace());
  }

  /**
   * A federated computation with one parameter named {@code arg}, traced now: {@code body} runs once with a
   * symbolic value of {@code parameter}, and what it returns (a value, a constant, or a {@link dev.cohort.core.values.Struct}, list or
   * ordered map, {@link java.util.LinkedHashMap} or {@link java.util.SortedMap}, of those) is the result.
   *
   * @throws TypeMismatchException if the body misuses a type; the message names the intrinsic or call and both
   *     types
   */
  public static Computation federated(String name, Type parameter, Body1 body) {
    return federated(name, "arg", parameter, body);
  }

  /** As {@link #federated(String, Type, Body1)} with the parameter's name. */
  public static Computation federated(String name, String parameterName, Type parameter, Body1 body) {
    return trace(name, List.of(parameterName), List.of(parameter), args -> body.trace(args.get(0)));
  }

  /** A federated computation of two parameters; its parameter type is {@code <p1=t1,p2=t2>}. */
  public static Computation federated(String name, String p1, Type t1, String p2, Type t2, Body2 body) {
    return trace(name, List.of(p1, p2), List.of(t1, t2), args -> body.trace(args.get(0), args.get(1)));
  }

  /** A federated computation of three parameters; its parameter type is {@code <p1=t1,p2=t2,p3=t3>}. */
  public static Computation federated(String name, String p1, Type t1, String p2, Type t2, String p3, Type t3,
      Body3 body) {
    return trace(name, List.of(p1, p2, p3), List.of(t1, t2, t3),
        args -> body.trace(args.get(0), args.get(1), args.get(2)));
  }

  private static Computation trace(String name, List<String> paramNames, List<Type> paramTypes,
      java.util.function.Function<List<Value>, Object> body) {
    Objects.requireNonNull(name, "name");
    for (int i = 0; i < paramTypes.size(); i++) {
      Objects.requireNonNull(paramTypes.get(i), "type of parameter " + paramNames.get(i));
    }
    Trace t = new Trace(name, paramNames);
    String pname = null;
    Type ptype = null;
    List<Value> args = new ArrayList<>();
    if (paramNames.size() == 1) {
      pname = paramNames.get(0);
      ptype = paramTypes.get(0);
      args.add(t.wrap(new Expr.Reference(pname, ptype)));
    } else if (paramNames.size() > 1) {
      List<StructType.Field> fields = new ArrayList<>();
      for (int i = 0; i < paramNames.size(); i++) {
        fields.add(new StructType.Field(paramNames.get(i), paramTypes.get(i)));
      }
      ptype = new StructType(fields);
      pname = t.freshName("_arg");
      Expr.Reference ref = new Expr.Reference(pname, ptype);
      for (int i = 0; i < paramNames.size(); i++) {
        args.add(t.wrap(Expr.select(ref, i)));
      }
    }
    Expr lambda;
    ContextStack.Scope scope = ContextStack.install(t);
    try {
      Object result = body.apply(args);
      if (result == null) {
        throw new IllegalArgumentException("the body of federated computation '" + name + "' returned null; return a"
            + " Value, a constant, or a struct of those");
      }
      lambda = Expr.lambda(pname, ptype, t.body(t.expr(result, "result of '" + name + "'")));
    } finally {
      scope.close();
      t.close();
    }
    return of(name, lambda);
  }

  // ------------------------------------------------------------------ accessors

  /** The name given at definition. */
  public String name() {
    return name;
  }

  /** The expression (a lambda for federated computations, a local node for local ones). */
  public Expr expr() {
    return expr;
  }

  /** The type, e.g. {@code ({float32}@CLIENTS -> float32@SERVER)}. */
  public FunctionType typeSignature() {
    return type;
  }

  // ------------------------------------------------------------------ calling

  /**
   * Runs the computation in {@link ContextStack#current()} and returns its result as a runtime value
   * ({@link dev.cohort.tensor.Tensor}, {@link dev.cohort.core.values.Struct}, {@link dev.cohort.core.values.Sequence},
   * {@link dev.cohort.core.values.FederatedValue}). No arguments for a
   * computation without a parameter; one argument is the parameter's value; several are the elements of a struct
   * parameter, in order. While a federated computation is traced, use {@link #apply} instead.
   *
   * @throws IllegalArgumentException if the number of arguments does not fit the parameter, or a value does not
   *     fit its type (naming where)
   * @throws IllegalStateException if called while a federated computation is being traced
   */
  public Object call(Object... args) {
    Trace t = ContextStack.currentTrace();
    if (t != null) {
      throw new IllegalStateException("computation '" + name + "' was called with call(...) while '"
          + t.computationName() + "' is being traced; inside a federated computation's body use apply(...), which"
          + " adds the call to the trace and returns a Value");
    }
    return ContextStack.current().invoke(this, pack("computation '" + name + "'", type, args));
  }

  /**
   * Applies the computation symbolically inside the body of a federated computation being traced: the call becomes
   * part of that computation, and its typed result is returned, so traced code chains calls without casts:
   * {@code Value loss = batchLoss.apply(batchTrain.apply(model, batch, lr), batch)}. Arguments are packed as
   * {@link #call} packs them and may be symbolic values, constants or structs of those.
   *
   * @throws TypeMismatchException if an argument does not fit the parameter type
   * @throws IllegalStateException outside tracing (use {@link #call} to run a computation)
   */
  public Value apply(Object... args) {
    Trace t = Trace.require("Computation.apply ('" + name + "')");
    Object packed = pack("computation '" + name + "'", type, args);
    Expr arg = packed == null ? null : t.expr(packed, "argument of '" + name + "'");
    if (arg != null && !type.parameter().isAssignableFrom(arg.type())) {
      throw new TypeMismatchException("computation '" + name + "' of type " + type + " expects an argument of type "
          + type.parameter() + ", found " + arg.type(), type.parameter(), arg.type());
    }
    return t.bind(Expr.call(expr, arg));
  }

  static Object pack(String what, FunctionType type, Object[] args) {
    if (args == null) {
      args = new Object[] {null};
    }
    if (type.parameter() == null) {
      if (args.length != 0) {
        throw new IllegalArgumentException(what + " of type " + type + " takes no arguments, got " + args.length);
      }
      return null;
    }
    if (args.length == 0) {
      throw new IllegalArgumentException(what + " of type " + type + " takes an argument of type " + type.parameter()
          + ", got none");
    }
    if (args.length == 1) {
      return args[0];
    }
    if (!(type.parameter() instanceof StructType st) || st.size() != args.length) {
      int expected = type.parameter() instanceof StructType st ? st.size() : 1;
      throw new IllegalArgumentException(what + " of type " + type + " takes " + expected + " argument"
          + (expected == 1 ? "" : "s") + ", got " + args.length);
    }
    return Arrays.asList(args);
  }

  // ------------------------------------------------------------------ serialization

  /**
   * The portable serialized form, version 3: the magic {@code COHORTCP}, the format version (u16), the payload length
   * (u32), the payload (the name; the table of local functions the tree uses, each by family name, type and parameters; the
   * expression tree in pre-order, with types in TFF's compact notation and tensors as dtype, shape and big-endian
   * elements) and a CRC-32 of the payload. See {@link ComputationFormat} for the layout and its limits.
   *
   * @throws IllegalArgumentException if a reader would reject the result, naming why: a local function whose family
   *     is not defined in this JVM or does not accept the type and parameters the tree uses, nodes nested deeper than 1,000 levels, a type nested
   *     deeper than 1,000 levels, a literal of rank above 32, or a file above 2 GiB
   */
  public byte[] serialize() {
    return ComputationFormat.write(name, expr);
  }

  /**
   * Reads a computation written by {@link #serialize()} (format version 3, or versions 1 and 2 of earlier releases),
   * rebuilding each local function from its family, type and parameters.
   *
   * @throws dev.cohort.core.serialization.ComputationFormatException if the bytes are not a computation, are
   *     corrupt or truncated, come from a newer format version, name local families this JVM does not define (all of
   *     them at once), or carry a type or parameters a family rejects
   */
  public static Computation deserialize(byte[] bytes) {
    ComputationFormat.Named decoded = ComputationFormat.read(bytes);
    return of(decoded.name(), decoded.expr());
  }

  /**
   * Writes {@link #serialize()} to {@code path} atomically (a temporary file renamed into place).
   *
   * @throws IllegalArgumentException as {@link #serialize()}, before any file is created
   * @throws UncheckedIOException if the file cannot be written (no temporary file is left behind)
   */
  public void save(Path path) {
    byte[] bytes = serialize();
    Path tmp;
    try {
      tmp = Files.createTempFile(path.toAbsolutePath().getParent(), path.getFileName().toString(), ".tmp");
    } catch (IOException e) {
      throw cannotWrite(path, e);
    }
    try {
      Files.write(tmp, bytes);
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      // The temporary file must not be left behind; a failure to remove it is reported with the original one.
      RuntimeException failure = e instanceof IOException io ? cannotWrite(path, io) : (RuntimeException) e;
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException cleanup) {
        failure.addSuppressed(cleanup);
      }
      throw failure;
    }
  }

  private UncheckedIOException cannotWrite(Path path, IOException e) {
    return new UncheckedIOException("cannot write computation '" + name + "' to " + path + ": " + e.getMessage(), e);
  }

  /**
   * Reads a computation saved with {@link #save}. The file's header is checked against its size before the rest is
   * read, so a file that is not a computation, announces another length, or is larger than a computation file can
   * be (2 GiB) is rejected without reading it.
   *
   * @throws dev.cohort.core.serialization.ComputationFormatException naming the file and what is wrong with it (as
   *     {@link #deserialize})
   * @throws UncheckedIOException if the file cannot be read
   */
  public static Computation load(Path path) {
    ComputationFormat.Named decoded;
    try {
      decoded = ComputationFormat.read(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read computation from " + path + ": " + e.getMessage(), e);
    }
    return of(decoded.name(), decoded.expr());
  }

  /** {@code name: type}. */
  @Override
  public String toString() {
    return name + ": " + type;
  }
}
