package dev.cohort.core;

import dev.cohort.core.ast.Expr;
import dev.cohort.core.ast.IntrinsicDef;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeAnalysis;
import dev.cohort.core.types.TypeMismatchException;
import java.util.ArrayList;
import java.util.List;

/**
 * The intrinsics of TFF's Federated Core, one static method each, to be called inside the body of a federated
 * computation being traced (see {@link Computation#federated}). Each checks placements and types at once and
 * returns a symbolic {@link Value}; a violation throws {@link TypeMismatchException} naming the intrinsic, what it
 * expected and the type it found, in TFF notation. Outside tracing they throw {@link IllegalStateException} saying
 * how to trace.
 *
 * <p>Arguments may be symbolic values, {@link Computation}s (for function parameters), constants (numbers,
 * tensors, strings) or {@link java.util.List}s / {@link Struct}s of those. A list or struct of federated values
 * passed where one federated value is expected is zipped first, as TFF does.
 *
 * <pre>{@code
 * import static dev.cohort.core.Intrinsics.*;
 * Computation meanOfLocalMeans = Computation.federated("get_global_temperature_average",
 *     FederatedType.atClients(SequenceType.of(TensorType.FLOAT32)),
 *     readings -> federatedMean(federatedMap(getLocalTemperatureAverage, readings)));
 * }</pre>
 */
public final class Intrinsics {
  private Intrinsics() {}

  // ------------------------------------------------------------------ aggregation

  /**
   * {@code federated_aggregate}: folds the CLIENTS members into {@code zero} with {@code accumulate}
   * {@code (<U,T> -> U)}, combines partial results with {@code merge} {@code (<U,U> -> U)}, and maps the total with
   * {@code report} {@code (U -> R)}; the result is {@code R@SERVER}.
   */
  public static Value federatedAggregate(Object value, Object zero, Object accumulate, Object merge, Object report) {
    String op = IntrinsicDef.FEDERATED_AGGREGATE.uri();
    Trace t = Trace.require(op);
    Value v = t.value(value, op + " value");
    FederatedType vt = clients(op, "value to be aggregated", v);
    Value z = t.value(zero, op + " zero");
    nonFederated(op, "zero", z);
    Value acc = t.value(accumulate, op + " accumulate");
    FunctionType at = function(op, "accumulate", acc);
    if (!(at.parameter() instanceof StructType ap) || ap.size() != 2 || !ap.type(0).equals(at.result())) {
      throw new TypeMismatchException(op + ": expected accumulate of type (<U,T> -> U), with the same U in its"
          + " parameter and result, found " + at, null, at);
    }
    Type u = at.result();
    Type member = ap.type(1);
    if (!member.isAssignableFrom(vt.member())) {
      throw new TypeMismatchException(op + ": accumulate takes members of type " + member
          + ", but the value to be aggregated has members of type " + vt.member(), member, vt.member());
    }
    if (!u.isAssignableFrom(z.type())) {
      throw new TypeMismatchException(op + ": expected zero to be assignable to type " + u + ", but was of incompatible"
          + " type " + z.type(), u, z.type());
    }
    Value m = t.value(merge, op + " merge");
    FunctionType mt = function(op, "merge", m);
    FunctionType expectedMerge = FunctionType.of(StructType.of(u, u), u);
    if (!(mt.parameter() instanceof StructType mp) || mp.size() != 2 || !mp.type(0).equals(u)
        || !mp.type(1).equals(u) || !mt.result().equals(u)) {
      throw new TypeMismatchException(op + ": expected merge of type " + expectedMerge + ", found " + mt,
          expectedMerge, mt);
    }
    Value r = t.value(report, op + " report");
    FunctionType rt = function(op, "report", r);
    if (rt.parameter() == null || !rt.parameter().equals(u)) {
      throw new TypeMismatchException(op + ": expected report to take the accumulator type " + u + ", found " + rt,
          FunctionType.of(u, rt.result()), rt);
    }
    FunctionType type = FunctionType.of(
        StructType.of(FederatedType.atClients(member), u, at, mt, rt), FederatedType.atServer(rt.result()));
    return call(t, IntrinsicDef.FEDERATED_AGGREGATE, type, Expr.struct(v.expr(), z.expr(), acc.expr(), m.expr(),
        r.expr()));
  }

