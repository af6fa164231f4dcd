package dev.cohort.core;

import dev.cohort.core.ast.Expr;
import dev.cohort.core.types.Placement;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * The computation being built while a federated computation's body runs (TFF's symbol-binding context). Every call
 * the body makes becomes a named local of one block, so a value used twice is computed once; the finished trace is
 * {@code (param -> (let _var1=..., _var2=... in result))}.
 */
final class Trace {
  private final String computationName;
  private final List<Expr.Binding> bindings = new ArrayList<>();
  private final Set<String> names = new HashSet<>();
  private int counter;
  private boolean closed;

  Trace(String computationName, List<String> parameterNames) {
    this.computationName = computationName;
    names.addAll(parameterNames);
  }

  String computationName() {
    return computationName;
  }

  /** The current trace, or a loud error saying how to get one. */
  static Trace require(String operation) {
    Trace t = ContextStack.currentTrace();
    if (t == null) {
      throw new IllegalStateException(operation + " builds a federated computation and can only be used while one is"
          + " traced: call it inside the body given to Computation.federated(name, type, body). Outside tracing,"
          + " computations are called through the current ExecutionContext instead.");
    }
    return t;
  }

  String freshName(String prefix) {
    String n;
    do {
      n = prefix + (++counter);
    } while (!names.add(n));
    return n;
  }

  /** Binds calls to a new local and returns a reference to it; other nodes are used in place. */
  Value bind(Expr e) {
    if (e instanceof Expr.Call || e instanceof Expr.Block) {
      String name = freshName("_var");
      bindings.add(new Expr.Binding(name, e));
      return new Value(new Expr.Reference(name, e.type()), this);
    }
    return new Value(e, this);
  }

  Value wrap(Expr e) {
    return new Value(e, this);
  }

  void close() {
    closed = true;
  }

  boolean isClosed() {
    return closed;
  }

  /** The finished body: the bound locals around {@code result}. */
  Expr body(Expr result) {
    return bindings.isEmpty() ? result : Expr.block(bindings, result);
  }

  /** Checks that {@code v} belongs to this open trace. */
  void check(Value v) {
    if (v.trace() == this && !closed) {
      return;
    }
    if (v.trace().isClosed()) {
      throw escaped(v);
    }
    throw new IllegalStateException("symbolic value " + v + " of type " + v.type() + " belongs to the trace of '"
        + v.trace().computationName() + "' and cannot be used while tracing '" + computationName + "': a nested"
        + " computation cannot capture values of the one that defines it; pass the value as a parameter instead");
  }

  static IllegalStateException escaped(Value v) {
    return new IllegalStateException("symbolic value " + v + " of type " + v.type() + " was created while tracing '"
        + v.trace().computationName() + "', which has finished: symbolic values exist only while the body given to"
        + " Computation.federated runs. Return the value from the body (or pass it to a computation) instead of"
        + " keeping it.");
  }

  /**
   * A value for {@code o}: a symbolic value of this trace, a computation, a constant, or a struct of those (a
   * {@link Struct}, a {@link List} or array, or a map with a defined order, {@link LinkedHashMap} or
   * {@link SortedMap}, whose keys name the elements).
   */
  Value value(Object o, String what) {
    return o instanceof Value v ? checked(v) : wrap(expr(o, what));
  }

  private Value checked(Value v) {
    check(v);
    return v;
  }

  /** The node for {@code o} (see {@link #value}). */
  Expr expr(Object o, String what) {
    if (o instanceof Value v) {
      check(v);
      return v.expr();
    } else if (o instanceof Computation c) {
      return c.expr();
    } else if (o instanceof Placement p) {
      return new Expr.PlacementLiteral(p);
    } else if (o instanceof Struct s) {
      List<Expr.Element> elements = new ArrayList<>(s.size());
      for (int i = 0; i < s.size(); i++) {
        elements.add(new Expr.Element(s.name(i), expr(s.get(i), what)));
      }
      return Expr.struct(elements);
    } else if (o instanceof List<?> l) {
      List<Expr.Element> elements = new ArrayList<>(l.size());
      for (Object e : l) {
        elements.add(new Expr.Element(null, expr(e, what)));
      }
      return Expr.struct(elements);
    } else if (o instanceof Object[] a) {
      return expr(List.of(a), what);
    } else if (o instanceof Map<?, ?> m) {
      if (!(m instanceof LinkedHashMap || m instanceof SortedMap)) {
        throw new IllegalArgumentException(what + ": a " + m.getClass().getName() + " has no defined order, so the"
            + " order of the struct's elements would change between runs; use a LinkedHashMap (insertion order), a"
            + " SortedMap or a Struct");
      }
      List<Expr.Element> elements = new ArrayList<>(m.size());
      for (Map.Entry<?, ?> e : m.entrySet()) {
        elements.add(new Expr.Element(String.valueOf(e.getKey()), expr(e.getValue(), what)));
      }
      return Expr.struct(elements);
    }
    Tensor t = Values.constant(o);
    if (t == null) {
      throw new IllegalArgumentException(what + ": cannot use " + Values.describe(o) + " in a federated computation;"
          + " expected a symbolic Value, a Computation, a constant (Tensor, number, boolean, string, primitive array)"
          + " or a Struct/List/LinkedHashMap of those");
    }
    return Expr.literal(t);
  }
}
