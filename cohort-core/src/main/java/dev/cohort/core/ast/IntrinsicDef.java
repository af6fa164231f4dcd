package dev.cohort.core.ast;

import dev.cohort.core.types.AbstractType;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalogue of TFF's intrinsics: each constant has the URI TFF uses, its polymorphic signature over
 * {@link AbstractType}s (TFF's table in its notation), and its kind. An {@code Intrinsic} node in a computation
 * holds one of these with a concrete type, which {@link #checkInstance(Type)} accepts only if it instantiates the
 * signature consistently and meets the intrinsic's extra rules (numeric members for sums, float members for means,
 * integer members and bounds for secure sums, ...).
 *
 * <p>Two deliberate extensions of TFF's signatures: {@link #GENERIC_MULTIPLY} and {@link #GENERIC_DIVIDE} are typed
 * {@code (<T,U> -> T)}, where {@code U} is {@code T} or a numeric scalar that is broadcast over {@code T} (what
 * TFF's implementation does by upcasting), so that a weighted mean can be written with them. The scalar must convert
 * to {@code T}'s dtypes without loss: an int32 value times a float32 scalar is a type error, not a silent
 * truncation of the scalar.
 */
public enum IntrinsicDef {
  /** {@code (<{T}@CLIENTS,U,(<U,T> -> U),(<U,U> -> U),(U -> R)> -> R@SERVER)}: zero, accumulate, merge, report. */
  FEDERATED_AGGREGATE("federated_aggregate",
      "(<{T}@CLIENTS,U,(<U,T> -> U),(<U,U> -> U),(U -> R)> -> R@SERVER)", Kind.AGGREGATION, false),
  /** {@code (<(T -> U),T@SERVER> -> U@SERVER)}. */
  FEDERATED_APPLY("federated_apply", "(<(T -> U),T@SERVER> -> U@SERVER)", Kind.PLAIN, false),
  /** {@code (T@SERVER -> T@CLIENTS)}. */
  FEDERATED_BROADCAST("federated_broadcast", "(T@SERVER -> T@CLIENTS)", Kind.BROADCAST, false),
  /** {@code (( -> T) -> {T}@CLIENTS)}: the function is evaluated once per client. */
  FEDERATED_EVAL_AT_CLIENTS("federated_eval_at_clients", "(( -> T) -> {T}@CLIENTS)", Kind.PLAIN, false),
  /** {@code (( -> T) -> T@SERVER)}. */
  FEDERATED_EVAL_AT_SERVER("federated_eval_at_server", "(( -> T) -> T@SERVER)", Kind.PLAIN, false),
  /** {@code (<(T -> U),{T}@CLIENTS> -> {U}@CLIENTS)}. */
  FEDERATED_MAP("federated_map", "(<(T -> U),{T}@CLIENTS> -> {U}@CLIENTS)", Kind.PLAIN, false),
  /** {@code (<(T -> U),T@CLIENTS> -> U@CLIENTS)}. */
  FEDERATED_MAP_ALL_EQUAL("federated_map_all_equal", "(<(T -> U),T@CLIENTS> -> U@CLIENTS)", Kind.PLAIN, false),
  /** {@code ({T}@CLIENTS -> T@SERVER)}, float members. */
  FEDERATED_MEAN("federated_mean", "({T}@CLIENTS -> T@SERVER)", Kind.AGGREGATION, false),
  /** {@code (<{T}@CLIENTS,{U}@CLIENTS> -> T@SERVER)}: sum(w*v)/sum(w), float members, numeric scalar weight. */
  FEDERATED_WEIGHTED_MEAN("federated_weighted_mean", "(<{T}@CLIENTS,{U}@CLIENTS> -> T@SERVER)", Kind.AGGREGATION,
      false),
  /** {@code ({T}@CLIENTS -> T@SERVER)}, element-wise minimum of numeric members. */
  FEDERATED_MIN("federated_min", "({T}@CLIENTS -> T@SERVER)", Kind.AGGREGATION, false),
  /** {@code ({T}@CLIENTS -> T@SERVER)}, element-wise maximum of numeric members. */
  FEDERATED_MAX("federated_max", "({T}@CLIENTS -> T@SERVER)", Kind.AGGREGATION, false),
  /** {@code ({T}@CLIENTS -> T@SERVER)}, numeric members. */
  FEDERATED_SUM("federated_sum", "({T}@CLIENTS -> T@SERVER)", Kind.AGGREGATION, false),
  /** {@code (<{V}@CLIENTS,M> -> V@SERVER)}: integer members, each in {@code [0, max_input]}. */
  FEDERATED_SECURE_SUM("federated_secure_sum", "(<{V}@CLIENTS,M> -> V@SERVER)", Kind.AGGREGATION, true),
  /** {@code (<{V}@CLIENTS,B> -> V@SERVER)}: integer members, each in {@code [0, 2^bitwidth - 1]}. */
  FEDERATED_SECURE_SUM_BITWIDTH("federated_secure_sum_bitwidth", "(<{V}@CLIENTS,B> -> V@SERVER)", Kind.AGGREGATION,
      true),
  /** {@code (<{V}@CLIENTS,M> -> V@SERVER)}: the sum modulo {@code modulus} of integer members. */
  FEDERATED_SECURE_MODULAR_SUM("federated_secure_modular_sum", "(<{V}@CLIENTS,M> -> V@SERVER)", Kind.AGGREGATION,
      true),
  /** {@code (<{Ks}@CLIENTS,int32@SERVER,T@SERVER,(<T,int32> -> U)> -> {U*}@CLIENTS)}. */
  FEDERATED_SELECT("federated_select", "(<{Ks}@CLIENTS,int32@SERVER,T@SERVER,(<T,int32> -> U)> -> {U*}@CLIENTS)",
      Kind.BROADCAST, false),
  /** Same type as {@link #FEDERATED_SELECT}. */
  FEDERATED_SECURE_SELECT("federated_secure_select",
      "(<{Ks}@CLIENTS,int32@SERVER,T@SERVER,(<T,int32> -> U)> -> {U*}@CLIENTS)", Kind.BROADCAST, true),
  /** {@code (T -> T@CLIENTS)}. */
  FEDERATED_VALUE_AT_CLIENTS("federated_value_at_clients", "(T -> T@CLIENTS)", Kind.PLAIN, false),
  /** {@code (T -> T@SERVER)}. */
  FEDERATED_VALUE_AT_SERVER("federated_value_at_server", "(T -> T@SERVER)", Kind.PLAIN, false),
  /** {@code (T -> {U}@CLIENTS)}: a struct of CLIENTS values becomes a CLIENTS value of structs. */
  FEDERATED_ZIP_AT_CLIENTS("federated_zip_at_clients", "(T -> {U}@CLIENTS)", Kind.PLAIN, false),
  /** {@code (T -> U@SERVER)}: a struct of SERVER values becomes a SERVER value of a struct. */
  FEDERATED_ZIP_AT_SERVER("federated_zip_at_server", "(T -> U@SERVER)", Kind.PLAIN, false),
  /** {@code (<T,T> -> T)}, numeric. */
  GENERIC_PLUS("generic_plus", "(<T,T> -> T)", Kind.PLAIN, false),
  /**
   * {@code (<T,U> -> T)}, numeric; {@code U} is {@code T} or a numeric scalar that converts to every dtype of
   * {@code T} without loss (the same dtype, an integer onto float32, int32 onto int64).
   */
  GENERIC_MULTIPLY("generic_multiply", "(<T,U> -> T)", Kind.PLAIN, false),
  /**
   * {@code (<T,U> -> T)}, float32; {@code U} is {@code T} or a numeric scalar (float32, or an integer converted to
   * float32); computed as {@code x * (1/y)}.
   */
  GENERIC_DIVIDE("generic_divide", "(<T,U> -> T)", Kind.PLAIN, false),
  /** {@code T}: the zero of a numeric type with fully known shapes. */
  GENERIC_ZERO("generic_zero", "T", Kind.PLAIN, false),
  /** {@code (<(T -> U),T*> -> U*)}. */
  SEQUENCE_MAP("sequence_map", "(<(T -> U),T*> -> U*)", Kind.PLAIN, false),
  /** {@code (<T*,U,(<U,T> -> U)> -> U)}. */
  SEQUENCE_REDUCE("sequence_reduce", "(<T*,U,(<U,T> -> U)> -> U)", Kind.PLAIN, false),
  /** {@code (T* -> T)}, numeric. */
  SEQUENCE_SUM("sequence_sum", "(T* -> T)", Kind.PLAIN, false);

  /** How an intrinsic moves data between placements. */
  public enum Kind {
    /** No communication, or only placement changes that a runtime does locally. */
    PLAIN,
    /** CLIENTS to SERVER. */
    AGGREGATION,
    /** SERVER to CLIENTS. */
    BROADCAST
  }

  private final String uri;
  private final Type signature;
  private final Kind kind;
  private final boolean secure;

  IntrinsicDef(String uri, String signature, Kind kind, boolean secure) {
    this.uri = uri;
    this.signature = Type.parse(signature);
    this.kind = kind;
    this.secure = secure;
  }

  /** TFF's URI, e.g. {@code federated_mean}. */
  public String uri() {
    return uri;
  }

  /** The polymorphic signature over abstract types. */
  public Type signature() {
    return signature;
  }

  /** Aggregation, broadcast, or neither. */
  public Kind kind() {
    return kind;
  }

  /**
   * Whether the intrinsic must run with secure aggregation (or secure broadcast) in a deployment; the in-process
   * runtime computes its exact result (with its bounds checks) in the clear.
   */
  public boolean isSecure() {
    return secure;
  }

  /** The intrinsic whose URI is {@code uri}. */
  public static IntrinsicDef fromUri(String uri) {
    for (IntrinsicDef d : values()) {
      if (d.uri.equals(uri)) {
        return d;
      }
    }
    throw new IllegalArgumentException("unknown intrinsic uri '" + uri + "'");
  }

  @Override
  public String toString() {
    return uri;
  }

  /**
   * Checks that {@code concrete} instantiates this intrinsic's signature (each abstract label bound to one type)
   * and meets its extra rules.
   *
   * @throws TypeMismatchException naming the intrinsic, its signature and the concrete type
   */
  public void checkInstance(Type concrete) {
    Map<String, Type> bindings = new HashMap<>();
    if (!match(signature, concrete, bindings)) {
      throw new TypeMismatchException(uri + ": type " + concrete + " is not an instance of the signature " + signature,
          signature, concrete);
    }
    String problem = constraint(bindings, concrete);
    if (problem != null) {
      throw new TypeMismatchException(uri + ": " + problem + " (type " + concrete + ")", signature, concrete);
    }
  }

  private static boolean match(Type sig, Type t, Map<String, Type> b) {
    if (sig instanceof AbstractType a) {
      Type bound = b.putIfAbsent(a.label(), t);
      return bound == null || bound.equals(t);
    } else if (sig instanceof StructType s) {
      if (!(t instanceof StructType ts) || ts.size() != s.size()) {
        return false;
      }
      for (int i = 0; i < s.size(); i++) {
        if (s.name(i) != null && !s.name(i).equals(ts.name(i))) {
          return false;
        }
        if (!match(s.type(i), ts.type(i), b)) {
          return false;
        }
      }
      return true;
    } else if (sig instanceof SequenceType s) {
      return t instanceof SequenceType ts && match(s.element(), ts.element(), b);
    } else if (sig instanceof FunctionType f) {
      if (!(t instanceof FunctionType tf) || (f.parameter() == null) != (tf.parameter() == null)) {
        return false;
      }
      return (f.parameter() == null || match(f.parameter(), tf.parameter(), b)) && match(f.result(), tf.result(), b);
    } else if (sig instanceof FederatedType f) {
      return t instanceof FederatedType tf && tf.placement() == f.placement() && tf.allEqual() == f.allEqual()
          && match(f.member(), tf.member(), b);
    }
    return sig.equals(t);
  }

  /** The violated extra rule, or null. */
  private String constraint(Map<String, Type> b, Type concrete) {
    switch (this) {
      case FEDERATED_MEAN:
        return TypeAnalysis.isStructureOf(b.get("T"), TypeAnalysis::isFloat) ? null
            : "the members must be float32 tensors or structures of them, found " + b.get("T");
      case FEDERATED_WEIGHTED_MEAN:
        if (!TypeAnalysis.isStructureOf(b.get("T"), TypeAnalysis::isFloat)) {
          return "the members must be float32 tensors or structures of them, found " + b.get("T");
        }
        return TypeAnalysis.isNumericScalar(b.get("U")) ? null
            : "the weight must be a numeric scalar (float32, int32 or int64), found " + b.get("U");
      case FEDERATED_MIN:
      case FEDERATED_MAX:
      case FEDERATED_SUM:
      case GENERIC_PLUS:
      case SEQUENCE_SUM:
        return TypeAnalysis.isStructureOf(b.get("T"), TypeAnalysis::isNumeric) ? null
            : "the operands must be numeric tensors or structures of them, found " + b.get("T");
      case FEDERATED_SECURE_SUM:
      case FEDERATED_SECURE_SUM_BITWIDTH:
      case FEDERATED_SECURE_MODULAR_SUM:
        return secureSumConstraint(b.get("V"), this == FEDERATED_SECURE_SUM ? b.get("M")
            : this == FEDERATED_SECURE_MODULAR_SUM ? b.get("M") : b.get("B"));
      case FEDERATED_SELECT:
      case FEDERATED_SECURE_SELECT:
        Type ks = b.get("Ks");
        if (!(ks instanceof TensorType k) || k.dtype() != DType.INT32 || k.rank() != 1 || !k.isFullyDefined()) {
          return "the client keys must be a rank-1 int32 tensor of known length, found " + ks;
        }
        return null;
      case FEDERATED_ZIP_AT_CLIENTS:
      case FEDERATED_ZIP_AT_SERVER:
        return zipConstraint(b.get("T"), b.get("U"), this == FEDERATED_ZIP_AT_CLIENTS ? Placement.CLIENTS
            : Placement.SERVER);
      case GENERIC_MULTIPLY:
      case GENERIC_DIVIDE:
        boolean floats = this == GENERIC_DIVIDE;
        if (!TypeAnalysis.isStructureOf(b.get("T"), floats ? TypeAnalysis::isFloat : TypeAnalysis::isNumeric)) {
          return "the first operand must be " + (floats ? "float32" : "numeric")
              + " tensors or structures of them, found " + b.get("T");
        }
        Type u = b.get("U");
        if (u.equals(b.get("T"))) {
          return null;
        }
        if (!TypeAnalysis.isNumericScalar(u)) {
          return "the second operand must have the first's type " + b.get("T") + " or be a numeric scalar, found " + u;
        }
        DType scalar = ((TensorType) u).dtype();
        return TypeAnalysis.isStructureOf(b.get("T"), t -> widens(scalar, t.dtype())) ? null
            : "the scalar second operand " + u + " would be cast to the first operand's dtype, losing precision, in "
                + b.get("T") + "; use a scalar of the first operand's dtype (an integer scalar may scale float32"
                + " values)";
      case GENERIC_ZERO:
        return TypeAnalysis.isStructureOf(concrete, t -> t.dtype().isNumeric() && t.isFullyDefined()) ? null
            : "the zero must be of numeric tensors with fully known shapes, found " + concrete;
      default:
        return null;
    }
  }

  /** Whether a {@code from} scalar converts to {@code to} without loss, as a scalar operand is converted. */
  private static boolean widens(DType from, DType to) {
    return from == to || (from.isInteger() && to == DType.FLOAT32) || (from == DType.INT32 && to == DType.INT64);
  }

  private static String secureSumConstraint(Type value, Type bound) {
    if (!TypeAnalysis.isStructureOf(value, TypeAnalysis::isInteger)) {
      return "the members must be int32 or int64 tensors or structures of them, found " + value;
    }
    if (isIntegerScalar(bound) || matchesWithIntegerScalars(value, bound)) {
      return null;
    }
    return "the bound must be an integer scalar or a structure matching " + value + " with one integer scalar per"
        + " tensor, found " + bound;
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

  private static String zipConstraint(Type arg, Type result, Placement placement) {
    if (!(arg instanceof StructType s)) {
      return "the argument must be a struct of " + placement + " values, found " + arg;
    }
    List<StructType.Field> members = new java.util.ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      if (!(s.type(i) instanceof FederatedType f) || f.placement() != placement) {
        return "element " + i + " of the argument must be placed at " + placement + ", found " + s.type(i);
      }
      members.add(new StructType.Field(s.name(i), f.member()));
    }
    StructType expected = new StructType(members);
    return expected.equals(result) ? null : "the zipped member type must be " + expected + ", found " + result;
  }
}
