package dev.cohort.core.runtime;

import dev.cohort.core.ast.IntrinsicDef;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.List;

/**
 * One call of an aggregation intrinsic split into the three parts a {@link ClientExecutor#fold} runs, so that one
 * fold can drive several aggregations (see {@link Fusion}): the client-side {@link #contribution} (on a worker
 * thread: multiplying by the weight, checking a secure sum's bound), the ordered {@link #accumulate} (on the calling
 * thread, in client order) and {@link #finish}. An instance holds the accumulator of one call and is used once.
 *
 * <p>float32 sums and means are computed exactly as their rewrites to {@code federated_aggregate} compute them (zero,
 * then one float32 addition per client, then a multiplication by the float32 reciprocal of the total weight), so the
 * direct and the compiled forms agree bit for bit. A mean whose total weight is 0 (no clients, or weights summing to
 * 0) fails instead of returning NaN, as a division by 0 in {@code generic_divide} does.
 */
abstract sealed class Aggregation {
  /** The intrinsic's URI, the stage failures are reported against. */
  final String op;

  private Aggregation(String op) {
    this.op = op;
  }

  /**
   * Client side: the contribution of one client from its {@code value} and, for the weighted mean, its
   * {@code weight} (null otherwise). Runs on a worker thread and must not touch the accumulator.
   */
  abstract Object contribution(Object value, Object weight);

  /** Folds one contribution into the accumulator; called on the calling thread, in client order. */
  abstract void accumulate(Object contribution);

  /** The result at SERVER once every one of {@code clients} clients has been accumulated. */
  abstract FederatedValue finish(int clients);

  /**
   * How the argument of {@code def} holds its CLIENTS operands: 0 when the argument itself is the one operand
   * ({@code federated_sum}), k when they are the first k elements of the argument struct (the value, then the weight
   * of {@code federated_weighted_mean}) and the other elements are plain arguments, -1 if {@code def} is not an
   * aggregation.
   */
  static int clientOperands(IntrinsicDef def) {
    return switch (def) {
      case FEDERATED_SUM, FEDERATED_MEAN, FEDERATED_MIN, FEDERATED_MAX -> 0;
      case FEDERATED_AGGREGATE, FEDERATED_SECURE_SUM, FEDERATED_SECURE_SUM_BITWIDTH,
          FEDERATED_SECURE_MODULAR_SUM -> 1;
      case FEDERATED_WEIGHTED_MEAN -> 2;
      case GENERIC_ZERO, FEDERATED_APPLY, FEDERATED_BROADCAST, FEDERATED_EVAL_AT_CLIENTS, FEDERATED_EVAL_AT_SERVER,
          FEDERATED_MAP, FEDERATED_MAP_ALL_EQUAL, FEDERATED_SELECT, FEDERATED_SECURE_SELECT,
          FEDERATED_VALUE_AT_CLIENTS, FEDERATED_VALUE_AT_SERVER, FEDERATED_ZIP_AT_CLIENTS, FEDERATED_ZIP_AT_SERVER,
          GENERIC_PLUS, GENERIC_MULTIPLY, GENERIC_DIVIDE, SEQUENCE_MAP, SEQUENCE_REDUCE, SEQUENCE_SUM -> -1;
    };
  }

  /**
   * A call of the aggregation {@code def} of intrinsic type {@code type}, given the plain (non-CLIENTS) elements of
   * its argument: a secure sum's bound; an aggregate's zero, accumulate, merge and report. A bound out of range fails
   * here, before any client runs.
   */
  static Aggregation create(IntrinsicDef def, Type type, List<Object> others, Interpreter in) {
    String op = def.uri();
    Type member = ((FederatedType) ((FunctionType) type).result()).member();
    return switch (def) {
      case FEDERATED_SUM -> new SumOf(op, member);
      case FEDERATED_MEAN -> new Mean(op, member, false);
      case FEDERATED_WEIGHTED_MEAN -> new Mean(op, member, true);
      case FEDERATED_MIN -> new MinMax(op, member, true);
      case FEDERATED_MAX -> new MinMax(op, member, false);
      case FEDERATED_AGGREGATE -> new Aggregate(op, others.get(0), in.toFn(others.get(1)), in.toFn(others.get(3)));
      case FEDERATED_SECURE_SUM, FEDERATED_SECURE_SUM_BITWIDTH, FEDERATED_SECURE_MODULAR_SUM ->
          new SecureSum(def, others.get(0), member);
      case GENERIC_ZERO, FEDERATED_APPLY, FEDERATED_BROADCAST, FEDERATED_EVAL_AT_CLIENTS, FEDERATED_EVAL_AT_SERVER,
          FEDERATED_MAP, FEDERATED_MAP_ALL_EQUAL, FEDERATED_SELECT, FEDERATED_SECURE_SELECT,
          FEDERATED_VALUE_AT_CLIENTS, FEDERATED_VALUE_AT_SERVER, FEDERATED_ZIP_AT_CLIENTS, FEDERATED_ZIP_AT_SERVER,
          GENERIC_PLUS, GENERIC_MULTIPLY, GENERIC_DIVIDE, SEQUENCE_MAP, SEQUENCE_REDUCE, SEQUENCE_SUM ->
          throw new IllegalStateException("internal: " + op + " is not an aggregation");
    };
  }

