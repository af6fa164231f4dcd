package dev.cohort.core.ast;

import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeMismatchException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/** Whole-tree operations on {@link Expr}: scope checks, free names, searching and rewriting. */
public final class Exprs {
  private Exprs() {}

  /**
   * Checks that every reference in {@code root} is bound by an enclosing lambda parameter or block local of the
   * same type.
   *
   * @throws TypeMismatchException naming the reference and both types, or the unbound name
   */
  public static void checkClosed(Expr root) {
    check(root, new HashMap<>());
  }

  private static void check(Expr e, Map<String, List<Type>> scope) {
    if (e instanceof Expr.Reference r) {
      List<Type> bound = scope.get(r.name());
      if (bound == null || bound.isEmpty()) {
        throw new TypeMismatchException("reference '" + r.name() + "' of type " + r.type() + " is not bound by an"
            + " enclosing lambda or block", null, r.type());
      }
      Type t = bound.get(bound.size() - 1);
      if (!t.equals(r.type())) {
        throw new TypeMismatchException("reference '" + r.name() + "' has type " + r.type() + ", but the name is bound"
            + " to a value of type " + t, t, r.type());
      }
    } else if (e instanceof Expr.Lambda l) {
      if (l.parameterName() != null) {
        push(scope, l.parameterName(), l.parameterType());
      }
      check(l.result(), scope);
      if (l.parameterName() != null) {
        pop(scope, l.parameterName());
      }
    } else if (e instanceof Expr.Block b) {
      for (Expr.Binding binding : b.locals()) {
        check(binding.value(), scope);
        push(scope, binding.name(), binding.value().type());
      }
      check(b.result(), scope);
      for (Expr.Binding binding : b.locals()) {
        pop(scope, binding.name());
      }
    } else {
      for (Expr child : e.children()) {
        check(child, scope);
      }
    }
  }

  private static void push(Map<String, List<Type>> scope, String name, Type type) {
    scope.computeIfAbsent(name, k -> new ArrayList<>()).add(type);
  }

  private static void pop(Map<String, List<Type>> scope, String name) {
    List<Type> l = scope.get(name);
    l.remove(l.size() - 1);
  }

  /** The names referenced in {@code e} but not bound inside it, in order of first use. */
  public static Set<String> freeNames(Expr e) {
    Set<String> out = new LinkedHashSet<>();
    free(e, new HashMap<>(), out);
    return out;
  }

  private static void free(Expr e, Map<String, Integer> bound, Set<String> out) {
    if (e instanceof Expr.Reference r) {
      if (bound.getOrDefault(r.name(), 0) == 0) {
        out.add(r.name());
      }
    } else if (e instanceof Expr.Lambda l) {
      if (l.parameterName() != null) {
        bound.merge(l.parameterName(), 1, Integer::sum);
      }
      free(l.result(), bound, out);
      if (l.parameterName() != null) {
        bound.merge(l.parameterName(), -1, Integer::sum);
      }
    } else if (e instanceof Expr.Block b) {
      for (Expr.Binding binding : b.locals()) {
        free(binding.value(), bound, out);
        bound.merge(binding.name(), 1, Integer::sum);
      }
      free(b.result(), bound, out);
      for (Expr.Binding binding : b.locals()) {
        bound.merge(binding.name(), -1, Integer::sum);
      }
    } else {
      for (Expr child : e.children()) {
        free(child, bound, out);
      }
    }
  }

  /** Whether {@code e} or any node under it satisfies {@code p}. */
  public static boolean contains(Expr e, Predicate<Expr> p) {
    if (p.test(e)) {
      return true;
    }
    for (Expr child : e.children()) {
      if (contains(child, p)) {
        return true;
      }
    }
    return false;
  }

  /** {@code e} with its children replaced by {@code children} (same count and order as {@link Expr#children()}). */
  public static Expr withChildren(Expr e, List<Expr> children) {
    if (e instanceof Expr.Lambda l) {
      return Expr.lambda(l.parameterName(), l.parameterType(), children.get(0));
    } else if (e instanceof Expr.Call c) {
      return Expr.call(children.get(0), c.argument() == null ? null : children.get(1));
    } else if (e instanceof Expr.Block b) {
      List<Expr.Binding> locals = new ArrayList<>(b.locals().size());
      for (int i = 0; i < b.locals().size(); i++) {
        locals.add(new Expr.Binding(b.locals().get(i).name(), children.get(i)));
      }
      return Expr.block(locals, children.get(children.size() - 1));
    } else if (e instanceof Expr.Struct s) {
      List<Expr.Element> elements = new ArrayList<>(s.elements().size());
      for (int i = 0; i < s.elements().size(); i++) {
        elements.add(new Expr.Element(s.elements().get(i).name(), children.get(i)));
      }
      return Expr.struct(elements);
    } else if (e instanceof Expr.Selection s) {
      return Expr.select(children.get(0), s.index());
    }
    return e;
  }

  /**
   * Rewrites bottom-up: each node's children are transformed first, then {@code f} is applied to the rebuilt node.
   * Types are re-checked as the tree is rebuilt.
   */
  public static Expr transformPostorder(Expr e, Function<Expr, Expr> f) {
    List<Expr> children = e.children();
    if (!children.isEmpty()) {
      List<Expr> transformed = new ArrayList<>(children.size());
      boolean changed = false;
      for (Expr child : children) {
        Expr t = transformPostorder(child, f);
        transformed.add(t);
        changed |= t != child;
      }
      if (changed) {
        e = withChildren(e, transformed);
      }
    }
    return f.apply(e);
  }
}
