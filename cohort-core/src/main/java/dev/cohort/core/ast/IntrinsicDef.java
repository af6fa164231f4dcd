package dev.cohort.core.ast;

import dev.cohort.core.types.AbstractType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeMismatchException;

/**
 * The catalogue of TFF's intrinsics: each constant has the URI TFF uses, its polymorphic signature over
 * {@link AbstractType}s (TFF's table in its notation), and its kind. An {@code Intrinsic} node in a computation
 * holds one of these with a concrete type. Each intrinsic's typing rule lives once, in {@link #instantiate}: given
 * the argument's type it computes the concrete type or says what is wrong (numeric members for sums, float members
 * for means, integer members and bounds for secure sums, ...), in the messages users see whether a tree was traced,
 * loaded or compiled; {@link #checkInstance} applies the same rule to a concrete type.
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
   * The concrete type of this intrinsic applied to an argument of type {@code argument}: the typing rule, written
   * once for tracing, loading and compiling. For example {@code federated_mean} applied to {@code {float32}@CLIENTS}
   * is {@code ({float32}@CLIENTS -> float32@SERVER)}. The argument must be assignable to the returned type's
   * parameter (a function's declared parameter may be wider than the members it maps, for instance).
   *
   * @throws TypeMismatchException naming the intrinsic, the argument's role (TFF's parameter names), what was
   *     expected and what was found
   */
  public FunctionType instantiate(Type argument) {
    return IntrinsicRules.instantiate(this, argument);
  }

  /**
   * Checks that {@code concrete} is a type this intrinsic can have: the instance its own parameter determines
   * ({@link #instantiate}), or for {@link #GENERIC_ZERO}, a structure of numeric tensors of known shape.
   *
   * @throws TypeMismatchException with the messages of {@link #instantiate}, or naming the expected and the found
   *     type when the parameter fits but the declared result does not
   */
  public void checkInstance(Type concrete) {
    if (this == GENERIC_ZERO) {
      IntrinsicRules.checkZero(concrete);
      return;
    }
    if (!(concrete instanceof FunctionType f) || f.parameter() == null) {
      throw new TypeMismatchException(uri + ": type " + concrete + " is not an instance of the signature " + signature,
          signature, concrete);
    }
    FunctionType expected = instantiate(f.parameter());
    if (!expected.equals(f)) {
      throw new TypeMismatchException(uri + ": type " + concrete + " is not an instance of the signature " + signature
          + "; its parameter determines " + expected, expected, concrete);
    }
  }
}