  /**
   * {@code federated_mean}: the unweighted mean at SERVER of float32 CLIENTS members. Unlike TFF, which returns NaN,
   * running it over no clients fails with an {@link ArithmeticException} saying the total weight is 0.
   */
  public static Value federatedMean(Object value) {
    String op = IntrinsicDef.FEDERATED_MEAN.uri();
    Trace t = Trace.require(op);
    Value v = implicitZip(t, op, value);
    FederatedType vt = clients(op, "value to be averaged", v);
    if (!TypeAnalysis.isStructureOf(vt.member(), TypeAnalysis::isFloat)) {
      throw new TypeMismatchException(op + ": the value type " + v.type() + " is not compatible with the average"
          + " operator: members must be float32 tensors or structures of them", null, v.type());
    }
    return call(t, IntrinsicDef.FEDERATED_MEAN,
        FunctionType.of(FederatedType.atClients(vt.member()), FederatedType.atServer(vt.member())), v.expr());
  }

  /**
   * {@code federated_weighted_mean}: {@code sum(w*v)/sum(w)} at SERVER, with a numeric scalar CLIENTS weight. Running
   * it with weights that sum to 0 fails with an {@link ArithmeticException} (TFF returns NaN).
   */
  public static Value federatedMean(Object value, Object weight) {
    String op = IntrinsicDef.FEDERATED_WEIGHTED_MEAN.uri();
    Trace t = Trace.require(op);
    Value v = implicitZip(t, op, value);
    FederatedType vt = clients(op, "value to be averaged", v);
    if (!TypeAnalysis.isStructureOf(vt.member(), TypeAnalysis::isFloat)) {
      throw new TypeMismatchException(op + ": the value type " + v.type() + " is not compatible with the average"
          + " operator: members must be float32 tensors or structures of them", null, v.type());
    }
    Value w = t.value(weight, op + " weight");
    FederatedType wt = clients(op, "weight", w);
    if (!TypeAnalysis.isNumericScalar(wt.member())) {
      throw new TypeMismatchException(op + ": the weight type " + w.type() + " is not a federated integer or"
          + " floating-point scalar", null, w.type());
    }
    FunctionType type = FunctionType.of(
        StructType.of(FederatedType.atClients(vt.member()), FederatedType.atClients(wt.member())),
        FederatedType.atServer(vt.member()));
    return call(t, IntrinsicDef.FEDERATED_WEIGHTED_MEAN, type, Expr.struct(v.expr(), w.expr()));
  }

  /** {@code federated_sum}: the sum at SERVER of numeric CLIENTS members. */
  public static Value federatedSum(Object value) {
    return reduction(IntrinsicDef.FEDERATED_SUM, "value to be summed", value);
  }

  /** {@code federated_min}: the element-wise minimum at SERVER of numeric CLIENTS members. */
  public static Value federatedMin(Object value) {
    return reduction(IntrinsicDef.FEDERATED_MIN, "value to take the min of", value);
  }

  /** {@code federated_max}: the element-wise maximum at SERVER of numeric CLIENTS members. */
  public static Value federatedMax(Object value) {
    return reduction(IntrinsicDef.FEDERATED_MAX, "value to take the max of", value);
  }

  private static Value reduction(IntrinsicDef def, String role, Object value) {
    Trace t = Trace.require(def.uri());
    Value v = implicitZip(t, def.uri(), value);
    FederatedType vt = clients(def.uri(), role, v);
    if (!TypeAnalysis.isStructureOf(vt.member(), TypeAnalysis::isNumeric)) {
      throw new TypeMismatchException(def.uri() + ": the value type " + v.type() + " is not compatible with the "
          + def.uri().substring("federated_".length()) + " operator: members must be numeric tensors or structures of"
          + " them", null, v.type());
    }
    return call(t, def, FunctionType.of(FederatedType.atClients(vt.member()), FederatedType.atServer(vt.member())),
        v.expr());
  }

