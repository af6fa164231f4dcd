package dev.cohort.core.runtime;

import dev.cohort.core.ast.Expr;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * How often each block local and lambda parameter is used, computed once per computation before it runs. A use
 * inside a nested lambda counts as many (the lambda may run once per client). The interpreter keeps a lazy CLIENTS
 * value lazy only if it is used once, and releases a local after its last use.
 */
final class Uses {
  /** Per block: for each local, its use count (capped at 2), last use position, and whether a lambda captures it. */
  record BlockInfo(int[] uses, int[] lastUse, boolean[] captured) {}

  private final Map<Expr, BlockInfo> blocks = new IdentityHashMap<>();
  private final Map<Expr, Integer> lambdas = new IdentityHashMap<>();

  /** Analyzes every block and lambda under {@code root}; call before evaluation starts (not thread-safe). */
  void analyze(Expr root) {
    if (root instanceof Expr.Block b && !blocks.containsKey(b)) {
      int n = b.locals().size();
      int[] uses = new int[n];
      int[] last = new int[n];
      boolean[] captured = new boolean[n];
      for (int k = 0; k < n; k++) {
        String name = b.locals().get(k).name();
        last[k] = -1;
        for (int j = k + 1; j <= n; j++) {
          Expr e = j < n ? b.locals().get(j).value() : b.result();
          int[] c = count(e, name);
          if (c[0] > 0) {
            uses[k] = Math.min(2, uses[k] + c[0]);
            last[k] = j;
            captured[k] |= c[1] > 0;
          }
          if (j < n && b.locals().get(j).name().equals(name)) {
            break;
          }
        }
      }
      blocks.put(b, new BlockInfo(uses, last, captured));
    } else if (root instanceof Expr.Lambda l && l.parameterName() != null && !lambdas.containsKey(l)) {
      lambdas.put(l, count(l.result(), l.parameterName())[0]);
    }
    for (Expr child : root.children()) {
      analyze(child);
    }
  }

  /** Trees met only during evaluation (e.g. a computation returned by a local function), analyzed on first use. */
  private final Map<Expr, Uses> late = java.util.Collections.synchronizedMap(new IdentityHashMap<>());

  BlockInfo block(Expr.Block b) {
    BlockInfo info = blocks.get(b);
    return info != null ? info : late(b).blocks.get(b);
  }

  int parameterUses(Expr.Lambda l) {
    Integer n = lambdas.get(l);
    if (n == null) {
      n = l.parameterName() == null ? 0 : late(l).lambdas.get(l);
    }
    return n;
  }

  private Uses late(Expr e) {
    return late.computeIfAbsent(e, k -> {
      Uses u = new Uses();
      u.analyze(k);
      return u;
    });
  }

  /** {uses (capped at 2), uses inside nested lambdas} of free occurrences of {@code name}. */
  private static int[] count(Expr e, String name) {
    if (e instanceof Expr.Reference r) {
      return r.name().equals(name) ? new int[] {1, 0} : new int[] {0, 0};
    } else if (e instanceof Expr.Lambda l) {
      if (name.equals(l.parameterName())) {
        return new int[] {0, 0};
      }
      int[] c = count(l.result(), name);
      return c[0] > 0 ? new int[] {2, 1} : c;
    } else if (e instanceof Expr.Block b) {
      int[] total = {0, 0};
      for (Expr.Binding binding : b.locals()) {
        add(total, count(binding.value(), name));
        if (binding.name().equals(name)) {
          return total;
        }
      }
      add(total, count(b.result(), name));
      return total;
    }
    int[] total = {0, 0};
    for (Expr child : e.children()) {
      add(total, count(child, name));
    }
    return total;
  }

  private static void add(int[] total, int[] c) {
    total[0] = Math.min(2, total[0] + c[0]);
    total[1] += c[1];
  }
}
