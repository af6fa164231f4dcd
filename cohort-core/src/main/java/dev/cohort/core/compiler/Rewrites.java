package dev.cohort.core.compiler;

import dev.cohort.core.ast.Expr;
import dev.cohort.core.ast.Exprs;
import dev.cohort.core.ast.IntrinsicDef;
import dev.cohort.core.ast.LocalRegistry;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Replaces intrinsics with bodies made of fewer, more basic intrinsics, as TFF's
 * {@code replace_intrinsics_with_bodies} does:
 *
 * <pre>
 * federated_mean(v)                  = federated_weighted_mean(&lt;v, federated_value_at_clients(1.0)&gt;)
 * federated_weighted_mean(&lt;v, w&gt;)     = federated_apply(b -&gt; generic_divide(&lt;b[0], b[1]&gt;),
 *                                        federated_sum(federated_map(a -&gt; &lt;generic_multiply(&lt;a[0], a[1]&gt;), a[1]&gt;,
 *                                                                    federated_zip_at_clients(&lt;v, w&gt;))))
 * federated_sum(x)                   = federated_aggregate(&lt;x, generic_zero, generic_plus, generic_plus, a -&gt; a&gt;)
 * federated_min(x) / federated_max(x) = federated_aggregate(&lt;x, dtype max / min, cohort.minimum / maximum, same,
 *                                        a -&gt; a&gt;)
 * sequence_sum(s)                    = sequence_reduce(&lt;s, generic_zero, generic_plus&gt;)
 * </pre>
 *
 * The in-process runtime computes the original intrinsics with exactly these operations in this order, so the
 * rewritten computation gives the same bits.
 */
final class Rewrites {
  private int counter;

  Expr reduce(Expr root) {
    return Exprs.transformPostorder(root, this::rewrite);
  }

  private Expr rewrite(Expr e) {
    if (!(e instanceof Expr.Call c) || !(c.function() instanceof Expr.Intrinsic i)) {
      return e;
    }
    return switch (i.def()) {
      case FEDERATED_MEAN -> {
        Expr one = intrinsicCall(IntrinsicDef.FEDERATED_VALUE_AT_CLIENTS,
            FunctionType.of(TensorType.FLOAT32, FederatedType.atClients(TensorType.FLOAT32, true)),
            Expr.literal(Tensor.scalar(1f)));
        yield weightedMean(Expr.struct(c.argument(), one));
      }
      case FEDERATED_WEIGHTED_MEAN -> weightedMean(c.argument());
      case FEDERATED_SUM -> sum(c.argument());
      case FEDERATED_MIN, FEDERATED_MAX -> minMax(c.argument(), i.def() == IntrinsicDef.FEDERATED_MIN);
      case SEQUENCE_SUM -> sequenceSum(c.argument());
      case FEDERATED_AGGREGATE, FEDERATED_APPLY, FEDERATED_BROADCAST, FEDERATED_EVAL_AT_CLIENTS,
          FEDERATED_EVAL_AT_SERVER, FEDERATED_MAP, FEDERATED_MAP_ALL_EQUAL, FEDERATED_SECURE_SUM,
          FEDERATED_SECURE_SUM_BITWIDTH, FEDERATED_SECURE_MODULAR_SUM, FEDERATED_SELECT, FEDERATED_SECURE_SELECT,
          FEDERATED_VALUE_AT_CLIENTS, FEDERATED_VALUE_AT_SERVER, FEDERATED_ZIP_AT_CLIENTS, FEDERATED_ZIP_AT_SERVER,
          GENERIC_PLUS, GENERIC_MULTIPLY, GENERIC_DIVIDE, GENERIC_ZERO, SEQUENCE_MAP, SEQUENCE_REDUCE -> e;
    };
  }

