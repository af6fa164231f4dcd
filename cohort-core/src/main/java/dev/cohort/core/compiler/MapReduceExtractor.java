package dev.cohort.core.compiler;

import dev.cohort.core.Computation;
import dev.cohort.core.ast.Expr;
import dev.cohort.core.ast.Exprs;
import dev.cohort.core.ast.IntrinsicDef;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Splits a one-round computation into the parts of a {@link MapReduceForm}.
 *
 * <p>After intrinsic reduction and flattening, every federated-level binding is classified by when it can run:
 * {@code PRE} (at the server, from the server inputs, before the broadcast), {@code CLIENT} (at the clients, from
 * client data and broadcast values), {@code POST} (at the server, after aggregation) or {@code NONE} (unplaced
 * constants, usable anywhere). A broadcast of a {@code POST} value, or a client value computed from one, would need
 * a second round and is rejected. Each part is then a lambda over its inputs whose body re-evaluates the bindings it
 * needs with their placements removed: {@code federated_map(f, x)} becomes {@code f(x)}, a zip a struct, a broadcast
 * a selection from the client input.
 */
final class MapReduceExtractor {
  private enum Phase { NONE, PRE, CLIENT, POST }

  private enum AggKind { AGGREGATE, BITWIDTH, MAX_INPUT, MODULUS }

  private final Flattener flattener = new Flattener();
  private final Map<String, Phase> phase = new HashMap<>();
  private final Map<String, Expr.Binding> byName = new LinkedHashMap<>();
  private final List<String> serverLeaves = new ArrayList<>();
  private final List<String> clientLeaves = new ArrayList<>();
  private final Map<String, Type> leafTypes = new HashMap<>();
  private final List<Expr.Binding> broadcasts = new ArrayList<>();
  private final Map<AggKind, List<Expr.Binding>> aggregations = new LinkedHashMap<>();

