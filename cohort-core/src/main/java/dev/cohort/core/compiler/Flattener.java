package dev.cohort.core.compiler;

import dev.cohort.core.ast.Expr;
import dev.cohort.core.ast.Exprs;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeMismatchException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Brings a computation's federated-level body into call-dominant form: every binder gets a unique name, calls of
 * federated lambdas (inlined federated computations) are beta-reduced, nested blocks are flattened, and every other
 * call becomes one named binding. Structs, selections and constants stay inline as "atoms", and a selection from a
 * struct atom is resolved. Bodies of non-federated lambdas (functions that run at one placement) are left as they
 * are, apart from renaming.
 */
final class Flattener {
  private int counter;
  final List<Expr.Binding> bindings = new ArrayList<>();

  String fresh(String prefix) {
    return prefix + (++counter);
  }

  /** Renames every lambda parameter and block local to a unique name. */
  Expr uniquify(Expr e, Map<String, String> scope) {
    if (e instanceof Expr.Reference r) {
      return new Expr.Reference(scope.getOrDefault(r.name(), r.name()), r.type());
    } else if (e instanceof Expr.Lambda l) {
      if (l.parameterName() == null) {
        return Expr.lambda(null, null, uniquify(l.result(), scope));
      }
      String n = fresh("_p");
      Map<String, String> inner = new HashMap<>(scope);
      inner.put(l.parameterName(), n);
      return Expr.lambda(n, l.parameterType(), uniquify(l.result(), inner));
    } else if (e instanceof Expr.Block b) {
      Map<String, String> inner = new HashMap<>(scope);
      List<Expr.Binding> locals = new ArrayList<>();
      for (Expr.Binding binding : b.locals()) {
        Expr v = uniquify(binding.value(), inner);
        String n = fresh("_l");
        inner.put(binding.name(), n);
        locals.add(new Expr.Binding(n, v));
      }
      return Expr.block(locals, uniquify(b.result(), inner));
    }
    List<Expr> children = e.children();
    if (children.isEmpty()) {
      return e;
    }
    List<Expr> out = new ArrayList<>(children.size());
    for (Expr child : children) {
      out.add(uniquify(child, scope));
    }
    return Exprs.withChildren(e, out);
  }

  /** The atom for {@code e} at the federated level, adding the bindings its calls need. */
  Expr flat(Expr e, Map<String, Expr> env) {
    if (e instanceof Expr.Reference r) {
      return env.getOrDefault(r.name(), r);
    } else if (e instanceof Expr.Block b) {
      Map<String, Expr> inner = new HashMap<>(env);
      for (Expr.Binding binding : b.locals()) {
        inner.put(binding.name(), flat(binding.value(), inner));
      }
      return flat(b.result(), inner);
    } else if (e instanceof Expr.Call c) {
      Expr f = flat(c.function(), env);
      Expr a = c.argument() == null ? null : flat(c.argument(), env);
      if (f instanceof Expr.Lambda l && isFederated(l.type())) {
        Map<String, Expr> inner = new HashMap<>();
        if (l.parameterName() != null) {
          inner.put(l.parameterName(), a);
        }
        return flat(l.result(), inner);
      }
      Expr call = Expr.call(f, a);
      String n = fresh("_b");
      bindings.add(new Expr.Binding(n, call));
      return new Expr.Reference(n, call.type());
    } else if (e instanceof Expr.Struct s) {
      List<Expr.Element> elements = new ArrayList<>(s.elements().size());
      for (Expr.Element el : s.elements()) {
        elements.add(new Expr.Element(el.name(), flat(el.value(), env)));
      }
      return Expr.struct(elements);
    } else if (e instanceof Expr.Selection s) {
      Expr source = flat(s.source(), env);
      if (source instanceof Expr.Struct st) {
        return st.elements().get(s.index()).value();
      }
      return Expr.select(source, s.index());
    } else if (e instanceof Expr.Lambda l) {
      return substitute(l, env);
    }
    return e;
  }

  /** {@code e} with free references replaced per {@code env} (binders are unique, so nothing is captured). */
  static Expr substitute(Expr e, Map<String, Expr> env) {
    if (env.isEmpty()) {
      return e;
    }
    try {
      return Exprs.transformPostorder(e, x -> x instanceof Expr.Reference r && env.containsKey(r.name())
          ? env.get(r.name()) : x);
    } catch (TypeMismatchException ex) {
      throw new CompilerException("cannot inline a call whose argument's type differs from the parameter's: "
          + ex.getMessage());
    }
  }

  static boolean isFederated(Type t) {
    if (t instanceof FederatedType) {
      return true;
    }
    for (Type c : t.children()) {
      if (isFederated(c)) {
        return true;
      }
    }
    return false;
  }
}