  private Expr weightedMean(Expr arg) {
    StructType argType = (StructType) arg.type();
    Type t = ((FederatedType) argType.type(0)).member();
    Type u = ((FederatedType) argType.type(1)).member();
    StructType pair = StructType.of(t, u);
    Expr zipped = intrinsicCall(IntrinsicDef.FEDERATED_ZIP_AT_CLIENTS, FunctionType.of(argType,
        FederatedType.atClients(pair)), arg);
    String a = fresh();
    Expr.Reference ra = new Expr.Reference(a, pair);
    Expr product = intrinsicCall(IntrinsicDef.GENERIC_MULTIPLY, FunctionType.of(pair, t),
        Expr.struct(Expr.select(ra, 0), Expr.select(ra, 1)));
    Expr multiply = Expr.lambda(a, pair, Expr.struct(product, Expr.select(ra, 1)));
    Expr mapped = intrinsicCall(IntrinsicDef.FEDERATED_MAP, FunctionType.of(
        StructType.of(multiply.type(), FederatedType.atClients(pair)), FederatedType.atClients(pair)),
        Expr.struct(multiply, zipped));
    Expr summed = sum(mapped);
    String b = fresh();
    Expr.Reference rb = new Expr.Reference(b, pair);
    Expr divide = Expr.lambda(b, pair, intrinsicCall(IntrinsicDef.GENERIC_DIVIDE, FunctionType.of(pair, t),
        Expr.struct(Expr.select(rb, 0), Expr.select(rb, 1))));
    return intrinsicCall(IntrinsicDef.FEDERATED_APPLY, FunctionType.of(
        StructType.of(divide.type(), FederatedType.atServer(pair)), FederatedType.atServer(t)),
        Expr.struct(divide, summed));
  }

  private Expr sum(Expr x) {
    Type t = ((FederatedType) x.type()).member();
    requireFullyDefined(t, "federated_sum");
    Expr plus = Expr.intrinsic(IntrinsicDef.GENERIC_PLUS, FunctionType.of(StructType.of(t, t), t));
    return aggregate(x, t, Expr.intrinsic(IntrinsicDef.GENERIC_ZERO, t), plus);
  }

  private Expr minMax(Expr x, boolean min) {
    Type t = ((FederatedType) x.type()).member();
    requireFullyDefined(t, min ? "federated_min" : "federated_max");
    Expr op = Expr.local(min ? LocalRegistry.MINIMUM : LocalRegistry.MAXIMUM, FunctionType.of(StructType.of(t, t), t),
        Struct.empty());
    return aggregate(x, t, limits(t, min), op);
  }

  private Expr aggregate(Expr x, Type t, Expr zero, Expr op) {
    String a = fresh();
    Expr identity = Expr.lambda(a, t, new Expr.Reference(a, t));
    FunctionType type = FunctionType.of(StructType.of(FederatedType.atClients(t), t, op.type(), op.type(),
        identity.type()), FederatedType.atServer(t));
    return intrinsicCall(IntrinsicDef.FEDERATED_AGGREGATE, type, Expr.struct(x, zero, op, op, identity));
  }

  private Expr sequenceSum(Expr s) {
    Type t = ((SequenceType) s.type()).element();
    requireFullyDefined(t, "sequence_sum");
    Expr plus = Expr.intrinsic(IntrinsicDef.GENERIC_PLUS, FunctionType.of(StructType.of(t, t), t));
    return intrinsicCall(IntrinsicDef.SEQUENCE_REDUCE, FunctionType.of(StructType.of(s.type(), t, plus.type()), t),
        Expr.struct(s, Expr.intrinsic(IntrinsicDef.GENERIC_ZERO, t), plus));
  }

  /** Literals of each dtype's largest (for min) or smallest (for max) finite value, as TFF's seeds. */
  private static Expr limits(Type t, boolean largest) {
    if (t instanceof TensorType tt) {
      return Expr.literal(tt.limit(largest));
    }
    StructType s = (StructType) t;
    List<Expr.Element> elements = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      elements.add(new Expr.Element(s.name(i), limits(s.type(i), largest)));
    }
    return Expr.struct(elements);
  }

  private static void requireFullyDefined(Type t, String intrinsic) {
    if (t instanceof TensorType tt && !tt.isFullyDefined()) {
      throw new CompilerException(intrinsic + " over " + tt + " cannot be rewritten to federated_aggregate: its zero"
          + " needs a fully known shape");
    }
    for (Type child : t.children()) {
      requireFullyDefined(child, intrinsic);
    }
  }

  private static Expr intrinsicCall(IntrinsicDef def, FunctionType type, Expr arg) {
    return Expr.call(Expr.intrinsic(def, type), arg);
  }

  private String fresh() {
    return "_rw" + (++counter);
  }
}