  MapReduceForm extract(Computation original, Computation reduced) {
    FunctionType type = original.typeSignature();
    if (!(reduced.expr() instanceof Expr.Lambda lambda0) || lambda0.parameterName() == null) {
      throw new CompilerException("MapReduceForm needs a federated computation with a parameter placed at CLIENTS,"
          + " found " + type);
    }
    for (AggKind k : AggKind.values()) {
      aggregations.put(k, new ArrayList<>());
    }
    Expr.Lambda lambda = (Expr.Lambda) flattener.uniquify(lambda0, Map.of());
    Map<String, Expr> env = new HashMap<>();
    env.put(lambda.parameterName(), expandParameter(lambda.parameterType()));
    Expr result = flattener.flat(lambda.result(), env);
    for (Expr.Binding b : flattener.bindings) {
      byName.put(b.name(), b);
      phase.put(b.name(), classify(b));
    }
    checkResult(result, type);

    Type s = partType(serverLeaves);
    Type d = partType(clientLeaves);
    List<Type> broadcastTypes = new ArrayList<>();
    for (Expr.Binding b : broadcasts) {
      broadcastTypes.add(((FederatedType) intrinsicArg(b).type()).member());
    }
    StructType c = StructType.of(broadcastTypes.toArray(new Type[0]));

    // prepare: (S -> C)
    String sp = flattener.fresh("_s");
    Map<String, Expr> prepSubst = leafSubst(serverLeaves, new Expr.Reference(sp, s));
    List<Expr> bargs = new ArrayList<>();
    for (Expr.Binding b : broadcasts) {
      bargs.add(intrinsicArg(b));
    }
    Expr prepare = part(sp, s, prepSubst, Expr.struct(bargs.toArray(new Expr[0])), Set.of(Phase.PRE, Phase.NONE),
        "prepare");

    // work: (<D,C> -> <A,B,M,Mod>)
    StructType workParam = StructType.of(d, c);
    String wp = flattener.fresh("_w");
    Expr.Reference wref = new Expr.Reference(wp, workParam);
    Map<String, Expr> workSubst = leafSubst(clientLeaves, Expr.select(wref, 0));
    for (int k = 0; k < broadcasts.size(); k++) {
      workSubst.put(broadcasts.get(k).name(), Expr.select(Expr.select(wref, 1), k));
    }
    List<Expr> workOut = new ArrayList<>();
    for (AggKind kind : AggKind.values()) {
      List<Expr> values = new ArrayList<>();
      for (Expr.Binding b : aggregations.get(kind)) {
        values.add(argElement(b, 0));
      }
      workOut.add(Expr.struct(values.toArray(new Expr[0])));
    }
    Expr work = part(wp, workParam, workSubst, Expr.struct(workOut.toArray(new Expr[0])),
        Set.of(Phase.CLIENT, Phase.NONE), "work");
    StructType workResult = (StructType) ((FunctionType) work.type()).result();

    // zero, accumulate, merge, report over all federated_aggregate calls
    List<Expr.Binding> aggs = aggregations.get(AggKind.AGGREGATE);
    List<Expr> zeros = new ArrayList<>();
    List<Type> us = new ArrayList<>();
    for (Expr.Binding b : aggs) {
      zeros.add(argElement(b, 1));
      us.add(((FunctionType) argElement(b, 2).type()).result());
    }
    StructType u = StructType.of(us.toArray(new Type[0]));
    Expr zero = part(null, null, Map.of(), Expr.struct(zeros.toArray(new Expr[0])), Set.of(Phase.NONE), "zero");
    Type a = workResult.type(0);
    Expr accumulate = pairwise(aggs, 2, u, a, "accumulate");
    Expr merge = pairwise(aggs, 3, u, u, "merge");
    String rp = flattener.fresh("_r");
    Expr.Reference rref = new Expr.Reference(rp, u);
    List<Expr> reports = new ArrayList<>();
    for (int k = 0; k < aggs.size(); k++) {
      reports.add(Expr.call(argElement(aggs.get(k), 4), Expr.select(rref, k)));
    }
    Expr report = part(rp, u, Map.of(), Expr.struct(reports.toArray(new Expr[0])), Set.of(Phase.NONE), "report");

    Expr bitwidth = bounds(AggKind.BITWIDTH, "secure_sum_bitwidth");
    Expr maxInput = bounds(AggKind.MAX_INPUT, "secure_sum_max_input");
    Expr modulus = bounds(AggKind.MODULUS, "secure_modular_sum_modulus");

    // update: (<S, <R, B, M, Mod>> -> result without placements)
    List<Type> globals = new ArrayList<>();
    globals.add(((FunctionType) report.type()).result());
    for (int i = 1; i < 4; i++) {
      globals.add(workResult.type(i));
    }
    StructType updateParam = StructType.of(s, StructType.of(globals.toArray(new Type[0])));
    String up = flattener.fresh("_u");
    Expr.Reference uref = new Expr.Reference(up, updateParam);
    Map<String, Expr> updateSubst = leafSubst(serverLeaves, Expr.select(uref, 0));
    int kindIndex = 0;
    for (AggKind kind : AggKind.values()) {
      List<Expr.Binding> list = aggregations.get(kind);
      for (int k = 0; k < list.size(); k++) {
        updateSubst.put(list.get(k).name(), Expr.select(Expr.select(Expr.select(uref, 1), kindIndex), k));
      }
      kindIndex++;
    }
    Expr update = part(up, updateParam, updateSubst, result, Set.of(Phase.PRE, Phase.POST, Phase.NONE), "update");

    return new MapReduceForm(type, comp("prepare", prepare), comp("work", work), comp("zero", zero),
        comp("accumulate", accumulate), comp("merge", merge), comp("report", report),
        comp("secure_sum_bitwidth", bitwidth), comp("secure_sum_max_input", maxInput),
        comp("secure_modular_sum_modulus", modulus), comp("update", update));
  }

  // ------------------------------------------------------------------ parameter and classification

  private Expr expandParameter(Type t) {
    if (t instanceof FederatedType f) {
      return leaf(f);
    }
    if (!(t instanceof StructType st)) {
      throw new CompilerException("MapReduceForm needs the parameter to be federated values placed at SERVER or"
          + " CLIENTS (or a struct of them), found " + t);
    }
    List<Expr.Element> elements = new ArrayList<>();
    for (int i = 0; i < st.size(); i++) {
      if (!(st.type(i) instanceof FederatedType f)) {
        throw new CompilerException("MapReduceForm needs every parameter element to be placed, element " + i + " has"
            + " type " + st.type(i));
      }
      elements.add(new Expr.Element(st.name(i), leaf(f)));
    }
    return Expr.struct(elements);
  }

  private Expr leaf(FederatedType f) {
    String n = flattener.fresh("_in");
    if (f.placement() == Placement.SERVER) {
      serverLeaves.add(n);
      phase.put(n, Phase.PRE);
    } else {
      if (f.allEqual()) {
        throw new CompilerException("MapReduceForm needs client data with one member per client ({T}@CLIENTS), found "
            + f);
      }
      clientLeaves.add(n);
      phase.put(n, Phase.CLIENT);
    }
    leafTypes.put(n, f.member());
    return new Expr.Reference(n, f);
  }

