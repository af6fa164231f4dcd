package dev.cohort.core;

import dev.cohort.core.ast.Expr;
import dev.cohort.core.ast.IntrinsicDef;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeMismatchException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The intrinsics of TFF's Federated Core, one static method each, to be called inside the body of a federated
 * computation being traced (see {@link Computation#federated}). Each checks placements and types at once and
 * returns a symbolic {@link Value}; a violation throws {@link TypeMismatchException} naming the intrinsic, what it
 * expected and the type it found, in TFF notation. Outside tracing they throw {@link IllegalStateException} saying
 * how to trace.
 *
 * <p>Arguments may be symbolic values, {@link Computation}s (for function parameters), constants (numbers,
 * tensors, strings) or {@link java.util.List}s / {@link dev.cohort.core.values.Struct}s of those. A list or struct of federated values
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
    IntrinsicDef def = IntrinsicDef.FEDERATED_AGGREGATE;
    Trace t = Trace.require(def.uri());
    return apply(t, def, t.value(value, def.uri() + " value"), t.value(zero, def.uri() + " zero"),
        t.value(accumulate, def.uri() + " accumulate"), t.value(merge, def.uri() + " merge"),
        t.value(report, def.uri() + " report"));
  }

  /**
   * {@code federated_mean}: the unweighted mean at SERVER of float32 CLIENTS members. Unlike TFF, which returns NaN,
   * running it over no clients fails with an {@link ArithmeticException} saying the total weight is 0.
   */
  public static Value federatedMean(Object value) {
    IntrinsicDef def = IntrinsicDef.FEDERATED_MEAN;
    Trace t = Trace.require(def.uri());
    return apply(t, def, implicitZip(t, def.uri(), value));
  }

  /**
   * {@code federated_weighted_mean}: {@code sum(w*v)/sum(w)} at SERVER, with a numeric scalar CLIENTS weight. Running
   * it with weights that sum to 0 fails with an {@link ArithmeticException} (TFF returns NaN).
   */
  public static Value federatedMean(Object value, Object weight) {
    IntrinsicDef def = IntrinsicDef.FEDERATED_WEIGHTED_MEAN;
    Trace t = Trace.require(def.uri());
    return apply(t, def, implicitZip(t, def.uri(), value), t.value(weight, def.uri() + " weight"));
  }

  /** {@code federated_sum}: the sum at SERVER of numeric CLIENTS members. */
  public static Value federatedSum(Object value) {
    return reduction(IntrinsicDef.FEDERATED_SUM, value);
  }

  /** {@code federated_min}: the element-wise minimum at SERVER of numeric CLIENTS members. */
  public static Value federatedMin(Object value) {
    return reduction(IntrinsicDef.FEDERATED_MIN, value);
  }

  /** {@code federated_max}: the element-wise maximum at SERVER of numeric CLIENTS members. */
  public static Value federatedMax(Object value) {
    return reduction(IntrinsicDef.FEDERATED_MAX, value);
  }

  private static Value reduction(IntrinsicDef def, Object value) {
    Trace t = Trace.require(def.uri());
    return apply(t, def, implicitZip(t, def.uri(), value));
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

  /** A scalar integer bound of a struct value is replicated, one per tensor, as TFF does. */
  private static Value secureSum(IntrinsicDef def, String boundName, Object value, Object bound) {
    Trace t = Trace.require(def.uri());
    Value v = implicitZip(t, def.uri(), value);
    Value b = t.value(bound, def.uri() + " " + boundName);
    if (b.type() instanceof TensorType bt && bt.isScalar() && bt.dtype().isInteger()
        && v.type() instanceof FederatedType vt && vt.member() instanceof StructType) {
      b = t.wrap(replicate(b.expr(), vt.member()));
    }
    return apply(t, def, v, b);
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
    IntrinsicDef def = IntrinsicDef.FEDERATED_BROADCAST;
    Trace t = Trace.require(def.uri());
    return apply(t, def, t.value(value, def.uri() + " value"));
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
    return apply(t, def, t.value(clientKeys, op + " client_keys"), t.value(maxKey, op + " max_key"),
        t.value(serverVal, op + " server_val"), t.value(selectFn, op + " select_fn"));
  }

  // ------------------------------------------------------------------ mapping and placing

  /**
   * {@code federated_map} (or {@code federated_apply} for a SERVER value): applies {@code fn} to each member. A
   * list or struct of federated values is zipped first.
   */
  public static Value federatedMap(Object fn, Object arg) {
    Trace t = Trace.require(IntrinsicDef.FEDERATED_MAP.uri());
    Value a = implicitZip(t, IntrinsicDef.FEDERATED_MAP.uri(), arg);
    IntrinsicDef def = a.type() instanceof FederatedType f && f.placement() == Placement.SERVER
        ? IntrinsicDef.FEDERATED_APPLY : IntrinsicDef.FEDERATED_MAP;
    return apply(t, def, t.value(fn, def.uri() + " function"), a);
  }

  /** {@code federated_map_all_equal}: maps an all-equal CLIENTS value to an all-equal CLIENTS value. */
  public static Value federatedMapAllEqual(Object fn, Object arg) {
    IntrinsicDef def = IntrinsicDef.FEDERATED_MAP_ALL_EQUAL;
    Trace t = Trace.require(def.uri());
    Value a = t.value(arg, def.uri() + " value");
    return apply(t, def, t.value(fn, def.uri() + " function"), a);
  }

  /** {@code federated_apply}: applies {@code fn} to a SERVER value. */
  public static Value federatedApply(Object fn, Object arg) {
    IntrinsicDef def = IntrinsicDef.FEDERATED_APPLY;
    Trace t = Trace.require(def.uri());
    Value a = implicitZip(t, def.uri(), arg);
    return apply(t, def, t.value(fn, def.uri() + " function"), a);
  }

  /**
   * {@code federated_eval_at_clients} / {@code federated_eval_at_server}: evaluates the no-argument {@code fn} at
   * {@code placement} (once per client at CLIENTS).
   */
  public static Value federatedEval(Object fn, Placement placement) {
    IntrinsicDef def = placement == Placement.CLIENTS ? IntrinsicDef.FEDERATED_EVAL_AT_CLIENTS
        : IntrinsicDef.FEDERATED_EVAL_AT_SERVER;
    Trace t = Trace.require(def.uri());
    return apply(t, def, t.value(fn, def.uri() + " function"));
  }

  /**
   * {@code federated_value_at_clients} / {@code federated_value_at_server}: places a non-federated value, all-equal,
   * at {@code placement}.
   */
  public static Value federatedValue(Object value, Placement placement) {
    IntrinsicDef def = placement == Placement.CLIENTS ? IntrinsicDef.FEDERATED_VALUE_AT_CLIENTS
        : IntrinsicDef.FEDERATED_VALUE_AT_SERVER;
    Trace t = Trace.require(def.uri());
    return apply(t, def, t.value(value, def.uri() + " value"));
  }

  /**
   * {@code federated_zip_at_clients} / {@code federated_zip_at_server}: a struct (or list) of federated values with
   * one placement becomes one federated value of structs.
   */
  public static Value federatedZip(Object value) {
    Trace t = Trace.require("federated_zip");
    return zip(t, t.value(value, "federated_zip value"));
  }

  /** Zips at the placement of the first element; the rule reports any element that is not placed there. */
  private static Value zip(Trace t, Value v) {
    boolean server = v.type() instanceof StructType s && s.size() > 0 && s.type(0) instanceof FederatedType f
        && f.placement() == Placement.SERVER;
    return apply(t, server ? IntrinsicDef.FEDERATED_ZIP_AT_SERVER : IntrinsicDef.FEDERATED_ZIP_AT_CLIENTS, v);
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
    return apply(t, def, t.value(a, def.uri() + " first operand"), t.value(b, def.uri() + " second operand"));
  }

  /** {@code generic_zero}: the zero of a numeric type with fully known shapes. */
  public static Value genericZero(Type type) {
    Trace t = Trace.require(IntrinsicDef.GENERIC_ZERO.uri());
    return t.wrap(Expr.intrinsic(IntrinsicDef.GENERIC_ZERO, type));
  }

  // ------------------------------------------------------------------ sequences

  /** {@code sequence_map}: applies {@code fn} to each element (of each client's sequence, for a federated one). */
  public static Value sequenceMap(Object fn, Object sequence) {
    IntrinsicDef def = IntrinsicDef.SEQUENCE_MAP;
    Trace t = Trace.require(def.uri());
    Value s = t.value(sequence, def.uri() + " sequence");
    Value f = t.value(fn, def.uri() + " function");
    return sequenceOp(t, s, x -> node(def, f.expr(), x));
  }

  /**
   * {@code sequence_reduce}: folds the elements into {@code zero} with {@code op} {@code (<U,T> -> U)}, in order
   * (pointwise at each client for a federated sequence).
   */
  public static Value sequenceReduce(Object sequence, Object zero, Object op) {
    IntrinsicDef def = IntrinsicDef.SEQUENCE_REDUCE;
    Trace t = Trace.require(def.uri());
    Value s = t.value(sequence, def.uri() + " sequence");
    Value z = t.value(zero, def.uri() + " zero");
    Value f = t.value(op, def.uri() + " op");
    return sequenceOp(t, s, x -> node(def, x, z.expr(), f.expr()));
  }

  /** {@code sequence_sum}: the sum of numeric elements (pointwise at each client for a federated sequence). */
  public static Value sequenceSum(Object sequence) {
    IntrinsicDef def = IntrinsicDef.SEQUENCE_SUM;
    Trace t = Trace.require(def.uri());
    Value s = t.value(sequence, def.uri() + " sequence");
    return sequenceOp(t, s, x -> node(def, x));
  }

  /**
   * A sequence operation on {@code s}; on a federated sequence, applied to each member with a federated map (or
   * apply), as TFF does.
   */
  private static Value sequenceOp(Trace t, Value s, Function<Expr, Expr> body) {
    if (!(s.type() instanceof FederatedType fs)) {
      return t.bind(body.apply(s.expr()));
    }
    String x = t.freshName("_seq");
    Expr lambda = Expr.lambda(x, fs.member(), body.apply(new Expr.Reference(x, fs.member())));
    return mapExpr(t, lambda, s, fs);
  }

  private static Value mapExpr(Trace t, Expr fn, Value arg, FederatedType at) {
    IntrinsicDef def = at.placement() == Placement.SERVER ? IntrinsicDef.FEDERATED_APPLY
        : at.allEqual() ? IntrinsicDef.FEDERATED_MAP_ALL_EQUAL : IntrinsicDef.FEDERATED_MAP;
    return t.bind(node(def, fn, arg.expr()));
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

  /** Binds {@code def} applied to {@code args} (one value, or the elements of a struct argument). */
  private static Value apply(Trace t, IntrinsicDef def, Value... args) {
    Expr[] exprs = new Expr[args.length];
    for (int i = 0; i < args.length; i++) {
      exprs[i] = args[i].expr();
    }
    return t.bind(node(def, exprs));
  }

  /** The call of {@code def} on {@code args}, at the concrete type the catalogue's rule computes. */
  private static Expr node(IntrinsicDef def, Expr... args) {
    Expr argument = args.length == 1 ? args[0] : Expr.struct(args);
    return Expr.call(Expr.intrinsic(def, def.instantiate(argument.type())), argument);
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
}
