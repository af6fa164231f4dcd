package dev.cohort.core.runtime;

import dev.cohort.core.Computation;
import dev.cohort.core.Values;
import dev.cohort.core.ast.Expr;
import dev.cohort.core.ast.Inlining;
import dev.cohort.core.types.Placement;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The reference interpreter: evaluates an {@link Expr} in an {@link Env}, one node kind at a time, in the manner of
 * JAX's {@code eval_jaxpr}. Block locals are released after their last use. CLIENTS-placed values are lazy: a
 * {@code federated_map} result is a recipe evaluated per client by the {@link ClientExecutor} when an aggregation
 * consumes it, so map-then-aggregate streams. A lazy value whose uses are all aggregations (through per-client maps
 * and zips of it) is evaluated with them in one pass ({@link Fusion}); any other lazy value used more than once is
 * materialized (in parallel) at the point it is bound. A call's result is materialized before the call returns.
 */
final class Interpreter {
  private final ClientExecutor executor;
  private final int clients;
  private final Map<String, Object> data;
  private final Uses uses = new Uses();
  private final Map<Expr, Expr> inlined = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

  Interpreter(ClientExecutor executor, int clients, Map<String, Object> data) {
    this.executor = executor;
    this.clients = clients;
    this.data = data;
  }

  /**
   * {@code root} with its nested computations inlined ({@link Inlining#inline}), computed once per tree: the form the
   * interpreter evaluates, so that {@link Fusion} sees the dataflow across nested computations.
   */
  Expr inlined(Expr root) {
    return inlined.computeIfAbsent(root, Inlining::inline);
  }

  /**
   * Inlines {@code root} and prepares use counts for the result, which it returns; call for every tree before
   * evaluation starts.
   */
  Expr analyze(Expr root) {
    Expr e = inlined(root);
    uses.analyze(e);
    return e;
  }

  ClientExecutor executor() {
    return executor;
  }

  /** The number of clients for all-equal or generated CLIENTS values, or a loud error if unknown. */
  int clients(String op) {
    if (clients < 0) {
      throw new IllegalStateException(op + ": the number of CLIENTS is unknown: pass a CLIENTS-placed argument with"
          + " one member per client, or configure InProcessContext.builder().defaultClients(n)");
    }
    return clients;
  }

  /** The number of members of a CLIENTS value (the call's cardinality for an all-equal one). */
  int clientsOf(FederatedValue v, String op) {
    return v.isAllEqual() ? clients(op) : v.size();
  }

  Uses.Use parameterUse(Expr.Lambda lambda) {
    return uses.parameterUse(lambda);
  }

  Object eval(Expr e, Env env) {
    if (e instanceof Expr.Reference r) {
      return env.lookup(r.name());
    } else if (e instanceof Expr.Call c) {
      Object f = eval(c.function(), env);
      Object a = c.argument() == null ? null : eval(c.argument(), env);
      return apply(f, a);
    } else if (e instanceof Expr.Lambda l) {
      return new Fn.Closure(l, env, this);
    } else if (e instanceof Expr.Block b) {
      return block(b, env);
    } else if (e instanceof Expr.Struct s) {
      List<String> names = new ArrayList<>(s.elements().size());
      List<Object> values = new ArrayList<>(s.elements().size());
      for (Expr.Element el : s.elements()) {
        names.add(el.name());
        values.add(eval(el.value(), env));
      }
      return Struct.of(names, values);
    } else if (e instanceof Expr.Selection s) {
      return ((Struct) eval(s.source(), env)).get(s.index());
    } else if (e instanceof Expr.Intrinsic i) {
      return IntrinsicRuntime.evaluate(i.def(), i.type(), this);
    } else if (e instanceof Expr.Literal l) {
      return l.value();
    } else if (e instanceof Expr.Local l) {
      return new Fn.Local(l.name(), l.type(), l.function());
    } else if (e instanceof Expr.Data d) {
      Object v = data.get(d.uri());
      if (v == null) {
        throw new IllegalArgumentException("data '" + d.uri() + "' is not available: register it with"
            + " InProcessContext.builder().data(\"" + d.uri() + "\", value); available: " + data.keySet());
      }
      return Values.conform(v, d.type(), "data '" + d.uri() + "'");
    } else if (e instanceof Expr.PlacementLiteral p) {
      return p.placement();
    }
    throw new IllegalStateException("internal: unknown node " + e.getClass());
  }