  private Phase classify(Expr.Binding b) {
    Expr.Call call = (Expr.Call) b.value();
    Phase deps = Phase.NONE;
    boolean post = false;
    boolean client = false;
    for (String n : Exprs.freeNames(call)) {
      Phase p = phase.getOrDefault(n, Phase.NONE);
      post |= p == Phase.POST;
      client |= p == Phase.CLIENT;
      if (p == Phase.PRE && deps == Phase.NONE) {
        deps = Phase.PRE;
      }
    }
    if (!(call.function() instanceof Expr.Intrinsic i)) {
      if (Flattener.isFederated(call.type())) {
        throw new CompilerException("MapReduceForm cannot place the result of " + call.function() + " of type "
            + call.type());
      }
      return Phase.NONE;
    }
    IntrinsicDef def = i.def();
    return switch (def) {
      case FEDERATED_AGGREGATE -> aggregation(b, call, def, AggKind.AGGREGATE);
      case FEDERATED_SECURE_SUM -> aggregation(b, call, def, AggKind.MAX_INPUT);
      case FEDERATED_SECURE_SUM_BITWIDTH -> aggregation(b, call, def, AggKind.BITWIDTH);
      case FEDERATED_SECURE_MODULAR_SUM -> aggregation(b, call, def, AggKind.MODULUS);
      case FEDERATED_BROADCAST -> {
        if (post) {
          throw twoRounds("federated_broadcast sends a value computed after an aggregation");
        }
        broadcasts.add(b);
        yield Phase.CLIENT;
      }
      case FEDERATED_SELECT, FEDERATED_SECURE_SELECT -> throw new CompilerException("not compatible with MapReduceForm: "
          + def.uri() + " is not one of its operations (use a broadcast)");
      case FEDERATED_MEAN, FEDERATED_WEIGHTED_MEAN, FEDERATED_SUM, FEDERATED_MIN, FEDERATED_MAX, SEQUENCE_SUM ->
          throw new CompilerException("internal: " + def.uri() + " must be rewritten to federated_aggregate before"
              + " extraction");
      case FEDERATED_APPLY, FEDERATED_EVAL_AT_CLIENTS, FEDERATED_EVAL_AT_SERVER, FEDERATED_MAP, FEDERATED_MAP_ALL_EQUAL,
          FEDERATED_VALUE_AT_CLIENTS, FEDERATED_VALUE_AT_SERVER, FEDERATED_ZIP_AT_CLIENTS, FEDERATED_ZIP_AT_SERVER,
          GENERIC_PLUS, GENERIC_MULTIPLY, GENERIC_DIVIDE, GENERIC_ZERO, SEQUENCE_MAP, SEQUENCE_REDUCE ->
          local(call, def, post, client, deps);
    };
  }

  /** An aggregation: its parameters other than the value must not depend on inputs, nor the value on a result. */
  private Phase aggregation(Expr.Binding b, Expr.Call call, IntrinsicDef def, AggKind kind) {
    for (int k = 1; k < ((StructType) call.argument().type()).size(); k++) {
      for (String n : Exprs.freeNames(argElement(b, k))) {
        if (phase.getOrDefault(n, Phase.NONE) != Phase.NONE) {
          throw new CompilerException("not compatible with MapReduceForm: a parameter of " + def.uri()
              + " (element " + k + ") depends on the computation's inputs; MapReduceForm computes zeros,"
              + " aggregation functions and secure-sum bounds without inputs");
        }
      }
    }
    for (String n : Exprs.freeNames(argElement(b, 0))) {
      if (phase.getOrDefault(n, Phase.NONE) == Phase.POST) {
        throw twoRounds(def.uri() + " aggregates a value computed from an earlier aggregation");
      }
    }
    aggregations.get(kind).add(b);
    return Phase.POST;
  }

  /** An intrinsic that computes within one placement (or places a value): its phase follows its inputs'. */
  private static Phase local(Expr.Call call, IntrinsicDef def, boolean post, boolean client, Phase deps) {
    if (call.type() instanceof FederatedType f && f.placement() == Placement.CLIENTS) {
      if (post) {
        throw twoRounds("a CLIENTS value (" + def.uri() + ") depends on an aggregation result");
      }
      return Phase.CLIENT;
    }
    if (call.type() instanceof FederatedType) {
      if (client) {
        throw new CompilerException("not compatible with MapReduceForm: " + def.uri() + " moves CLIENTS values to"
            + " SERVER without an aggregation");
      }
      return post ? Phase.POST : deps == Phase.NONE ? Phase.PRE : deps;
    }
    return Phase.NONE;
  }

