package dev.cohort.core;

import dev.cohort.core.ast.Expr;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeMismatchException;

/**
 * A symbolic value inside a federated computation being traced: what the body given to
 * {@link Computation#federated} receives as parameters and gets back from {@link Intrinsics} and from calling
 * computations. It carries its {@link #type()} and the expression that computes it.
 *
 * <p>A value lives only while its trace runs; using it afterwards (e.g. after storing it in a field) fails with an
 * explanation, like JAX's escaped-tracer error.
 */
public final class Value {
  private final Expr expr;
  private final Trace trace;

  Value(Expr expr, Trace trace) {
    this.expr = expr;
    this.trace = trace;
  }

  /** The type of this value, in TFF notation when printed. */
  public Type type() {
    return expr.type();
  }

  /** The expression that computes this value. */
  public Expr expr() {
    return expr;
  }

  Trace trace() {
    return trace;
  }

  private Trace live() {
    if (trace.isClosed()) {
      throw Trace.escaped(this);
    }
    Trace current = ContextStack.currentTrace();
    if (current != null) {
      current.check(this);
    }
    return trace;
  }

  /**
   * Element {@code index} of a struct; of a federated struct, the federated value of that element (TFF's
   * attribute access on federated values, built with a federated map).
   *
   * @throws TypeMismatchException if this is not a struct or the index is out of range
   */
  public Value get(int index) {
    Trace t = live();
    if (type() instanceof FederatedType f && f.member() instanceof StructType) {
      return Intrinsics.selectFromFederated(this, index, null);
    }
    return t.wrap(Expr.select(expr, index));
  }

  /**
   * The element named {@code name} (see {@link #get(int)}).
   *
   * @throws TypeMismatchException listing the available names if there is no such element
   */
  public Value get(String name) {
    Trace t = live();
    if (type() instanceof FederatedType f && f.member() instanceof StructType) {
      return Intrinsics.selectFromFederated(this, -1, name);
    }
    return t.wrap(Expr.select(expr, name));
  }

  /**
   * Applies a function-typed value to arguments packed as {@link Computation#apply} packs them.
   *
   * @throws TypeMismatchException if this is not a function or the arguments do not fit
   */
  public Value apply(Object... args) {
    Trace t = live();
    if (!(type() instanceof FunctionType ft)) {
      throw new TypeMismatchException("cannot call " + this + " of type " + type() + ", which is not a function",
          null, type());
    }
    Object packed = Computation.pack(String.valueOf(this), ft, args);
    Expr arg = packed == null ? null : t.expr(packed, "argument of " + this);
    return t.bind(Expr.call(expr, arg));
  }

  /** The expression, e.g. {@code sensor_readings} or {@code _var1}. */
  @Override
  public String toString() {
    return expr.toString();
  }
}