  /**
   * {@code federated_secure_sum}: the sum at SERVER of integer CLIENTS members that must each lie in
   * {@code [0, maxInput]}; {@code maxInput} is one integer or a structure matching the value's.
   */
  public static Value federatedSecureSum(Object value, Object maxInput) {
    return secureSum(IntrinsicDef.FEDERATED_SECURE_SUM, "max_input", value, maxInput);
  }

  /**
   * {@code federated_secure_sum_bitwidth}: the sum at SERVER of integer CLIENTS members that must each lie in
   * {@code [0, 2^bitwidth - 1]}.
   */
  public static Value federatedSecureSumBitwidth(Object value, Object bitwidth) {
    return secureSum(IntrinsicDef.FEDERATED_SECURE_SUM_BITWIDTH, "bitwidth", value, bitwidth);
  }

  /**
   * {@code federated_secure_modular_sum}: the sum modulo {@code modulus} at SERVER of integer CLIENTS members
   * (each first reduced modulo {@code modulus}, as TFF does).
   */
  public static Value federatedSecureModularSum(Object value, Object modulus) {
    return secureSum(IntrinsicDef.FEDERATED_SECURE_MODULAR_SUM, "modulus", value, modulus);
  }

  private static Value secureSum(IntrinsicDef def, String boundName, Object value, Object bound) {
    String op = def.uri();
    Trace t = Trace.require(op);
    Value v = implicitZip(t, op, value);
    FederatedType vt = clients(op, "value to be summed", v);
    if (!TypeAnalysis.isStructureOf(vt.member(), TypeAnalysis::isInteger)) {
      throw new TypeMismatchException(op + ": the members must be int32 or int64 tensors or structures of them, found "
          + v.type(), null, v.type());
    }
    Value b = t.value(bound, op + " " + boundName);
    nonFederated(op, boundName, b);
    Expr be = b.expr();
    if (b.type() instanceof TensorType bt && bt.isScalar() && bt.dtype().isInteger()
        && vt.member() instanceof StructType) {
      be = replicate(be, vt.member());
    }
    FunctionType type = FunctionType.of(StructType.of(FederatedType.atClients(vt.member()), be.type()),
        FederatedType.atServer(vt.member()));
    try {
      def.checkInstance(type);
    } catch (TypeMismatchException e) {
      TypeMismatchException mismatch = new TypeMismatchException(op + ": expected parameter " + boundName + " to match"
          + " the structure of the value, with one integer per tensor; found value members " + vt.member() + " and "
          + boundName + " " + b.type(), vt.member(), b.type());
      mismatch.initCause(e);
      throw mismatch;
    }
    return call(t, def, type, Expr.struct(v.expr(), be));
  }

