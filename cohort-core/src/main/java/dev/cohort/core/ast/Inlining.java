package dev.cohort.core.ast;

import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeAnalysis;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Inlines nested computations: the tree a traced computation made of nested {@code apply}s becomes, at the
 * federated level, one block per federated lambda, so that the dataflow between the nested computations is the
 * dataflow between that block's locals.
 *
 * <p>{@link #inline} rewrites the body of every federated lambda (a lambda whose type mentions a federated type):
 *
 * <ul>
 *   <li>a call of a lambda {@code (p -> body)(arg)} is beta-reduced: {@code arg}'s locals come first, then
 *       {@code body}'s, with {@code p} standing for {@code arg} (a struct argument takes the parameter's element
 *       names). An argument of a narrower type than the parameter (an all-equal value for a CLIENTS parameter)
 *       narrows the types inside the inlined body; if that changes the type of the body's result, the call is kept
 *       and its lambda is inlined in its own scope, so that every node outside the call keeps its type;</li>
 *   <li>nested blocks are flattened into the enclosing block, and every other call becomes one local (call-dominant
 *       form), in evaluation order;</li>
 *   <li>a local bound to an <em>atom</em> (a reference, a selection of an atom, a constant, a struct of atoms) is
 *       replaced by the atom, and a selection from a struct atom by the element, so that a value passed through a
 *       struct (a nested computation's {@code <state=..., result=...>}) is read where it was made;</li>
 *   <li>a CLIENTS value reached by selection from a reference (a parameter's element {@code _arg1[1]}) is bound to
 *       one local at its first read, and a CLIENTS parameter to a local at the start of the body, so that its reads
 *       are reads of one local.</li>
 * </ul>
 *
 * <p>Every lambda parameter and block local gets a fresh name (unused in the tree), so that substitution never
 * captures a name. Local functions ({@link Expr.Local}), intrinsics and the bodies of non-federated lambdas (work at
 * one placement) keep their structure, apart from the renaming. The result has the same type as the input, and a node
 * that replaces another has its type (inside a body inlined with a narrower argument, possibly a narrower one); it
 * computes the same values, since the language has no side effects and no conditionals: evaluation order is kept,
 * and every call is evaluated exactly once, where it was.
 */
public final class Inlining {
  private final Set<String> taken;
  private int counter;

  private Inlining(Set<String> taken) {
    this.taken = taken;
  }

  /**
   * {@code root} with its nested computations inlined (see the class documentation). Free names of {@code root} stay
   * as they are.
   */
  public static Expr inline(Expr root) {
    Set<String> names = new HashSet<>();
    collectNames(root, names);
    Inlining in = new Inlining(names);
    return in.rename(root, Map.of());
  }

  /** A name of the form {@code prefix<n>} that is not used in the tree nor given before. */
  private String fresh(String prefix) {
    String n;
    do {
      n = prefix + (++counter);
    } while (!taken.add(n));
    return n;
  }

  private static void collectNames(Expr e, Set<String> out) {
    if (e instanceof Expr.Reference r) {
      out.add(r.name());
    } else if (e instanceof Expr.Lambda l && l.parameterName() != null) {
      out.add(l.parameterName());
    } else if (e instanceof Expr.Block b) {
      for (Expr.Binding binding : b.locals()) {
        out.add(binding.name());
      }
    }
    for (Expr child : e.children()) {
      collectNames(child, out);
    }
  }

  /** The locals of one federated-level scope, in evaluation order, and its CLIENTS selections bound so far. */
  private final class Scope {
    final List<Expr.Binding> locals = new ArrayList<>();
    final Map<Expr, Expr.Reference> selections = new HashMap<>();

    Expr.Reference bind(String prefix, Expr value) {
      String n = fresh(prefix);
      locals.add(new Expr.Binding(n, value));
      return new Expr.Reference(n, value.type());
    }

    /** {@code let locals in result}. */
    Expr close(Expr result) {
      return locals.isEmpty() ? result : Expr.block(locals, result);
    }
  }

  /**
   * {@code e} outside a federated-level scope (the root, and the bodies of non-federated lambdas): binders renamed,
   * free references replaced per {@code env}; a federated lambda's body is inlined in a scope of its own.
   */
  private Expr rename(Expr e, Map<String, Expr> env) {
    if (e instanceof Expr.Reference r) {
      return env.getOrDefault(r.name(), r);
    } else if (e instanceof Expr.Lambda l) {
      if (isFederated(l.type())) {
        return federatedLambda(l, env);
      }
      if (l.parameterName() == null) {
        return Expr.lambda(null, null, rename(l.result(), env));
      }
      String n = fresh("_p");
      Map<String, Expr> inner = new HashMap<>(env);
      inner.put(l.parameterName(), new Expr.Reference(n, l.parameterType()));
      return Expr.lambda(n, l.parameterType(), rename(l.result(), inner));
    } else if (e instanceof Expr.Block b) {
      Map<String, Expr> inner = new HashMap<>(env);
      List<Expr.Binding> locals = new ArrayList<>(b.locals().size());
      for (Expr.Binding binding : b.locals()) {
        Expr v = rename(binding.value(), inner);
        String n = fresh("_l");
        inner.put(binding.name(), new Expr.Reference(n, v.type()));
        locals.add(new Expr.Binding(n, v));
      }
      return Expr.block(locals, rename(b.result(), inner));
    }
    List<Expr> children = e.children();
    if (children.isEmpty()) {
      return e;
    }
    List<Expr> out = new ArrayList<>(children.size());
    boolean changed = false;
    for (Expr child : children) {
      Expr c = rename(child, env);
      out.add(c);
      changed |= c != child;
    }
    return changed ? Exprs.withChildren(e, out) : e;
  }

  /** A federated lambda with its body inlined into one scope. */
  private Expr.Lambda federatedLambda(Expr.Lambda l, Map<String, Expr> env) {
    Scope scope = new Scope();
    Map<String, Expr> inner = new HashMap<>(env);
    String n = null;
    if (l.parameterName() != null) {
      n = fresh("_p");
      Expr.Reference p = new Expr.Reference(n, l.parameterType());
      inner.put(l.parameterName(), isClients(l.parameterType()) ? scope.bind("_s", p) : p);
    }
    Expr result = flat(l.result(), inner, scope);
    return Expr.lambda(n, l.parameterType(), scope.close(result));
  }

  /** The atom for {@code e} in {@code scope}, adding the locals it needs. */
  private Expr flat(Expr e, Map<String, Expr> env, Scope scope) {
    if (e instanceof Expr.Reference r) {
      return env.getOrDefault(r.name(), r);
    } else if (e instanceof Expr.Block b) {
      Map<String, Expr> inner = new HashMap<>(env);
      for (Expr.Binding binding : b.locals()) {
        inner.put(binding.name(), atom(flat(binding.value(), inner, scope), scope));
      }
      return flat(b.result(), inner, scope);
    } else if (e instanceof Expr.Call c) {
      if (c.function() instanceof Expr.Lambda l) {
        Expr arg = c.argument() == null ? null : atom(flat(c.argument(), env, scope), scope);
        Map<String, Expr> inner = new HashMap<>(env);
        if (arg != null) {
          Expr exact = retype(arg, l.parameterType());
          inner.put(l.parameterName(), exact != null ? exact : arg);
        }
        // An argument of a narrower type (all-equal for CLIENTS) narrows the body's nodes; keep the inlined body
        // only if its result still has the call's type, so that the nodes around the call keep theirs.
        int mark = scope.locals.size();
        Map<Expr, Expr.Reference> selections = new HashMap<>(scope.selections);
        Expr result = flat(l.result(), inner, scope);
        if (result.type().equals(c.type())) {
          return result;
        }
        scope.locals.subList(mark, scope.locals.size()).clear();
        scope.selections.keySet().retainAll(selections.keySet());
        return scope.bind("_b", Expr.call(rename(l, env), arg));
      }
      Expr f = flat(c.function(), env, scope);
      Expr a = c.argument() == null ? null : flat(c.argument(), env, scope);
      return scope.bind("_b", Expr.call(f, a));
    } else if (e instanceof Expr.Struct s) {
      List<Expr.Element> elements = new ArrayList<>(s.elements().size());
      for (Expr.Element el : s.elements()) {
        elements.add(new Expr.Element(el.name(), flat(el.value(), env, scope)));
      }
      return Expr.struct(elements);
    } else if (e instanceof Expr.Selection s) {
      Expr source = flat(s.source(), env, scope);
      if (source instanceof Expr.Struct st) {
        return st.elements().get(s.index()).value();
      }
      Expr.Selection selection = Expr.select(source, s.index());
      if (!isClients(selection.type())) {
        return selection;
      }
      Expr.Reference bound = scope.selections.get(selection);
      if (bound == null) {
        bound = scope.bind("_s", selection);
        scope.selections.put(selection, bound);
      }
      return bound;
    } else if (e instanceof Expr.Lambda l) {
      return rename(l, env);
    }
    return e;
  }

  /** {@code e} itself if it is an atom, else a reference to a new local bound to it. */
  private static Expr atom(Expr e, Scope scope) {
    return isAtom(e) ? e : scope.bind("_l", e);
  }

  /**
   * Whether {@code e} may be copied to every place that reads it: a reference, a selection of an atom, a constant or
   * a struct of atoms (evaluating it computes nothing and cannot fail).
   */
  private static boolean isAtom(Expr e) {
    if (e instanceof Expr.Reference || e instanceof Expr.Literal || e instanceof Expr.Intrinsic
        || e instanceof Expr.Local || e instanceof Expr.PlacementLiteral) {
      return true;
    } else if (e instanceof Expr.Selection s) {
      return isAtom(s.source());
    } else if (e instanceof Expr.Struct s) {
      return s.elements().stream().allMatch(el -> isAtom(el.value()));
    }
    return false;
  }

  /**
   * The atom {@code a} with exactly the type {@code type} (a struct atom renamed to {@code type}'s element names),
   * or null if it cannot have it.
   */
  private static Expr retype(Expr a, Type type) {
    if (a.type().equals(type)) {
      return a;
    }
    if (!(a instanceof Expr.Struct s) || !(type instanceof StructType t) || s.elements().size() != t.size()) {
      return null;
    }
    List<Expr.Element> elements = new ArrayList<>(t.size());
    for (int i = 0; i < t.size(); i++) {
      Expr v = retype(s.elements().get(i).value(), t.type(i));
      if (v == null) {
        return null;
      }
      elements.add(new Expr.Element(t.name(i), v));
    }
    return Expr.struct(elements);
  }

  private static boolean isFederated(Type t) {
    return TypeAnalysis.contains(t, x -> x instanceof FederatedType);
  }

  /** Whether {@code t} is a CLIENTS type with one member per client (a value that several reads may share). */
  private static boolean isClients(Type t) {
    return t instanceof FederatedType f && f.placement() == Placement.CLIENTS && !f.allEqual();
  }
}