  private static CompilerException twoRounds(String what) {
    return new CompilerException("not compatible with MapReduceForm (one broadcast/aggregate round): " + what);
  }

  private void checkResult(Expr result, FunctionType type) {
    checkPlacedAtServer(type.result(), type.result(), "result");
    for (String n : Exprs.freeNames(result)) {
      if (phase.get(n) == Phase.CLIENT) {
        throw new CompilerException("not compatible with MapReduceForm: the result uses a CLIENTS value");
      }
    }
  }

  /** Requires every leaf of the result type {@code t} (at {@code path} in {@code result}) to be placed at SERVER. */
  private static void checkPlacedAtServer(Type t, Type result, String path) {
    if (t instanceof FederatedType f) {
      if (f.placement() == Placement.CLIENTS) {
        throw new CompilerException("not compatible with MapReduceForm: the result " + result + " has values placed at"
            + " CLIENTS" + (t == result ? "" : " (" + path + " is " + t + ")") + "; every result must be placed at"
            + " SERVER");
      }
    } else if (t instanceof StructType st) {
      for (int i = 0; i < st.size(); i++) {
        checkPlacedAtServer(st.type(i), result, path + (st.name(i) != null ? "." + st.name(i) : "[" + i + "]"));
      }
    } else {
      throw new CompilerException("not compatible with MapReduceForm: the result " + result + " has an unplaced"
          + " value" + (t == result ? "" : " (" + path + " is " + t + ")")
          + "; every result must be placed at SERVER (place a constant with federated_value(x, SERVER))");
    }
  }

  // ------------------------------------------------------------------ building parts

  private Type partType(List<String> leaves) {
    if (leaves.size() == 1) {
      return leafTypes.get(leaves.get(0));
    }
    List<Type> types = new ArrayList<>();
    for (String n : leaves) {
      types.add(leafTypes.get(n));
    }
    return StructType.of(types.toArray(new Type[0]));
  }

  private static Map<String, Expr> leafSubst(List<String> leaves, Expr input) {
    Map<String, Expr> subst = new HashMap<>();
    if (leaves.size() == 1) {
      subst.put(leaves.get(0), input);
    } else {
      for (int i = 0; i < leaves.size(); i++) {
        subst.put(leaves.get(i), Expr.select(input, i));
      }
    }
    return subst;
  }

  private Expr pairwise(List<Expr.Binding> aggs, int element, StructType left, Type right, String name) {
    StructType param = StructType.of(left, right);
    String p = flattener.fresh("_a");
    Expr.Reference ref = new Expr.Reference(p, param);
    List<Expr> out = new ArrayList<>();
    for (int k = 0; k < aggs.size(); k++) {
      out.add(Expr.call(argElement(aggs.get(k), element),
          Expr.struct(Expr.select(Expr.select(ref, 0), k), Expr.select(Expr.select(ref, 1), k))));
    }
    return part(p, param, Map.of(), Expr.struct(out.toArray(new Expr[0])), Set.of(Phase.NONE), name);
  }

  private Expr bounds(AggKind kind, String name) {
    List<Expr> out = new ArrayList<>();
    for (Expr.Binding b : aggregations.get(kind)) {
      out.add(argElement(b, 1));
    }
    return part(null, null, Map.of(), Expr.struct(out.toArray(new Expr[0])), Set.of(Phase.NONE), name);
  }