  private static Expr replicate(Expr scalar, Type structure) {
    if (!(structure instanceof StructType s)) {
      return scalar;
    }
    List<Expr.Element> elements = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      elements.add(new Expr.Element(s.name(i), replicate(scalar, s.type(i))));
    }
    return Expr.struct(elements);
  }

  // ------------------------------------------------------------------ broadcast and select

  /** {@code federated_broadcast}: a SERVER value made available, all-equal, at CLIENTS. */
  public static Value federatedBroadcast(Object value) {
    String op = IntrinsicDef.FEDERATED_BROADCAST.uri();
    Trace t = Trace.require(op);
    Value v = t.value(value, op + " value");
    FederatedType vt = placed(op, "value to be broadcast", v, Placement.SERVER);
    if (!vt.allEqual()) {
      throw new TypeMismatchException(op + ": the broadcast value must be equal at all locations, found " + v.type(),
          FederatedType.atServer(vt.member()), v.type());
    }
    return call(t, IntrinsicDef.FEDERATED_BROADCAST,
        FunctionType.of(FederatedType.atServer(vt.member()), FederatedType.atClients(vt.member(), true)), v.expr());
  }

  /**
   * {@code federated_select}: for each client, the sequence of {@code selectFn(<serverVal, key>)} over its keys, in
   * key order. Keys are {@code int32[N]} at CLIENTS in {@code [0, maxKey]}.
   */
  public static Value federatedSelect(Object clientKeys, Object maxKey, Object serverVal, Object selectFn) {
    return select(IntrinsicDef.FEDERATED_SELECT, clientKeys, maxKey, serverVal, selectFn);
  }

  /** {@code federated_secure_select}: {@link #federatedSelect} marked to run with a secure protocol. */
  public static Value federatedSecureSelect(Object clientKeys, Object maxKey, Object serverVal, Object selectFn) {
    return select(IntrinsicDef.FEDERATED_SECURE_SELECT, clientKeys, maxKey, serverVal, selectFn);
  }

  private static Value select(IntrinsicDef def, Object clientKeys, Object maxKey, Object serverVal, Object selectFn) {
    String op = def.uri();
    Trace t = Trace.require(op);
    Value keys = t.value(clientKeys, op + " client_keys");
    FederatedType kt = clients(op, "client_keys", keys);
    if (!(kt.member() instanceof TensorType k) || k.dtype() != dev.cohort.tensor.DType.INT32 || k.rank() != 1
        || !k.isFullyDefined()) {
      throw new TypeMismatchException(op + ": expected parameter client_keys to be a rank-1 int32 tensor of known"
          + " length at CLIENTS, found " + keys.type(), null, keys.type());
    }
    Value max = t.value(maxKey, op + " max_key");
    FederatedType maxType = FederatedType.atServer(TensorType.INT32);
    if (!maxType.isAssignableFrom(max.type())) {
      throw new TypeMismatchException(op + ": expected parameter max_key to be an int32 placed at SERVER, "
          + max.type() + " is not assignable to " + maxType, maxType, max.type());
    }
    Value server = t.value(serverVal, op + " server_val");
    FederatedType st = placed(op, "server_val", server, Placement.SERVER);
    Value fn = t.value(selectFn, op + " select_fn");
    FunctionType ft = function(op, "select_fn", fn);
    StructType expectedParam = StructType.of(st.member(), TensorType.INT32);
    if (ft.parameter() == null || !ft.parameter().isAssignableFrom(expectedParam)) {
      throw new TypeMismatchException(op + ": expected parameter select_fn to be a function from state and key to"
          + " result, taking " + expectedParam + ", found " + ft, expectedParam, ft);
    }
    if (!(ft.parameter() instanceof StructType fp) || !fp.type(1).equals(TensorType.INT32)) {
      throw new TypeMismatchException(op + ": select_fn must take <T,int32>, found " + ft, expectedParam, ft);
    }
    FunctionType type = FunctionType.of(
        StructType.of(FederatedType.atClients(kt.member()), maxType, FederatedType.atServer(fp.type(0)), ft),
        FederatedType.atClients(SequenceType.of(ft.result())));
    return call(t, def, type, Expr.struct(keys.expr(), max.expr(), server.expr(), fn.expr()));
  }

  // ------------------------------------------------------------------ mapping and placing

  /**
   * {@code federated_map} (or {@code federated_apply} for a SERVER value): applies {@code fn} to each member. A
   * list or struct of federated values is zipped first.
   */
  public static Value federatedMap(Object fn, Object arg) {
    String op = IntrinsicDef.FEDERATED_MAP.uri();
    Trace t = Trace.require(op);
    Value a = implicitZip(t, op, arg);
    if (!(a.type() instanceof FederatedType at)) {
      throw new TypeMismatchException(op + ": expected the value to be mapped to be a federated value, found "
          + a.type(), null, a.type());
    }
    Value f = t.value(fn, op + " function");
    FunctionType ft = mappingFunction(op, f, at.member());
    if (at.placement() == Placement.SERVER) {
      return call(t, IntrinsicDef.FEDERATED_APPLY, FunctionType.of(
          StructType.of(ft, FederatedType.atServer(ft.parameter())), FederatedType.atServer(ft.result())),
          Expr.struct(f.expr(), a.expr()));
    }
    return call(t, IntrinsicDef.FEDERATED_MAP, FunctionType.of(
        StructType.of(ft, FederatedType.atClients(ft.parameter())), FederatedType.atClients(ft.result())),
        Expr.struct(f.expr(), a.expr()));
  }

  /** {@code federated_map_all_equal}: maps an all-equal CLIENTS value to an all-equal CLIENTS value. */
  public static Value federatedMapAllEqual(Object fn, Object arg) {
    String op = IntrinsicDef.FEDERATED_MAP_ALL_EQUAL.uri();
    Trace t = Trace.require(op);
    Value a = t.value(arg, op + " value");
    FederatedType at = clients(op, "value to be mapped", a);
    if (!at.allEqual()) {
      throw new TypeMismatchException(op + ": expected an all-equal CLIENTS value (T@CLIENTS), found " + a.type(),
          FederatedType.atClients(at.member(), true), a.type());
    }
    Value f = t.value(fn, op + " function");
    FunctionType ft = mappingFunction(op, f, at.member());
    return call(t, IntrinsicDef.FEDERATED_MAP_ALL_EQUAL, FunctionType.of(
        StructType.of(ft, FederatedType.atClients(ft.parameter(), true)), FederatedType.atClients(ft.result(), true)),
        Expr.struct(f.expr(), a.expr()));
  }

  /** {@code federated_apply}: applies {@code fn} to a SERVER value. */
  public static Value federatedApply(Object fn, Object arg) {
    String op = IntrinsicDef.FEDERATED_APPLY.uri();
    Trace t = Trace.require(op);
    Value a = implicitZip(t, op, arg);
    FederatedType at = placed(op, "value to be mapped", a, Placement.SERVER);
    Value f = t.value(fn, op + " function");
    FunctionType ft = mappingFunction(op, f, at.member());
    return call(t, IntrinsicDef.FEDERATED_APPLY, FunctionType.of(
        StructType.of(ft, FederatedType.atServer(ft.parameter())), FederatedType.atServer(ft.result())),
        Expr.struct(f.expr(), a.expr()));
  }

  /**
   * {@code federated_eval_at_clients} / {@code federated_eval_at_server}: evaluates the no-argument {@code fn} at
   * {@code placement} (once per client at CLIENTS).
   */
  public static Value federatedEval(Object fn, Placement placement) {
    IntrinsicDef def = placement == Placement.CLIENTS ? IntrinsicDef.FEDERATED_EVAL_AT_CLIENTS
        : IntrinsicDef.FEDERATED_EVAL_AT_SERVER;
    Trace t = Trace.require(def.uri());
    Value f = t.value(fn, def.uri() + " function");
    FunctionType ft = function(def.uri(), "function", f);
    if (ft.parameter() != null) {
      throw new TypeMismatchException(def.uri() + ": expected a function without parameters, found " + ft,
          FunctionType.noArg(ft.result()), ft);
    }
    nonFederatedType(def.uri(), "function result", ft.result());
    Type result = placement == Placement.CLIENTS ? FederatedType.atClients(ft.result())
        : FederatedType.atServer(ft.result());
    return call(t, def, FunctionType.of(ft, result), f.expr());
  }

  /**
   * {@code federated_value_at_clients} / {@code federated_value_at_server}: places a non-federated value, all-equal,
   * at {@code placement}.
   */
  public static Value federatedValue(Object value, Placement placement) {
    IntrinsicDef def = placement == Placement.CLIENTS ? IntrinsicDef.FEDERATED_VALUE_AT_CLIENTS
        : IntrinsicDef.FEDERATED_VALUE_AT_SERVER;
    Trace t = Trace.require(def.uri());
    Value v = t.value(value, def.uri() + " value");
    nonFederatedType(def.uri(), "value to be placed", v.type());
    if (TypeAnalysis.contains(v.type(), x -> x instanceof FunctionType)) {
      throw new TypeMismatchException(def.uri() + ": cannot place a value containing functions, found " + v.type(),
          null, v.type());
    }
    return call(t, def, FunctionType.of(v.type(), new FederatedType(v.type(), placement, true)), v.expr());
  }

  /**
   * {@code federated_zip_at_clients} / {@code federated_zip_at_server}: a struct (or list) of federated values with
   * one placement becomes one federated value of structs.
   */
  public static Value federatedZip(Object value) {
    Trace t = Trace.require("federated_zip");
    return zip(t, t.value(value, "federated_zip value"));
  }

  private static Value zip(Trace t, Value v) {
    if (!(v.type() instanceof StructType s) || s.size() == 0) {
      throw new TypeMismatchException("federated_zip: expected a non-empty struct of federated values, found "
          + v.type(), null, v.type());
    }
    Placement placement = null;
    List<StructType.Field> members = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      if (!(s.type(i) instanceof FederatedType f)) {
        throw new TypeMismatchException("federated_zip: element " + i + " of " + v.type() + " is not federated", null,
            v.type());
      }
      if (placement != null && f.placement() != placement) {
        throw new TypeMismatchException("federated_zip: all elements must have one placement, found " + v.type(), null,
            v.type());
      }
      placement = f.placement();
      members.add(new StructType.Field(s.name(i), f.member()));
    }
    StructType member = new StructType(members);
    IntrinsicDef def = placement == Placement.CLIENTS ? IntrinsicDef.FEDERATED_ZIP_AT_CLIENTS
        : IntrinsicDef.FEDERATED_ZIP_AT_SERVER;
    Type result = placement == Placement.CLIENTS ? FederatedType.atClients(member) : FederatedType.atServer(member);
    return call(t, def, FunctionType.of(v.type(), result), v.expr());
  }

  // ------------------------------------------------------------------ generic arithmetic

  /** {@code generic_plus}: element-wise sum of two numeric values of one type. */
  public static Value genericPlus(Object a, Object b) {
    return binary(IntrinsicDef.GENERIC_PLUS, a, b);
  }

  /**
   * {@code generic_multiply}: element-wise product; {@code b} has {@code a}'s type or is a numeric scalar that
   * converts to {@code a}'s dtypes without loss (the same dtype, an integer scalar on float32 values, int32 on int64).
   *
   * @throws TypeMismatchException for a scalar that would lose precision, e.g. a float32 scalar on int32 values
   */
  public static Value genericMultiply(Object a, Object b) {
    return binary(IntrinsicDef.GENERIC_MULTIPLY, a, b);
  }

  /**
   * {@code generic_divide}: element-wise {@code a * (1/b)} of float32 values; {@code b} has {@code a}'s type or is a
   * numeric scalar (an integer scalar is converted to float32). A 0 in {@code b} fails with an
   * {@link ArithmeticException} when run.
   */
  public static Value genericDivide(Object a, Object b) {
    return binary(IntrinsicDef.GENERIC_DIVIDE, a, b);
  }

  private static Value binary(IntrinsicDef def, Object a, Object b) {
    Trace t = Trace.require(def.uri());
    Value x = t.value(a, def.uri() + " first operand");
    Value y = t.value(b, def.uri() + " second operand");
    nonFederated(def.uri(), "first operand", x);
    nonFederated(def.uri(), "second operand", y);
    Type result = x.type();
    FunctionType type = FunctionType.of(StructType.of(x.type(), y.type()), result);
    return call(t, def, type, Expr.struct(x.expr(), y.expr()));
  }

  /** {@code generic_zero}: the zero of a numeric type with fully known shapes. */
  public static Value genericZero(Type type) {
    Trace t = Trace.require(IntrinsicDef.GENERIC_ZERO.uri());
    return t.wrap(Expr.intrinsic(IntrinsicDef.GENERIC_ZERO, type));
  }

  // ------------------------------------------------------------------ sequences

  /** {@code sequence_map}: applies {@code fn} to each element (of each client's sequence, for a federated one). */
  public static Value sequenceMap(Object fn, Object sequence) {
    String op = IntrinsicDef.SEQUENCE_MAP.uri();
    Trace t = Trace.require(op);
    Value s = t.value(sequence, op + " sequence");
    Value f = t.value(fn, op + " function");
    if (s.type() instanceof FederatedType fs) {
      return federatedSequenceOp(t, s, fs, x -> sequenceMapExpr(op, f, x));
    }
    return t.bind(sequenceMapExpr(op, f, s.expr()));
  }

  private static Expr sequenceMapExpr(String op, Value f, Expr s) {
    SequenceType st = sequence(op, s.type());
    FunctionType ft = mappingFunction(op, f, st.element());
    FunctionType type = FunctionType.of(StructType.of(ft, SequenceType.of(ft.parameter())),
        SequenceType.of(ft.result()));
    return Expr.call(Expr.intrinsic(IntrinsicDef.SEQUENCE_MAP, type), Expr.struct(f.expr(), s));
  }

  /**
   * {@code sequence_reduce}: folds the elements into {@code zero} with {@code op} {@code (<U,T> -> U)}, in order
   * (pointwise at each client for a federated sequence).
   */
  public static Value sequenceReduce(Object sequence, Object zero, Object op) {
    String name = IntrinsicDef.SEQUENCE_REDUCE.uri();
    Trace t = Trace.require(name);
    Value s = t.value(sequence, name + " sequence");
    Value z = t.value(zero, name + " zero");
    nonFederated(name, "zero", z);
    Value f = t.value(op, name + " op");
    if (s.type() instanceof FederatedType fs) {
      return federatedSequenceOp(t, s, fs, x -> sequenceReduceExpr(name, x, z, f));
    }
    return t.bind(sequenceReduceExpr(name, s.expr(), z, f));
  }

  private static Expr sequenceReduceExpr(String name, Expr s, Value z, Value f) {
    SequenceType st = sequence(name, s.type());
    FunctionType ft = function(name, "op", f);
    if (!(ft.parameter() instanceof StructType p) || p.size() != 2 || !p.type(0).equals(ft.result())) {
      throw new TypeMismatchException(name + ": expected op of type (<U,T> -> U), with the same U in its parameter"
          + " and result, found " + ft, null, ft);
    }
    Type u = ft.result();
    if (!p.type(1).isAssignableFrom(st.element())) {
      throw new TypeMismatchException(name + ": op takes elements of type " + p.type(1) + ", but the sequence has"
          + " elements of type " + st.element(), p.type(1), st.element());
    }
    if (!u.isAssignableFrom(z.type())) {
      throw new TypeMismatchException(name + ": expected zero to be assignable to type " + u
          + ", but was of incompatible type " + z.type(), u, z.type());
    }
    FunctionType type = FunctionType.of(StructType.of(SequenceType.of(p.type(1)), u, ft), u);
    return Expr.call(Expr.intrinsic(IntrinsicDef.SEQUENCE_REDUCE, type), Expr.struct(s, z.expr(), f.expr()));
  }

  /** {@code sequence_sum}: the sum of numeric elements (pointwise at each client for a federated sequence). */
  public static Value sequenceSum(Object sequence) {
    String op = IntrinsicDef.SEQUENCE_SUM.uri();
    Trace t = Trace.require(op);
    Value s = t.value(sequence, op + " sequence");
    if (s.type() instanceof FederatedType fs) {
      return federatedSequenceOp(t, s, fs, x -> sequenceSumExpr(op, x));
    }
    return t.bind(sequenceSumExpr(op, s.expr()));
  }

  private static Expr sequenceSumExpr(String op, Expr s) {
    SequenceType st = sequence(op, s.type());
    if (!TypeAnalysis.isStructureOf(st.element(), TypeAnalysis::isNumeric)) {
      throw new TypeMismatchException(op + ": the elements must be numeric tensors or structures of them, found "
          + s.type(), null, s.type());
    }
    return Expr.call(Expr.intrinsic(IntrinsicDef.SEQUENCE_SUM, FunctionType.of(st, st.element())), s);
  }

  /** Applies a sequence operation to each member of a federated sequence with a federated map (or apply). */
  private static Value federatedSequenceOp(Trace t, Value s, FederatedType fs,
      java.util.function.Function<Expr, Expr> body) {
    String x = t.freshName("_seq");
    Expr lambda = Expr.lambda(x, fs.member(), body.apply(new Expr.Reference(x, fs.member())));
    return mapExpr(t, lambda, s, fs);
  }

  private static Value mapExpr(Trace t, Expr fn, Value arg, FederatedType at) {
    FunctionType ft = (FunctionType) fn.type();
    if (at.placement() == Placement.SERVER) {
      return call(t, IntrinsicDef.FEDERATED_APPLY, FunctionType.of(
          StructType.of(ft, FederatedType.atServer(ft.parameter())), FederatedType.atServer(ft.result())),
          Expr.struct(fn, arg.expr()));
    }
    if (at.allEqual()) {
      return call(t, IntrinsicDef.FEDERATED_MAP_ALL_EQUAL, FunctionType.of(
          StructType.of(ft, FederatedType.atClients(ft.parameter(), true)), FederatedType.atClients(ft.result(), true)),
          Expr.struct(fn, arg.expr()));
    }
    return call(t, IntrinsicDef.FEDERATED_MAP, FunctionType.of(
        StructType.of(ft, FederatedType.atClients(ft.parameter())), FederatedType.atClients(ft.result())),
        Expr.struct(fn, arg.expr()));
  }

  /** Element {@code index} (or {@code name}) of each member of a federated struct. */
  static Value selectFromFederated(Value v, int index, String name) {
    Trace t = Trace.require("selection");
    FederatedType ft = (FederatedType) v.type();
    String x = t.freshName("_sel");
    Expr.Reference ref = new Expr.Reference(x, ft.member());
    Expr selection = name == null ? Expr.select(ref, index) : Expr.select(ref, name);
    return mapExpr(t, Expr.lambda(x, ft.member(), selection), v, ft);
  }

  // ------------------------------------------------------------------ helpers

  private static Value call(Trace t, IntrinsicDef def, Type type, Expr argument) {
    return t.bind(Expr.call(Expr.intrinsic(def, type), argument));
  }

  /** The value for {@code arg}, zipping a struct of federated values. */
  private static Value implicitZip(Trace t, String op, Object arg) {
    Value a = t.value(arg, op + " value");
    if (a.type() instanceof StructType s && s.size() > 0) {
      for (Type e : s.children()) {
        if (!(e instanceof FederatedType)) {
          return a;
        }
      }
      return zip(t, a);
    }
    return a;
  }

  private static FederatedType clients(String op, String role, Value v) {
    return placed(op, role, v, Placement.CLIENTS);
  }

  private static FederatedType placed(String op, String role, Value v, Placement p) {
    if (v.type() instanceof FederatedType f && f.placement() == p) {
      return f;
    }
    String found = v.type() instanceof FederatedType f ? " (placed at " + f.placement() + ")" : " (not federated)";
    throw new TypeMismatchException(op + ": expected the " + role + " to be a federated value placed at " + p
        + ", found " + v.type() + found, null, v.type());
  }

  private static FunctionType function(String op, String role, Value v) {
    if (v.type() instanceof FunctionType f) {
      return f;
    }
    throw new TypeMismatchException(op + ": expected " + role + " to be a function, found a value of type "
        + v.type(), null, v.type());
  }

  private static FunctionType mappingFunction(String op, Value f, Type member) {
    FunctionType ft = function(op, "the mapping function", f);
    if (ft.parameter() == null) {
      throw new TypeMismatchException(op + ": expected the mapping function to have a parameter, found " + ft, null, ft);
    }
    if (!ft.parameter().isAssignableFrom(member)) {
      throw new TypeMismatchException(op + ": the mapping function expects a parameter of type " + ft.parameter()
          + ", but member constituents of the mapped value are of incompatible type " + member, ft.parameter(), member);
    }
    return ft;
  }

  private static SequenceType sequence(String op, Type t) {
    if (t instanceof SequenceType s) {
      return s;
    }
    throw new TypeMismatchException(op + ": expected a sequence (or a federated sequence), found " + t, null, t);
  }

  private static void nonFederated(String op, String role, Value v) {
    nonFederatedType(op, role, v.type());
  }

  private static void nonFederatedType(String op, String role, Type t) {
    if (TypeAnalysis.contains(t, x -> x instanceof FederatedType)) {
      throw new TypeMismatchException(op + ": expected the " + role + " to be non-federated, found " + t, null, t);
    }
  }
}