  /** Fails unless a weighted mean's value ({@code values} clients) and weight ({@code weights}) have as many. */
  static void checkWeightClients(String op, int values, int weights) {
    if (weights != values) {
      throw new IllegalArgumentException(op + ": the value has " + values + " clients but the weight has " + weights);
    }
  }

  /** The running sum of a fold: null until the first member arrives, then a value the fold owns. */
  private static final class Sum {
    Object total;

    void add(Object v) {
      total = Arith.addInto(total == null ? Arith.fillLike(v, 0) : total, v);
    }

    /** Adds {@code v * w} (a weighted mean's contribution) without a temporary where it can (same bits). */
    void addScaled(Object v, Object w) {
      total = Arith.addScaledInto(total == null ? Arith.fillLike(v, 0) : total, v, w);
    }

    Object orZero(Type member) {
      return total == null ? Arith.zero(member) : total;
    }
  }

  /** {@code federated_sum}: the members added in client order to a zero of their type. */
  private static final class SumOf extends Aggregation {
    private final Type member;
    private final Sum sum = new Sum();

    SumOf(String op, Type member) {
      super(op);
      this.member = member;
    }

    @Override
    Object contribution(Object value, Object weight) {
      return value;
    }

    @Override
    void accumulate(Object contribution) {
      sum.add(contribution);
    }

    @Override
    FederatedValue finish(int clients) {
      return FederatedValue.atServer(sum.orZero(member));
    }
  }

  /** Mean at SERVER, weighted by each client's weight or, unweighted, by 1.0 (float32) per client. */
  private static final class Mean extends Aggregation {
    private final Type member;
    private final boolean weighted;
    private final Sum sum = new Sum();
    private Object weight;
    private float count;

    Mean(String op, Type member, boolean weighted) {
      super(op);
      this.member = member;
      this.weighted = weighted;
    }

    /** The value and its weight: the product is formed as it is accumulated, which saves a copy of the value. */
    @Override
    Object contribution(Object value, Object w) {
      return weighted ? Struct.of(value, w) : value;
    }

    @Override
    void accumulate(Object contribution) {
      if (weighted) {
        Struct c = (Struct) contribution;
        sum.addScaled(c.get(0), c.get(1));
        Object w = c.get(1);
        weight = Arith.plus(weight == null ? Arith.fillLike(w, 0) : weight, w);
      } else {
        sum.add(contribution);
        count += 1f;
      }
    }

    @Override
    FederatedValue finish(int clients) {
      Tensor total = !weighted ? Tensor.scalar(count) : weight == null ? Tensor.scalar(0f) : (Tensor) weight;
      if (total.getDouble() == 0) {
        throw new ArithmeticException(op + ": the total weight is 0 (over " + clients + " client"
            + (clients == 1 ? "" : "s") + "), so the mean is undefined");
      }
      return FederatedValue.atServer(Arith.divide(sum.orZero(member), total));
    }
  }

  /** {@code federated_min} / {@code federated_max}, element-wise from the dtype's extreme. */
  private static final class MinMax extends Aggregation {
    private final Type member;
    private final boolean min;
    private Object acc;

    MinMax(String op, Type member, boolean min) {
      super(op);
      this.member = member;
      this.min = min;
    }

    @Override
    Object contribution(Object value, Object weight) {
      return value;
    }

    @Override
    void accumulate(Object v) {
      Object cur = acc == null ? Arith.fillLike(v, min ? 1 : -1) : acc;
      acc = min ? Arith.minimum(cur, v) : Arith.maximum(cur, v);
    }

    @Override
    FederatedValue finish(int clients) {
      return FederatedValue.atServer(acc == null ? Arith.fill(member, min ? 1 : -1) : acc);
    }
  }

  /** {@code federated_aggregate}: the user's accumulate from the zero in client order, then report. */
  private static final class Aggregate extends Aggregation {
    private final Fn accumulate;
    private final Fn report;
    private Object total;

    Aggregate(String op, Object zero, Fn accumulate, Fn report) {
      super(op);
      this.total = zero;
      this.accumulate = accumulate;
      this.report = report;
    }

    @Override
    Object contribution(Object value, Object weight) {
      return value;
    }

    @Override
    void accumulate(Object member) {
      total = accumulate.apply(Struct.of(total, member));
    }

    @Override
    FederatedValue finish(int clients) {
      return FederatedValue.atServer(report.apply(total));
    }
  }

  /** The three secure sums, in the clear ({@link SecureSums}). */
  private static final class SecureSum extends Aggregation {
    private final SecureSums sums;

    SecureSum(IntrinsicDef def, Object bound, Type member) {
      super(def.uri());
      this.sums = new SecureSums(def, bound, member);
    }

    @Override
    Object contribution(Object value, Object weight) {
      sums.check(value);
      return value;
    }

    @Override
    void accumulate(Object value) {
      sums.add(value);
    }

    @Override
    FederatedValue finish(int clients) {
      return FederatedValue.atServer(sums.result());
    }
  }
}
