package dev.cohort.core.ast;

import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeAnalysis;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.tensor.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * The typing rule of every intrinsic, written once: given the type of the argument an intrinsic is applied to, the
 * concrete type of the intrinsic, or a {@link TypeMismatchException} naming the intrinsic, the role of the offending
 * argument (TFF's parameter names: {@code zero}, {@code accumulate}, {@code select_fn}, ...), what it expected and
 * what it found. Tracing ({@code Intrinsics}), deserialization and the compiler all reach these rules through
 * {@link IntrinsicDef#instantiate} and {@link IntrinsicDef#checkInstance}, so every tree gets the same messages.
 */
final class IntrinsicRules {
  private IntrinsicRules() {}

  /** The concrete type of {@code def} applied to an argument of type {@code arg}. */
  static FunctionType instantiate(IntrinsicDef def, Type arg) {
    String op = def.uri();
    return switch (def) {
      case FEDERATED_AGGREGATE -> aggregate(op, arg);
      case FEDERATED_APPLY -> {
        Type[] a = elements(op, arg, "function", "value to be mapped");
        FederatedType at = placed(op, "value to be mapped", a[1], Placement.SERVER);
        FunctionType ft = mappingFunction(op, a[0], at.member());
        yield FunctionType.of(StructType.of(ft, FederatedType.atServer(ft.parameter())),
            FederatedType.atServer(ft.result()));
      }
      case FEDERATED_BROADCAST -> {
        FederatedType vt = placed(op, "value to be broadcast", arg, Placement.SERVER);
        if (!vt.allEqual()) {
          throw new TypeMismatchException(op + ": the broadcast value must be equal at all locations, found " + arg,
              FederatedType.atServer(vt.member()), arg);
        }
        yield FunctionType.of(FederatedType.atServer(vt.member()), FederatedType.atClients(vt.member(), true));
      }
      case FEDERATED_EVAL_AT_CLIENTS, FEDERATED_EVAL_AT_SERVER -> {
        FunctionType ft = function(op, "function", arg);
        if (ft.parameter() != null) {
          throw new TypeMismatchException(op + ": expected a function without parameters, found " + ft,
              FunctionType.noArg(ft.result()), ft);
        }
        nonFederated(op, "function result", ft.result());
        yield FunctionType.of(ft, def == IntrinsicDef.FEDERATED_EVAL_AT_CLIENTS ? FederatedType.atClients(ft.result())
            : FederatedType.atServer(ft.result()));
      }
      case FEDERATED_MAP -> {
        Type[] a = elements(op, arg, "function", "value to be mapped");
        if (!(a[1] instanceof FederatedType)) {
          throw new TypeMismatchException(op + ": expected the value to be mapped to be a federated value, found "
              + a[1], null, a[1]);
        }
        FederatedType at = placed(op, "value to be mapped", a[1], Placement.CLIENTS);
        FunctionType ft = mappingFunction(op, a[0], at.member());
        yield FunctionType.of(StructType.of(ft, FederatedType.atClients(ft.parameter())),
            FederatedType.atClients(ft.result()));
      }
      case FEDERATED_MAP_ALL_EQUAL -> {
        Type[] a = elements(op, arg, "function", "value to be mapped");
        FederatedType at = placed(op, "value to be mapped", a[1], Placement.CLIENTS);
        if (!at.allEqual()) {
          throw new TypeMismatchException(op + ": expected an all-equal CLIENTS value (T@CLIENTS), found " + a[1],
              FederatedType.atClients(at.member(), true), a[1]);
        }
        FunctionType ft = mappingFunction(op, a[0], at.member());
        yield FunctionType.of(StructType.of(ft, FederatedType.atClients(ft.parameter(), true)),
            FederatedType.atClients(ft.result(), true));
      }
      case FEDERATED_MEAN -> {
        Type member = averaged(op, arg);
        yield FunctionType.of(FederatedType.atClients(member), FederatedType.atServer(member));
      }
      case FEDERATED_WEIGHTED_MEAN -> {
        Type[] a = elements(op, arg, "value to be averaged", "weight");
        Type member = averaged(op, a[0]);
        FederatedType wt = placed(op, "weight", a[1], Placement.CLIENTS);
        if (!TypeAnalysis.isNumericScalar(wt.member())) {
          throw new TypeMismatchException(op + ": the weight type " + a[1] + " is not a federated integer or"
              + " floating-point scalar", null, a[1]);
        }
        yield FunctionType.of(StructType.of(FederatedType.atClients(member), FederatedType.atClients(wt.member())),
            FederatedType.atServer(member));
      }
      case FEDERATED_SUM -> reduction(op, "value to be summed", "sum", arg);
      case FEDERATED_MIN -> reduction(op, "value to take the min of", "min", arg);
      case FEDERATED_MAX -> reduction(op, "value to take the max of", "max", arg);
      case FEDERATED_SECURE_SUM -> secureSum(op, "max_input", arg);
      case FEDERATED_SECURE_SUM_BITWIDTH -> secureSum(op, "bitwidth", arg);
      case FEDERATED_SECURE_MODULAR_SUM -> secureSum(op, "modulus", arg);
      case FEDERATED_SELECT, FEDERATED_SECURE_SELECT -> select(op, arg);
      case FEDERATED_VALUE_AT_CLIENTS, FEDERATED_VALUE_AT_SERVER -> {
        nonFederated(op, "value to be placed", arg);
        if (TypeAnalysis.contains(arg, x -> x instanceof FunctionType)) {
          throw new TypeMismatchException(op + ": cannot place a value containing functions, found " + arg, null, arg);
        }
        yield FunctionType.of(arg, new FederatedType(arg,
            def == IntrinsicDef.FEDERATED_VALUE_AT_CLIENTS ? Placement.CLIENTS : Placement.SERVER, true));
      }
      case FEDERATED_ZIP_AT_CLIENTS -> zip(op, arg, Placement.CLIENTS);
      case FEDERATED_ZIP_AT_SERVER -> zip(op, arg, Placement.SERVER);
      case GENERIC_PLUS, GENERIC_MULTIPLY, GENERIC_DIVIDE -> generic(def, arg);
      case GENERIC_ZERO -> throw new TypeMismatchException(op + ": generic_zero is a value of type T, not a function;"
          + " it takes no argument", def.signature(), arg);
      case SEQUENCE_MAP -> {
        Type[] a = elements(op, arg, "function", "sequence");
        SequenceType st = sequence(op, a[1]);
        FunctionType ft = mappingFunction(op, a[0], st.element());
        yield FunctionType.of(StructType.of(ft, SequenceType.of(ft.parameter())), SequenceType.of(ft.result()));
      }
      case SEQUENCE_REDUCE -> sequenceReduce(op, arg);
      case SEQUENCE_SUM -> {
        SequenceType st = sequence(op, arg);
        if (!TypeAnalysis.isStructureOf(st.element(), TypeAnalysis::isNumeric)) {
          throw new TypeMismatchException(op + ": the elements must be numeric tensors or structures of them, found "
              + arg, null, arg);
        }
        yield FunctionType.of(st, st.element());
      }
    };
  }

  /** The rule of {@code generic_zero}: a structure of numeric tensors with fully known shapes. */
  static void checkZero(Type type) {
    if (!TypeAnalysis.isStructureOf(type, t -> t.dtype().isNumeric() && t.isFullyDefined())) {
      throw new TypeMismatchException(IntrinsicDef.GENERIC_ZERO.uri() + ": the zero must be of numeric tensors with"
          + " fully known shapes, found " + type + " (type " + type + ")", IntrinsicDef.GENERIC_ZERO.signature(),
          type);
    }
  }

  // ------------------------------------------------------------------ the rules with several parts

  private static FunctionType aggregate(String op, Type arg) {
    Type[] a = elements(op, arg, "value to be aggregated", "zero", "accumulate", "merge", "report");
    FederatedType vt = placed(op, "value to be aggregated", a[0], Placement.CLIENTS);
    nonFederated(op, "zero", a[1]);
    FunctionType at = function(op, "accumulate", a[2]);
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
    if (!u.isAssignableFrom(a[1])) {
      throw new TypeMismatchException(op + ": expected zero to be assignable to type " + u + ", but was of incompatible"
          + " type " + a[1], u, a[1]);
    }
    FunctionType mt = function(op, "merge", a[3]);
    FunctionType expectedMerge = FunctionType.of(StructType.of(u, u), u);
    if (!(mt.parameter() instanceof StructType mp) || mp.size() != 2 || !mp.type(0).equals(u)
        || !mp.type(1).equals(u) || !mt.result().equals(u)) {
      throw new TypeMismatchException(op + ": expected merge of type " + expectedMerge + ", found " + mt,
          expectedMerge, mt);
    }
    FunctionType rt = function(op, "report", a[4]);
    if (rt.parameter() == null || !rt.parameter().equals(u)) {
      throw new TypeMismatchException(op + ": expected report to take the accumulator type " + u + ", found " + rt,
          FunctionType.of(u, rt.result()), rt);
    }
    return FunctionType.of(StructType.of(FederatedType.atClients(member), u, at, mt, rt),
        FederatedType.atServer(rt.result()));
  }

  /** The member type of a value to be averaged: float32 tensors or structures of them, at CLIENTS. */
  private static Type averaged(String op, Type value) {
    FederatedType vt = placed(op, "value to be averaged", value, Placement.CLIENTS);
    if (!TypeAnalysis.isStructureOf(vt.member(), TypeAnalysis::isFloat)) {
      throw new TypeMismatchException(op + ": the value type " + value + " is not compatible with the average"
          + " operator: members must be float32 tensors or structures of them", null, value);
    }
    return vt.member();
  }

  private static FunctionType reduction(String op, String role, String operator, Type arg) {
    FederatedType vt = placed(op, role, arg, Placement.CLIENTS);
    if (!TypeAnalysis.isStructureOf(vt.member(), TypeAnalysis::isNumeric)) {
      throw new TypeMismatchException(op + ": the value type " + arg + " is not compatible with the " + operator
          + " operator: members must be numeric tensors or structures of them", null, arg);
    }
    return FunctionType.of(FederatedType.atClients(vt.member()), FederatedType.atServer(vt.member()));
  }

  private static FunctionType secureSum(String op, String boundName, Type arg) {
    Type[] a = elements(op, arg, "value to be summed", boundName);
    FederatedType vt = placed(op, "value to be summed", a[0], Placement.CLIENTS);
    if (!TypeAnalysis.isStructureOf(vt.member(), TypeAnalysis::isInteger)) {
      throw new TypeMismatchException(op + ": the members must be int32 or int64 tensors or structures of them, found "
          + a[0], null, a[0]);
    }
    nonFederated(op, boundName, a[1]);
    if (!isIntegerScalar(a[1]) && !matchesWithIntegerScalars(vt.member(), a[1])) {
      throw new TypeMismatchException(op + ": expected parameter " + boundName + " to match the structure of the"
          + " value, with one integer per tensor; found value members " + vt.member() + " and " + boundName + " "
          + a[1], vt.member(), a[1]);
    }
    return FunctionType.of(StructType.of(FederatedType.atClients(vt.member()), a[1]),
        FederatedType.atServer(vt.member()));
  }

  private static boolean isIntegerScalar(Type t) {
    return t instanceof TensorType tt && tt.isScalar() && tt.dtype().isInteger();
  }

  private static boolean matchesWithIntegerScalars(Type value, Type bound) {
    if (value instanceof TensorType) {
      return isIntegerScalar(bound);
    }
    if (value instanceof StructType vs && bound instanceof StructType bs && vs.size() == bs.size()) {
      for (int i = 0; i < vs.size(); i++) {
        if (!matchesWithIntegerScalars(vs.type(i), bs.type(i))) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  private static FunctionType select(String op, Type arg) {
    Type[] a = elements(op, arg, "client_keys", "max_key", "server_val", "select_fn");
    FederatedType kt = placed(op, "client_keys", a[0], Placement.CLIENTS);
    if (!(kt.member() instanceof TensorType k) || k.dtype() != DType.INT32 || k.rank() != 1 || !k.isFullyDefined()) {
      throw new TypeMismatchException(op + ": expected parameter client_keys to be a rank-1 int32 tensor of known"
          + " length at CLIENTS, found " + a[0], null, a[0]);
    }
    FederatedType maxType = FederatedType.atServer(TensorType.INT32);
    if (!maxType.isAssignableFrom(a[1])) {
      throw new TypeMismatchException(op + ": expected parameter max_key to be an int32 placed at SERVER, " + a[1]
          + " is not assignable to " + maxType, maxType, a[1]);
    }
    FederatedType st = placed(op, "server_val", a[2], Placement.SERVER);
    FunctionType ft = function(op, "select_fn", a[3]);
    StructType expectedParam = StructType.of(st.member(), TensorType.INT32);
    if (ft.parameter() == null || !ft.parameter().isAssignableFrom(expectedParam)) {
      throw new TypeMismatchException(op + ": expected parameter select_fn to be a function from state and key to"
          + " result, taking " + expectedParam + ", found " + ft, expectedParam, ft);
    }
    if (!(ft.parameter() instanceof StructType fp) || !fp.type(1).equals(TensorType.INT32)) {
      throw new TypeMismatchException(op + ": select_fn must take <T,int32>, found " + ft, expectedParam, ft);
    }
    return FunctionType.of(
        StructType.of(FederatedType.atClients(kt.member()), maxType, FederatedType.atServer(fp.type(0)), ft),
        FederatedType.atClients(SequenceType.of(ft.result())));
  }

  /** {@code federated_zip}: a non-empty struct of values at one placement, {@code placement}. */
  private static FunctionType zip(String op, Type arg, Placement placement) {
    if (!(arg instanceof StructType s) || s.size() == 0) {
      throw new TypeMismatchException("federated_zip: expected a non-empty struct of federated values, found " + arg,
          null, arg);
    }
    Placement found = null;
    List<StructType.Field> members = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      if (!(s.type(i) instanceof FederatedType f)) {
        throw new TypeMismatchException("federated_zip: element " + i + " of " + arg + " is not federated", null, arg);
      }
      if (found != null && f.placement() != found) {
        throw new TypeMismatchException("federated_zip: all elements must have one placement, found " + arg, null,
            arg);
      }
      found = f.placement();
      members.add(new StructType.Field(s.name(i), f.member()));
    }
    if (found != placement) {
      throw new TypeMismatchException(op + ": the elements are placed at " + found + ", expected " + placement
          + ", in " + arg, null, arg);
    }
    StructType member = new StructType(members);
    return FunctionType.of(arg, placement == Placement.CLIENTS ? FederatedType.atClients(member)
        : FederatedType.atServer(member));
  }

  /** {@code generic_plus}, {@code generic_multiply}, {@code generic_divide}: {@code (<T,U> -> T)}. */
  private static FunctionType generic(IntrinsicDef def, Type arg) {
    String op = def.uri();
    Type[] a = elements(op, arg, "first operand", "second operand");
    nonFederated(op, "first operand", a[0]);
    nonFederated(op, "second operand", a[1]);
    FunctionType concrete = FunctionType.of(StructType.of(a[0], a[1]), a[0]);
    String problem;
    if (def != IntrinsicDef.GENERIC_PLUS) {
      problem = scaling(def == IntrinsicDef.GENERIC_DIVIDE, a[0], a[1]);
    } else if (!a[1].equals(a[0])) {
      problem = "type " + concrete + " is not an instance of the signature " + def.signature();
    } else if (!TypeAnalysis.isStructureOf(a[0], TypeAnalysis::isNumeric)) {
      problem = "the operands must be numeric tensors or structures of them, found " + a[0];
    } else {
      problem = null;
    }
    if (problem != null) {
      throw new TypeMismatchException(op + ": " + problem + (problem.startsWith("type ") ? "" : " (type " + concrete
          + ")"), def.signature(), concrete);
    }
    return concrete;
  }

  /** The violated rule of {@code generic_multiply} or {@code generic_divide}, or null. */
  private static String scaling(boolean floats, Type t, Type u) {
    if (!TypeAnalysis.isStructureOf(t, floats ? TypeAnalysis::isFloat : TypeAnalysis::isNumeric)) {
      return "the first operand must be " + (floats ? "float32" : "numeric") + " tensors or structures of them, found "
          + t;
    }
    if (u.equals(t)) {
      return null;
    }
    if (!TypeAnalysis.isNumericScalar(u)) {
      return "the second operand must have the first's type " + t + " or be a numeric scalar, found " + u;
    }
    DType scalar = ((TensorType) u).dtype();
    return TypeAnalysis.isStructureOf(t, x -> widens(scalar, x.dtype())) ? null
        : "the scalar second operand " + u + " would be cast to the first operand's dtype, losing precision, in " + t
            + "; use a scalar of the first operand's dtype (an integer scalar may scale float32 values)";
  }

  /** Whether a {@code from} scalar converts to {@code to} without loss, as a scalar operand is converted. */
  private static boolean widens(DType from, DType to) {
    return from == to || (from.isInteger() && to == DType.FLOAT32) || (from == DType.INT32 && to == DType.INT64);
  }

  private static FunctionType sequenceReduce(String op, Type arg) {
    Type[] a = elements(op, arg, "sequence", "zero", "op");
    SequenceType st = sequence(op, a[0]);
    nonFederated(op, "zero", a[1]);
    FunctionType ft = function(op, "op", a[2]);
    if (!(ft.parameter() instanceof StructType p) || p.size() != 2 || !p.type(0).equals(ft.result())) {
      throw new TypeMismatchException(op + ": expected op of type (<U,T> -> U), with the same U in its parameter"
          + " and result, found " + ft, null, ft);
    }
    Type u = ft.result();
    if (!p.type(1).isAssignableFrom(st.element())) {
      throw new TypeMismatchException(op + ": op takes elements of type " + p.type(1) + ", but the sequence has"
          + " elements of type " + st.element(), p.type(1), st.element());
    }
    if (!u.isAssignableFrom(a[1])) {
      throw new TypeMismatchException(op + ": expected zero to be assignable to type " + u
          + ", but was of incompatible type " + a[1], u, a[1]);
    }
    return FunctionType.of(StructType.of(SequenceType.of(p.type(1)), u, ft), u);
  }

  // ------------------------------------------------------------------ shared checks, with the roles' names

  /** The elements of a struct argument with one element per role. */
  private static Type[] elements(String op, Type arg, String... roles) {
    if (!(arg instanceof StructType s) || s.size() != roles.length) {
      throw new TypeMismatchException(op + ": expected an argument with " + roles.length + " elements ("
          + String.join(", ", roles) + "), found " + arg, null, arg);
    }
    Type[] out = new Type[roles.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = s.type(i);
    }
    return out;
  }

  private static FederatedType placed(String op, String role, Type t, Placement p) {
    if (t instanceof FederatedType f && f.placement() == p) {
      return f;
    }
    String found = t instanceof FederatedType f ? " (placed at " + f.placement() + ")" : " (not federated)";
    throw new TypeMismatchException(op + ": expected the " + role + " to be a federated value placed at " + p
        + ", found " + t + found, null, t);
  }

  private static FunctionType function(String op, String role, Type t) {
    if (t instanceof FunctionType f) {
      return f;
    }
    throw new TypeMismatchException(op + ": expected " + role + " to be a function, found a value of type " + t, null,
        t);
  }

  private static FunctionType mappingFunction(String op, Type f, Type member) {
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

  private static void nonFederated(String op, String role, Type t) {
    if (TypeAnalysis.contains(t, x -> x instanceof FederatedType)) {
      throw new TypeMismatchException(op + ": expected the " + role + " to be non-federated, found " + t, null, t);
    }
  }
}
