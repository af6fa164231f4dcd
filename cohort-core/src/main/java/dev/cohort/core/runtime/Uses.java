package dev.cohort.core.runtime;

import dev.cohort.core.ast.Expr;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * How each block local and lambda parameter is used, computed once per computation before it runs. A use inside a
 * nested lambda counts as many (the lambda may run once per client). When every use of a struct-valued name selects
 * an element ({@code _arg1[0]}, {@code _arg1[1]}, as the parameters of a computation with several parameters are
 * used), uses are counted per element, recursively. The interpreter keeps a lazy CLIENTS value lazy only where it is
 * used once or where all its uses are aggregations that {@link Fusion} runs in one pass, and releases a local after
 * its last use.
 */
final class Uses {
  /**
   * How a bound value is read: {@link #whole} times by itself, and element by element through selections.
   * Counts saturate at 2 ("more than once").
   */
  static final class Use {
    private int whole;
    private Map<Integer, Use> elements;

    /** Reads of the value itself (0, 1 or 2 for more than once). */
    int whole() {
      return whole;
    }

    /** Per-element uses (by index), or null if no use selects an element. */
    Map<Integer, Use> elements() {
      return elements;
    }

    /** Whether the value is read at all. */
    boolean isUsed() {
      return whole > 0 || elements != null;
    }

    /** Whether the value as a whole is read more than once (a read of it and of one of its elements is two). */
    boolean isSharedWhole() {
      return whole + (elements != null ? 1 : 0) > 1;
    }

    private void add(int count) {
      whole = Math.min(2, whole + count);
    }

    private Use element(int index) {
      if (elements == null) {
        elements = new HashMap<>();
      }
      return elements.computeIfAbsent(index, k -> new Use());
    }
  }

  /**
   * Per block: for each local, its use, last use position (for a local that a fused group's arguments read, no
   * earlier than where the group's pass runs), and whether a lambda captures it; and the block's fused groups
   * ({@link Fusion}), or null if it has none.
   */
  record BlockInfo(Use[] uses, int[] lastUse, boolean[] captured, Fusion.Plan fusion) {}

  private final Map<Expr, BlockInfo> blocks = new IdentityHashMap<>();
  private final Map<Expr, Use> lambdas = new IdentityHashMap<>();

  /** Analyzes every block and lambda under {@code root}; call before evaluation starts (not thread-safe). */
  void analyze(Expr root) {
    if (root instanceof Expr.Block b && !blocks.containsKey(b)) {
      int n = b.locals().size();
      Use[] uses = new Use[n];
      int[] last = new int[n];
      boolean[] captured = new boolean[n];
      for (int k = 0; k < n; k++) {
        String name = b.locals().get(k).name();
        uses[k] = new Use();
        last[k] = -1;
        for (int j = k + 1; j <= n; j++) {
          Expr e = j < n ? b.locals().get(j).value() : b.result();
          Counter c = new Counter(name, uses[k]);
          c.count(e, 1);
          if (c.occurrences > 0) {
            last[k] = j;
            captured[k] |= c.captured;
          }
          if (j < n && b.locals().get(j).name().equals(name)) {
            break;
          }
        }
      }
      Fusion.Plan fusion = Fusion.plan(b);
      if (fusion != null) {
        for (Fusion.Group g : fusion.sourceAt()) {
          if (g != null) {
            g.reads().forEach(j -> last[j] = Math.max(last[j], g.at()));
          }
        }
      }
      blocks.put(b, new BlockInfo(uses, last, captured, fusion));
    } else if (root instanceof Expr.Lambda l && l.parameterName() != null && !lambdas.containsKey(l)) {
      Use use = new Use();
      new Counter(l.parameterName(), use).count(l.result(), 1);
      lambdas.put(l, use);
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

  Use parameterUse(Expr.Lambda l) {
    Use u = lambdas.get(l);
    return u != null ? u : late(l).lambdas.get(l);
  }

  private Uses late(Expr e) {
    return late.computeIfAbsent(e, k -> {
      Uses u = new Uses();
      u.analyze(k);
      return u;
    });
  }

  /** Adds the free occurrences of one name in an expression to a {@link Use}. */
  private static final class Counter {
    private final String name;
    private final Use use;
    int occurrences;
    boolean captured;

    Counter(String name, Use use) {
      this.name = name;
      this.use = use;
    }

    /** Counts occurrences in {@code e}, each {@code weight} times (2 inside a nested lambda). */
    void count(Expr e, int weight) {
      if (e instanceof Expr.Reference r) {
        if (r.name().equals(name)) {
          record(use, weight);
        }
      } else if (e instanceof Expr.Selection s) {
        // A chain of selections from the name reads one element: count it on that element's path.
        java.util.ArrayDeque<Integer> path = new java.util.ArrayDeque<>();
        Expr source = s;
        while (source instanceof Expr.Selection sel) {
          path.push(sel.index());
          source = sel.source();
        }
        if (source instanceof Expr.Reference r && r.name().equals(name)) {
          Use u = use;
          for (int index : path) {
            u = u.element(index);
          }
          record(u, weight);
        } else {
          count(source, weight);
        }
      } else if (e instanceof Expr.Lambda l) {
        if (!name.equals(l.parameterName())) {
          count(l.result(), 2);
        }
      } else if (e instanceof Expr.Block b) {
        for (Expr.Binding binding : b.locals()) {
          count(binding.value(), weight);
          if (binding.name().equals(name)) {
            return;
          }
        }
        count(b.result(), weight);
      } else {
        for (Expr child : e.children()) {
          count(child, weight);
        }
      }
    }

    private void record(Use u, int weight) {
      u.add(weight);
      occurrences++;
      captured |= weight > 1;
    }
  }
}