  /**
   * {@code (param -> let <needed bindings, placements removed> in output)}: the bindings {@code output} needs,
   * except those given by {@code subst}, in their original order.
   */
  private Expr part(String param, Type paramType, Map<String, Expr> subst, Expr output, Set<Phase> allowed,
      String name) {
    Set<String> needed = new HashSet<>();
    List<String> stack = new ArrayList<>(Exprs.freeNames(output));
    while (!stack.isEmpty()) {
      String n = stack.remove(stack.size() - 1);
      if (n.equals(param) || subst.containsKey(n) || !needed.add(n)) {
        continue;
      }
      if (leafTypes.containsKey(n)) {
        throw new CompilerException("not compatible with MapReduceForm: " + name + " needs the computation input "
            + n + ", which is not available there");
      }
      Phase p = phase.get(n);
      if (!allowed.contains(p)) {
        throw new CompilerException("not compatible with MapReduceForm: " + name + " would need a value computed "
            + describe(p) + " (" + byName.get(n).value() + ")");
      }
      stack.addAll(Exprs.freeNames(byName.get(n).value()));
    }
    Map<String, Expr> renamed = new HashMap<>(subst);
    List<Expr.Binding> locals = new ArrayList<>();
    for (Expr.Binding b : flattener.bindings) {
      if (needed.contains(b.name())) {
        Expr v = unplaceBinding((Expr.Call) b.value(), renamed);
        locals.add(new Expr.Binding(b.name(), v));
        renamed.put(b.name(), new Expr.Reference(b.name(), v.type()));
      }
    }
    Expr body = unplaceAtom(output, renamed);
    if (!locals.isEmpty()) {
      body = Expr.block(locals, body);
    }
    return Expr.lambda(param, paramType, body);
  }

  private static String describe(Phase p) {
    return switch (p) {
      case PRE -> "at the server before the broadcast";
      case CLIENT -> "at the clients";
      case POST -> "after the aggregation";
      case NONE -> "without inputs";
    };
  }

  private static Expr unplaceAtom(Expr e, Map<String, Expr> env) {
    if (e instanceof Expr.Reference r) {
      return env.getOrDefault(r.name(), r);
    } else if (e instanceof Expr.Struct s) {
      List<Expr.Element> elements = new ArrayList<>();
      for (Expr.Element el : s.elements()) {
        elements.add(new Expr.Element(el.name(), unplaceAtom(el.value(), env)));
      }
      return Expr.struct(elements);
    } else if (e instanceof Expr.Selection s) {
      Expr source = unplaceAtom(s.source(), env);
      if (source instanceof Expr.Struct st) {
        return st.elements().get(s.index()).value();
      }
      return Expr.select(source, s.index());
    }
    return Flattener.substitute(e, env);
  }

  private static Expr unplaceBinding(Expr.Call call, Map<String, Expr> env) {
    Expr arg = call.argument() == null ? null : unplaceAtom(call.argument(), env);
    if (!(call.function() instanceof Expr.Intrinsic i)) {
      return Expr.call(unplaceAtom(call.function(), env), arg);
    }
    return switch (i.def()) {
      case FEDERATED_MAP, FEDERATED_MAP_ALL_EQUAL, FEDERATED_APPLY -> Expr.call(pick(arg, 0), pick(arg, 1));
      case FEDERATED_VALUE_AT_CLIENTS, FEDERATED_VALUE_AT_SERVER, FEDERATED_ZIP_AT_CLIENTS, FEDERATED_ZIP_AT_SERVER ->
          arg;
      case FEDERATED_EVAL_AT_CLIENTS, FEDERATED_EVAL_AT_SERVER -> Expr.call(arg, null);
      case GENERIC_PLUS, GENERIC_MULTIPLY, GENERIC_DIVIDE, SEQUENCE_MAP, SEQUENCE_REDUCE, SEQUENCE_SUM -> {
        if (Flattener.isFederated(call.type())) {
          throw new CompilerException("internal: cannot remove the placement of " + i.def().uri());
        }
        yield Expr.call(i, arg);
      }
      case FEDERATED_AGGREGATE, FEDERATED_BROADCAST, FEDERATED_MEAN, FEDERATED_WEIGHTED_MEAN, FEDERATED_SUM,
          FEDERATED_MIN, FEDERATED_MAX, FEDERATED_SECURE_SUM, FEDERATED_SECURE_SUM_BITWIDTH,
          FEDERATED_SECURE_MODULAR_SUM, FEDERATED_SELECT, FEDERATED_SECURE_SELECT, GENERIC_ZERO ->
          throw new CompilerException("internal: " + i.def().uri() + " has no unplaced form in a MapReduceForm stage");
    };
  }

  private static Expr pick(Expr struct, int index) {
    return struct instanceof Expr.Struct s ? s.elements().get(index).value() : Expr.select(struct, index);
  }

  private static Expr intrinsicArg(Expr.Binding b) {
    return ((Expr.Call) b.value()).argument();
  }

  private static Expr argElement(Expr.Binding b, int index) {
    return pick(intrinsicArg(b), index);
  }

  private static Computation comp(String name, Expr lambda) {
    return Computation.of(name, lambda);
  }
}
