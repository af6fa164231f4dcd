package dev.cohort.core.runtime;

import dev.cohort.core.ast.Expr;
import dev.cohort.core.ast.IntrinsicDef;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Aggregations that share a lazy CLIENTS value, evaluated in one pass over the clients.
 *
 * <p>A <em>group</em> is found per block, before the computation runs: a <em>source</em> local bound to a
 * {@code {T}@CLIENTS} value read more than once; its <em>members</em>, the later locals that derive from it per
 * client ({@code federated_map} of a member, {@code federated_zip_at_clients} with a member among its elements, so
 * also the selections {@code u.get(i)}, which trace to maps); and its <em>consumers</em>, the aggregation calls
 * ({@link Aggregation#clientOperands}) whose CLIENTS operands are members. The group exists only if every read of the
 * source and of its members is such an operand (nothing else needs the whole value) and every other part of the
 * nodes' arguments (a map's function, a secure sum's bound, an aggregate's functions, CLIENTS operands from outside
 * the group) reads no group local and no consumer's result. The pass runs at the first consumer or, if those parts
 * read locals bound after it, just after the last of them, provided no other local in between reads a consumer
 * (consumers before the pass are bound to {@link #PENDING} until it runs). A member that nothing reads is idle: never
 * computed, as an unread lazy value is not. Otherwise the source is computed for all clients where it is bound, as
 * before.
 *
 * <p>At run time, if the source's value is a CLIENTS value with one member per client, it is bound as it is (lazy)
 * and the members are not evaluated; where the pass runs, {@link #run} evaluates the other argument
 * parts and makes one {@link ClientExecutor#fold}: each client's task computes the source member once, then every
 * member and every consumer's {@link Aggregation#contribution} in block order, and the ordered step folds each
 * contribution into its own consumer's accumulator in client order. Every consumer's local is then bound to its
 * result when the block reaches it. The float32 operations are those of each aggregation alone, in the same order,
 * so results are bit-identical to evaluating the aggregations one by one.
 *
 * <p>A client's failure names the client and what failed, as without fusion: the source's origin (such as
 * {@code federated_map}) if computing its member failed; a member read by several nodes, the member's intrinsic; a
 * member read once, or a consumer's own part, the consumer's intrinsic. Clients are visited in order, so the lowest
 * failing client is reported.
 */
final class Fusion {
  /** Operand {@link Operand#node} of the source. */
  static final int SOURCE = -1;
  /** Operand {@link Operand#node} of a value from outside the group. */
  static final int OUTSIDE = -2;
  /** What a member's local is bound to while its group runs fused: never read, since only group nodes read it. */
  static final Object MEMBER = new Object() {
    @Override
    public String toString() {
      return "<member of a fused pass>";
    }
  };
  /**
   * What a consumer's local is bound to when it comes before the local where its group's pass runs, until the pass
   * gives it its result: never read meanwhile (the group is rejected otherwise).
   */
  static final Object PENDING = new Object() {
    @Override
    public String toString() {
      return "<result of a fused pass that has not run yet>";
    }
  };

  private Fusion() {}

  /**
   * A CLIENTS operand of a node: the source ({@link #SOURCE}), the member at index {@code node} of the group's nodes,
   * or ({@link #OUTSIDE}) the value of {@code outside}, evaluated before the pass.
   */
  record Operand(int node, Expr outside) {}

  /**
   * A node of a group: the block local it binds to a call of {@code def} (intrinsic type {@code type}), its CLIENTS
   * operands, the other elements of its argument (evaluated before the pass), the element names of a zip, what its
   * per-client failures are reported against, whether several nodes read it (a shared member's per-client value
   * has its lazy sequences computed once, as a shared value's members are), and whether it is a member nothing reads
   * (idle: never computed, as an unread lazy value is not).
   */
  record Node(int local, IntrinsicDef def, Type type, List<Operand> operands, List<Expr> others, List<String> names,
      String stage, boolean shared, boolean idle) {
    boolean isConsumer() {
      return def.kind() == IntrinsicDef.Kind.AGGREGATION;
    }
  }

  /**
   * A group of a block: its number among the block's groups, the source local, the local where the pass runs
   * ({@code at}: the first consumer, or later if the other parts of the nodes' arguments read locals bound after it;
   * consumers bound before it wait for the pass), its nodes in block order, the locals
   * that those other parts read (kept until the pass runs), and the stage of the fold (the consumers' intrinsics).
   */
  record Group(int id, int source, int at, List<Node> nodes, Set<Integer> reads, String stage) {}

  /**
   * A block's groups, indexed by the local where each starts ({@code sourceAt}) and where its pass runs
   * ({@code runAt}); null entries elsewhere.
   */
  record Plan(int groups, Group[] sourceAt, Group[] runAt) {}

  /** The groups of {@code b}, or null if it has none. */
  static Plan plan(Expr.Block b) {
    int n = b.locals().size();
    List<Map<String, Integer>> free = new ArrayList<>(n + 1);
    for (int k = 0; k < n; k++) {
      free.add(freeNames(b.locals().get(k).value()));
    }
    free.add(freeNames(b.result()));
    List<Group> groups = new ArrayList<>();
    Set<Integer> taken = new HashSet<>();
    for (int s = 0; s < n; s++) {
      if (taken.contains(s)) {
        continue;
      }
      Group g = group(b, s, free, groups.size());
      if (g == null || g.nodes().stream().anyMatch(node -> taken.contains(node.local()))) {
        continue;
      }
      taken.add(g.source());
      g.nodes().forEach(node -> taken.add(node.local()));
      groups.add(g);
    }
    if (groups.isEmpty()) {
      return null;
    }
    Group[] sourceAt = new Group[n];
    Group[] runAt = new Group[n];
    for (Group g : groups) {
      sourceAt[g.source()] = g;
      runAt[g.at()] = g;
    }
    return new Plan(groups.size(), sourceAt, runAt);
  }

  /** The group whose source is local {@code s} of {@code b}, or null if there is none. */
  private static Group group(Expr.Block b, int s, List<Map<String, Integer>> free, int id) {
    List<Expr.Binding> locals = b.locals();
    if (!(locals.get(s).value().type() instanceof FederatedType ft) || ft.placement() != Placement.CLIENTS
        || ft.allEqual()) {
      return null;
    }
    // Group locals (the source and the members) by name, with their node index (SOURCE for the source).
    Map<String, Integer> members = new HashMap<>();
    members.put(locals.get(s).name(), SOURCE);
    List<Node> nodes = new ArrayList<>();
    int first = -1;
    for (int j = s + 1; j < locals.size(); j++) {
      Expr.Binding binding = locals.get(j);
      if (members.containsKey(binding.name())) {
        return null; // a group name bound again: keep the simple reading of names
      }
      Node node = match(j, binding.value(), members);
      if (node == null) {
        continue;
      }
      nodes.add(node);
      if (node.isConsumer()) {
        first = first < 0 ? j : first;
      } else {
        members.put(binding.name(), nodes.size() - 1);
      }
    }
    if (first < 0) {
      return null;
    }
    // Every read of a group local is an operand of a node: compare the free occurrences with the operands.
    int[] reads = new int[nodes.size()];
    int sourceReads = 0;
    Set<Integer> groupLocals = new HashSet<>();
    groupLocals.add(s);
    for (Node node : nodes) {
      if (!node.isConsumer()) {
        groupLocals.add(node.local());
      }
      for (Operand o : node.operands()) {
        if (o.node() == SOURCE) {
          sourceReads++;
        } else if (o.node() >= 0) {
          reads[o.node()]++;
        }
      }
    }
    // A source read once streams without a group (a member it feeds may be the source of one).
    if (sourceReads < 2 || occurrences(locals.get(s).name(), s, free) != sourceReads) {
      return null;
    }
    Set<Integer> consumers = new HashSet<>();
    Set<Integer> nodeLocals = new HashSet<>();
    for (Node node : nodes) {
      nodeLocals.add(node.local());
      if (node.isConsumer()) {
        consumers.add(node.local());
      }
    }
    Set<Integer> parts = new HashSet<>();
    Map<String, Integer> partNames = new HashMap<>();
    int at = first;
    for (int k = 0; k < nodes.size(); k++) {
      Node node = nodes.get(k);
      if (!node.isConsumer() && occurrences(locals.get(node.local()).name(), node.local(), free) != reads[k]) {
        return null;
      }
      // The other parts read no group local and no consumer's result; the pass runs once every local they read is
      // bound (at the first consumer, or later).
      List<Expr> others = new ArrayList<>(node.others());
      node.operands().stream().filter(o -> o.node() == OUTSIDE).forEach(o -> others.add(o.outside()));
      for (Expr part : others) {
        for (String name : freeNames(part).keySet()) {
          int bound = boundBefore(locals, name, node.local());
          if (groupLocals.contains(bound) || consumers.contains(bound)
              || partNames.getOrDefault(name, bound) != bound) {
            return null;
          }
          partNames.put(name, bound);
          if (bound >= 0) {
            parts.add(bound);
            at = Math.max(at, bound + 1);
          }
        }
      }
    }
    // Where the pass runs, the parts' names still name the same locals, and no local between the first consumer and
    // the pass, other than the group's nodes, reads a consumer's result (which the pass has not computed yet).
    for (Map.Entry<String, Integer> e : partNames.entrySet()) {
      if (boundBefore(locals, e.getKey(), at) != e.getValue()) {
        return null;
      }
    }
    for (int j = first; j < at; j++) {
      if (!nodeLocals.contains(j)) {
        for (String name : free.get(j).keySet()) {
          if (consumers.contains(boundBefore(locals, name, j))) {
            return null;
          }
        }
      }
    }
    List<Node> staged = stages(nodes, reads);
    List<String> ops = new ArrayList<>();
    for (Node node : staged) {
      if (node.isConsumer()) {
        ops.add(node.def().uri());
      }
    }
    return new Group(id, s, at, staged, Set.copyOf(parts), String.join(" + ", ops));
  }

  /**
   * {@code nodes} with their stages: a consumer's is its intrinsic; a member read by several nodes is reported as its
   * own intrinsic (as its lazy value would be where it is bound); a member read once, as the node that reads it.
   */
  private static List<Node> stages(List<Node> nodes, int[] reads) {
    Node[] out = new Node[nodes.size()];
    for (int k = nodes.size() - 1; k >= 0; k--) {
      Node node = nodes.get(k);
      String stage = node.def().uri();
      if (!node.isConsumer() && reads[k] == 1) {
        for (int j = k + 1; j < nodes.size() && stage.equals(node.def().uri()); j++) {
          for (Operand o : nodes.get(j).operands()) {
            if (o.node() == k) {
              stage = out[j].stage();
            }
          }
        }
      }
      out[k] = new Node(node.local(), node.def(), node.type(), node.operands(), node.others(), node.names(), stage,
          !node.isConsumer() && reads[k] > 1, !node.isConsumer() && reads[k] == 0);
    }
    return List.of(out);
  }

  /**
   * The node for local {@code local} bound to {@code value}, if it is a call of a member or consumer intrinsic that
   * reads a group local (in {@code members}) as a CLIENTS operand; null otherwise.
   */
  private static Node match(int local, Expr value, Map<String, Integer> members) {
    if (!(value instanceof Expr.Call c) || !(c.function() instanceof Expr.Intrinsic i) || c.argument() == null) {
      return null;
    }
    IntrinsicDef def = i.def();
    Expr arg = c.argument();
    List<Operand> operands = new ArrayList<>();
    List<Expr> others = new ArrayList<>();
    List<String> names = null;
    if (def == IntrinsicDef.FEDERATED_MAP) {
      if (!(arg instanceof Expr.Struct s) || s.elements().size() != 2) {
        return null;
      }
      others.add(s.elements().get(0).value());
      operands.add(operand(s.elements().get(1).value(), members));
    } else if (def == IntrinsicDef.FEDERATED_ZIP_AT_CLIENTS) {
      if (!(arg instanceof Expr.Struct s)) {
        return null;
      }
      names = new ArrayList<>(s.elements().size());
      for (Expr.Element e : s.elements()) {
        names.add(e.name());
        operands.add(operand(e.value(), members));
      }
    } else {
      int k = Aggregation.clientOperands(def);
      if (k < 0) {
        return null;
      } else if (k == 0) {
        operands.add(operand(arg, members));
      } else {
        if (!(arg instanceof Expr.Struct s) || s.elements().size() < k) {
          return null;
        }
        for (int e = 0; e < s.elements().size(); e++) {
          Expr element = s.elements().get(e).value();
          if (e < k) {
            operands.add(operand(element, members));
          } else {
            others.add(element);
          }
        }
      }
    }
    if (operands.stream().noneMatch(o -> o.node() != OUTSIDE)) {
      return null;
    }
    return new Node(local, def, i.type(), List.copyOf(operands), List.copyOf(others),
        names == null ? List.of() : names, def.uri(), false, false);
  }

  private static Operand operand(Expr e, Map<String, Integer> members) {
    if (e instanceof Expr.Reference r && members.containsKey(r.name())) {
      return new Operand(members.get(r.name()), null);
    }
    return new Operand(OUTSIDE, e);
  }

  /** The index of the last local before {@code before} named {@code name}, or -1 if it comes from outside the block. */
  private static int boundBefore(List<Expr.Binding> locals, String name, int before) {
    for (int k = before - 1; k >= 0; k--) {
      if (locals.get(k).name().equals(name)) {
        return k;
      }
    }
    return -1;
  }

  /** Free occurrences of {@code name} (bound by local {@code at}) in the later locals and the result. */
  private static int occurrences(String name, int at, List<Map<String, Integer>> free) {
    int count = 0;
    for (int k = at + 1; k < free.size(); k++) {
      count += free.get(k).getOrDefault(name, 0);
    }
    return count;
  }

  /** The free names of {@code e}, each with its number of occurrences. */
  private static Map<String, Integer> freeNames(Expr e) {
    Map<String, Integer> out = new HashMap<>();
    collect(e, Set.of(), out);
    return out;
  }

  private static void collect(Expr e, Set<String> bound, Map<String, Integer> out) {
    if (e instanceof Expr.Reference r) {
      if (!bound.contains(r.name())) {
        out.merge(r.name(), 1, Integer::sum);
      }
    } else if (e instanceof Expr.Lambda l) {
      collect(l.result(), with(bound, l.parameterName()), out);
    } else if (e instanceof Expr.Block b) {
      Set<String> inner = bound;
      for (Expr.Binding binding : b.locals()) {
        collect(binding.value(), inner, out);
        inner = with(inner, binding.name());
      }
      collect(b.result(), inner, out);
    } else {
      for (Expr child : e.children()) {
        collect(child, bound, out);
      }
    }
  }

  private static Set<String> with(Set<String> bound, String name) {
    if (name == null || bound.contains(name)) {
      return bound;
    }
    Set<String> s = new HashSet<>(bound);
    s.add(name);
    return s;
  }

  /**
   * Runs group {@code g} in one fold over the members of {@code source}, evaluating the other parts of the nodes'
   * arguments in {@code env} (the block's environment where the pass runs). Returns, per node, the
   * consumer's result at SERVER (null for a member).
   */
  static Object[] run(Group g, FederatedValue source, Env env, Interpreter in) {
    List<Node> nodes = g.nodes();
    int m = nodes.size();
    int n = source.size();
    String sourceStage = source.origin() != null ? source.origin() : "a CLIENTS value";
    FederatedValue[][] outside = new FederatedValue[m][];
    Fn[] functions = new Fn[m];
    Aggregation[] aggregations = new Aggregation[m];
    for (int k = 0; k < m; k++) {
      Node node = nodes.get(k);
      List<Operand> operands = node.operands();
      outside[k] = new FederatedValue[operands.size()];
      int[] sizes = new int[operands.size()];
      for (int o = 0; o < operands.size(); o++) {
        sizes[o] = n;
        if (operands.get(o).node() == OUTSIDE) {
          FederatedValue v = (FederatedValue) in.eval(operands.get(o).outside(), env);
          outside[k][o] = v;
          sizes[o] = v.isAllEqual() ? -1 : v.size();
        }
      }
      List<Object> others = new ArrayList<>(node.others().size());
      for (Expr e : node.others()) {
        others.add(in.eval(e, env));
      }
      String op = node.def().uri();
      if (node.def() == IntrinsicDef.FEDERATED_MAP) {
        functions[k] = in.toFn(others.get(0));
      } else if (node.def() == IntrinsicDef.FEDERATED_ZIP_AT_CLIENTS) {
        IntrinsicRuntime.zipClients(op, sizes, in);
      } else {
        aggregations[k] = Aggregation.create(node.def(), node.type(), others, in);
        if (sizes.length == 2) {
          int values = sizes[0] < 0 ? in.clients(op) : sizes[0];
          Aggregation.checkWeightClients(op, values, sizes[1] < 0 ? in.clients(op) : sizes[1]);
        }
      }
    }
    Aggregation[] active = Arrays.stream(aggregations).filter(a -> a != null).toArray(Aggregation[]::new);
    // Accumulated in client order, exactly once each (the executor's contract): the count is the client's index.
    int[] next = new int[1];
    in.executor().fold(g.stage(), n, i -> contributions(nodes, source, sourceStage, outside, functions, aggregations,
        active.length, i, n, in), active, (acc, c) -> {
          int client = next[0]++;
          for (int j = 0; j < acc.length; j++) {
            try {
              acc[j].accumulate(c[j]);
            } catch (RuntimeException | Error e) {
              throw failure(acc[j].op, client, n, e);
            }
            c[j] = null;
          }
          return acc;
        });
    Object[] results = new Object[m];
    for (int k = 0; k < m; k++) {
      if (aggregations[k] != null) {
        results[k] = aggregations[k].finish(n);
      }
    }
    return results;
  }

  /** Client {@code i}'s task: its source member once, then every node's value or contribution, in block order. */
  private static Object[] contributions(List<Node> nodes, FederatedValue source, String sourceStage,
      FederatedValue[][] outside, Fn[] functions, Aggregation[] aggregations, int consumers, int i, int n,
      Interpreter in) {
    Object src;
    try {
      src = in.materialize(source.member(i), false, sourceStage);
    } catch (RuntimeException | Error e) {
      throw failure(sourceStage, i, n, e);
    }
    Object[] values = new Object[nodes.size()];
    Object[] out = new Object[consumers];
    int c = 0;
    for (int k = 0; k < nodes.size(); k++) {
      Node node = nodes.get(k);
      if (node.idle()) {
        continue;
      }
      try {
        List<Operand> operands = node.operands();
        Object[] inputs = new Object[operands.size()];
        for (int o = 0; o < inputs.length; o++) {
          int from = operands.get(o).node();
          inputs[o] = from == SOURCE ? src : from == OUTSIDE ? outside[k][o].member(i) : values[from];
        }
        if (aggregations[k] != null) {
          out[c++] = aggregations[k].contribution(inputs[0], inputs.length > 1 ? inputs[1] : null);
        } else {
          Object v = functions[k] != null ? functions[k].apply(inputs[0])
              : Struct.of(node.names(), Arrays.asList(inputs));
          values[k] = node.shared() ? in.materialize(v, false, node.stage()) : v;
        }
      } catch (RuntimeException | Error e) {
        throw failure(node.stage(), i, n, e);
      }
    }
    return out;
  }

  /**
   * The failure of client {@code i} in {@code stage}: a {@link ClientFailureException} (one from nested client work
   * as it is); a {@link VirtualMachineError} is rethrown as it is.
   */
  private static RuntimeException failure(String stage, int i, int clients, Throwable cause) {
    if (cause instanceof VirtualMachineError e) {
      throw e;
    }
    if (cause instanceof ClientFailureException cf) {
      return cf;
    }
    return new ClientFailureException(stage, i, clients, cause);
  }
}