  private Object block(Expr.Block b, Env env) {
    Uses.BlockInfo info = uses.block(b);
    Fusion.Plan plan = info.fusion();
    int n = b.locals().size();
    Env[] nodes = new Env[n];
    // With fused groups: per local, the value a running group gave it; per group, its source while it runs.
    Object[] fused = plan == null ? null : new Object[n];
    FederatedValue[] sources = plan == null ? null : new FederatedValue[plan.groups()];
    Env cur = env;
    for (int k = 0; k < n; k++) {
      Expr.Binding local = b.locals().get(k);
      Object v;
      if (plan != null && plan.runAt()[k] != null && sources[plan.runAt()[k].id()] != null) {
        Fusion.Group g = plan.runAt()[k];
        Object[] results = Fusion.run(g, sources[g.id()], cur, this);
        sources[g.id()] = null;
        for (int j = 0; j < results.length; j++) {
          int at = g.nodes().get(j).local();
          if (results[j] == null) {
            continue;
          } else if (at >= k) {
            fused[at] = results[j];
          } else if (info.uses()[at].isUsed()) {
            nodes[at].value = results[j]; // a consumer bound before the pass, PENDING until now
          }
        }
      }
      if (fused != null && fused[k] != null) {
        v = fused[k];
        fused[k] = null;
      } else {
        v = eval(local.value(), cur);
        Fusion.Group g = plan == null ? null : plan.sourceAt()[k];
        if (g != null && v instanceof FederatedValue f && f.placement() == Placement.CLIENTS && !f.isAllEqual()) {
          sources[g.id()] = f;
          for (Fusion.Node node : g.nodes()) {
            if (!node.isConsumer()) {
              fused[node.local()] = Fusion.MEMBER;
            } else if (node.local() < g.at()) {
              fused[node.local()] = Fusion.PENDING;
            }
          }
        } else {
          v = prepare(v, info.uses()[k]);
        }
      }
      cur = new Env(cur, local.name(), v);
      nodes[k] = cur;
      for (int j = 0; j <= k; j++) {
        if (nodes[j].value != null && !info.captured()[j] && (info.lastUse()[j] == k || !info.uses()[j].isUsed())) {
          nodes[j].value = null;
        }
      }
    }
    return eval(b.result(), cur);
  }

  Object apply(Object f, Object argument) {
    return toFn(f).apply(argument);
  }

  Fn toFn(Object f) {
    if (f instanceof Fn fn) {
      return fn;
    }
    if (f instanceof Computation c) {
      return (Fn) eval(inlined(c.expr()), Env.EMPTY);
    }
    throw new IllegalStateException("internal: not a function value: " + Values.describe(f));
  }

  /**
   * Materializes the lazy values that {@code use} reads more than once: lazy CLIENTS values (computed once per client,
   * in parallel) and {@code sequence_map} results (computed once instead of on every pass). A struct whose elements
   * are only selected is prepared element by element, so a lazy element read once stays lazy even if its siblings
   * are shared. Input sequences are left to stream on every pass.
   */
  Object prepare(Object value, Uses.Use use) {
    if (use.elements() == null || use.whole() > 0 || !(value instanceof Struct s)) {
      return use.isSharedWhole() ? materialize(value, false, "a CLIENTS value") : value;
    }
    List<Object> values = null;
    for (Map.Entry<Integer, Uses.Use> e : use.elements().entrySet()) {
      Object element = s.get(e.getKey());
      Object prepared = prepare(element, e.getValue());
      if (prepared != element) {
        if (values == null) {
          values = new ArrayList<>(s.values());
        }
        values.set(e.getKey(), prepared);
      }
    }
    return values == null ? s : Struct.of(s.names(), values);
  }

  /**
   * {@code value} with its lazy parts computed: CLIENTS values member by member (in parallel, in client order, a
   * failure reported against the value's origin, else {@code stage}), {@code sequence_map} results, and, if
   * {@code allSequences}, every sequence (for a call's result, so that nothing runs after the call returns).
   * Returns {@code value} itself if nothing is lazy.
   */
  Object materialize(Object value, boolean allSequences, String stage) {
    if (!hasLazy(value, allSequences)) {
      return value;
    }
    if (value instanceof FederatedValue f) {
      if (f.isAllEqual()) {
        Object v = materialize(f.value(), allSequences, stage);
        return f.placement() == Placement.SERVER ? FederatedValue.atServer(v) : FederatedValue.allEqualAtClients(v);
      }
      return FederatedValue.atClients(executor.collect(f.origin() != null ? f.origin() : stage, f.size(),
          i -> materialize(f.member(i), allSequences, stage)));
    }
    if (value instanceof Struct s) {
      List<Object> values = new ArrayList<>(s.size());
      for (Object v : s.values()) {
        values.add(materialize(v, allSequences, stage));
      }
      return Struct.of(s.names(), values);
    }
    return Sequence.of(((Sequence) value).toList());
  }

  private static boolean hasLazy(Object value, boolean allSequences) {
    if (value instanceof FederatedValue f) {
      if (f.isAllEqual()) {
        return hasLazy(f.value(), allSequences);
      }
      if (!f.isMaterialized()) {
        return true;
      }
      for (int i = 0; i < f.size(); i++) {
        if (hasLazy(f.member(i), allSequences)) {
          return true;
        }
      }
      return false;
    }
    if (value instanceof Struct s) {
      for (Object v : s.values()) {
        if (hasLazy(v, allSequences)) {
          return true;
        }
      }
      return false;
    }
    return value instanceof Sequence && (allSequences || value instanceof IntrinsicRuntime.MappedSequence);
  }
}
