package dev.cohort.core.runtime;

import dev.cohort.core.ast.IntrinsicDef;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The in-process semantics of each intrinsic. Aggregations fold client results in client order; the per-client
 * parts (mapping, multiplying by weights, checking secure-sum bounds) run inside the client tasks, in parallel.
 * float32 sums and means are computed exactly as their rewrites to {@code federated_aggregate} compute them (zero,
 * then one float32 addition per client, then a multiplication by the float32 reciprocal of the total weight), so the
 * direct and the compiled forms agree bit for bit. A mean whose total weight is 0 (no clients, or weights summing to
 * 0) fails instead of returning NaN, as a division by 0 in {@code generic_divide} does.
 */
final class IntrinsicRuntime {
  private IntrinsicRuntime() {}

  /**
   * The runtime value of an intrinsic node of {@code type}: a function for every intrinsic but {@code generic_zero},
   * which is the zero itself. The switch lists every intrinsic, so a new one does not compile until it has a runtime.
   */
  static Object evaluate(IntrinsicDef def, Type type, Interpreter in) {
    String op = def.uri();
    return switch (def) {
      case GENERIC_ZERO -> Arith.zero(type);
      case FEDERATED_AGGREGATE -> (Fn) arg -> {
        Struct a = (Struct) arg;
        FederatedValue v = (FederatedValue) a.get(0);
        Fn accumulate = in.toFn(a.get(2));
        Fn report = in.toFn(a.get(4));
        Object total = in.executor().fold(op, in.clientsOf(v, op), v::member, a.get(1),
            (u, m) -> accumulate.apply(Struct.of(u, m)));
        return FederatedValue.atServer(report.apply(total));
      };
      case FEDERATED_APPLY -> (Fn) arg -> {
        Struct a = (Struct) arg;
        return FederatedValue.atServer(in.toFn(a.get(0)).apply(((FederatedValue) a.get(1)).value()));
      };
      case FEDERATED_BROADCAST -> (Fn) arg -> FederatedValue.allEqualAtClients(((FederatedValue) arg).value());
      case FEDERATED_EVAL_AT_CLIENTS -> (Fn) arg -> {
        Fn f = in.toFn(arg);
        return FederatedValue.atClients(op, in.clients(op), i -> f.apply(null));
      };
      case FEDERATED_EVAL_AT_SERVER -> (Fn) arg -> FederatedValue.atServer(in.toFn(arg).apply(null));
      case FEDERATED_MAP -> (Fn) arg -> {
        Struct a = (Struct) arg;
        Fn f = in.toFn(a.get(0));
        FederatedValue v = (FederatedValue) a.get(1);
        return FederatedValue.atClients(op, in.clientsOf(v, op), i -> f.apply(v.member(i)));
      };
      case FEDERATED_MAP_ALL_EQUAL -> (Fn) arg -> {
        Struct a = (Struct) arg;
        return FederatedValue.allEqualAtClients(in.toFn(a.get(0)).apply(((FederatedValue) a.get(1)).value()));
      };
      case FEDERATED_MEAN -> (Fn) arg -> mean(op, (FederatedValue) arg, null, resultMember(type), in);
      case FEDERATED_WEIGHTED_MEAN -> (Fn) arg -> {
        Struct a = (Struct) arg;
        return mean(op, (FederatedValue) a.get(0), (FederatedValue) a.get(1), resultMember(type), in);
      };
      case FEDERATED_SUM -> (Fn) arg -> sum(op, (FederatedValue) arg, resultMember(type), in);
      case FEDERATED_MIN, FEDERATED_MAX -> (Fn) arg ->
          minMax(op, (FederatedValue) arg, def == IntrinsicDef.FEDERATED_MIN, resultMember(type), in);
      case FEDERATED_SECURE_SUM, FEDERATED_SECURE_SUM_BITWIDTH, FEDERATED_SECURE_MODULAR_SUM -> (Fn) arg -> {
        Struct a = (Struct) arg;
        return SecureSums.sum(def, (FederatedValue) a.get(0), a.get(1), resultMember(type), in);
      };
      case FEDERATED_SELECT, FEDERATED_SECURE_SELECT -> (Fn) arg -> select(op, (Struct) arg, in);
      case FEDERATED_VALUE_AT_CLIENTS -> (Fn) FederatedValue::allEqualAtClients;
      case FEDERATED_VALUE_AT_SERVER -> (Fn) FederatedValue::atServer;
      case FEDERATED_ZIP_AT_CLIENTS -> (Fn) arg -> zipAtClients(op, (Struct) arg, in);
      case FEDERATED_ZIP_AT_SERVER -> (Fn) arg -> {
        Struct s = (Struct) arg;
        List<Object> values = new ArrayList<>(s.size());
        for (Object v : s.values()) {
          values.add(((FederatedValue) v).value());
        }
        return FederatedValue.atServer(Struct.of(s.names(), values));
      };
      case GENERIC_PLUS -> (Fn) arg -> Arith.plus(((Struct) arg).get(0), ((Struct) arg).get(1));
      case GENERIC_MULTIPLY -> (Fn) arg -> Arith.multiply(((Struct) arg).get(0), ((Struct) arg).get(1));
      case GENERIC_DIVIDE -> (Fn) arg -> Arith.divide(((Struct) arg).get(0), ((Struct) arg).get(1));
      case SEQUENCE_MAP -> (Fn) arg -> {
        Struct a = (Struct) arg;
        Fn f = in.toFn(a.get(0));
        return new MappedSequence(Sequence.mapped((Sequence) a.get(1), f::apply));
      };
      case SEQUENCE_REDUCE -> (Fn) arg -> {
        Struct a = (Struct) arg;
        Fn f = in.toFn(a.get(2));
        Object acc = a.get(1);
        for (Object e : (Sequence) a.get(0)) {
          acc = f.apply(Struct.of(acc, e));
        }
        return acc;
      };
      case SEQUENCE_SUM -> (Fn) arg -> {
        Object acc = null;
        for (Object e : (Sequence) arg) {
          acc = Arith.plus(acc == null ? Arith.fillLike(e, 0) : acc, e);
        }
        return acc == null ? Arith.zero(((FunctionType) type).result()) : acc;
      };
    };
  }

  /**
   * A {@code sequence_map} result: lazy, computed on every pass, and marked so that the interpreter computes it once
   * where it is read more than once or returned from a call.
   */
  record MappedSequence(Sequence mapped) implements Sequence {
    @Override
    public Iterator<Object> iterator() {
      return mapped.iterator();
    }
  }

  private static Type resultMember(Type type) {
    return ((FederatedType) ((FunctionType) type).result()).member();
  }

  /** The running sum of a fold: null until the first member arrives, then a value the fold owns. */
  private static final class Sum {
    Object total;

    void add(Object v) {
      total = Arith.addInto(total == null ? Arith.fillLike(v, 0) : total, v);
    }

    Object orZero(Type member) {
      return total == null ? Arith.zero(member) : total;
    }
  }

  /** {@code federated_sum}: the members added in client order to a zero of their type. */
  private static FederatedValue sum(String op, FederatedValue value, Type member, Interpreter in) {
    Sum s = in.executor().fold(op, in.clientsOf(value, op), value::member, new Sum(), (acc, v) -> {
      acc.add(v);
      return acc;
    });
    return FederatedValue.atServer(s.orZero(member));
  }

  /** The state of a mean's fold: the (weighted) sum and the total weight. */
  private static final class MeanState {
    final Sum sum = new Sum();
    Object weight;
    float count;
  }

  /** Mean at SERVER, weighted by {@code weight} or, when it is null, by 1.0 (float32) per client. */
  private static FederatedValue mean(String op, FederatedValue value, FederatedValue weight, Type member,
      Interpreter in) {
    int n = in.clientsOf(value, op);
    if (weight != null) {
      int nw = in.clientsOf(weight, op);
      if (nw != n) {
        throw new IllegalArgumentException(op + ": the value has " + n + " clients but the weight has " + nw);
      }
    }
    MeanState state = in.executor().fold(op, n, i -> {
      Object v = value.member(i);
      if (weight == null) {
        return v;
      }
      Object w = weight.member(i);
      return Struct.of(Arith.multiply(v, w), w);
    }, new MeanState(), (s, contribution) -> {
      if (weight == null) {
        s.sum.add(contribution);
        s.count += 1f;
      } else {
        Struct c = (Struct) contribution;
        s.sum.add(c.get(0));
        Object w = c.get(1);
        s.weight = Arith.plus(s.weight == null ? Arith.fillLike(w, 0) : s.weight, w);
      }
      return s;
    });
    Tensor total = weight == null ? Tensor.scalar(state.count)
        : state.weight == null ? Tensor.scalar(0f) : (Tensor) state.weight;
    if (total.getDouble() == 0) {
      throw new ArithmeticException(op + ": the total weight is 0 (over " + n + " client" + (n == 1 ? "" : "s")
          + "), so the mean is undefined");
    }
    return FederatedValue.atServer(Arith.divide(state.sum.orZero(member), total));
  }

  private static FederatedValue minMax(String op, FederatedValue value, boolean min, Type member, Interpreter in) {
    int seed = min ? 1 : -1;
    Object[] acc = new Object[1];
    in.executor().fold(op, in.clientsOf(value, op), value::member, acc, (a, v) -> {
      Object cur = a[0] == null ? Arith.fillLike(v, seed) : a[0];
      a[0] = min ? Arith.minimum(cur, v) : Arith.maximum(cur, v);
      return a;
    });
    return FederatedValue.atServer(acc[0] == null ? Arith.fill(member, seed) : acc[0]);
  }

  private static FederatedValue select(String op, Struct a, Interpreter in) {
    FederatedValue keys = (FederatedValue) a.get(0);
    int maxKey = ((Tensor) ((FederatedValue) a.get(1)).value()).intValue();
    Object server = ((FederatedValue) a.get(2)).value();
    Fn f = in.toFn(a.get(3));
    return FederatedValue.atClients(op, in.clientsOf(keys, op), i -> {
      int[] k = ((Tensor) keys.member(i)).intData();
      List<Object> out = new ArrayList<>(k.length);
      for (int key : k) {
        if (key < 0 || key > maxKey) {
          throw new IllegalArgumentException(op + ": key " + key + " of client " + i + " is outside [0, max_key = "
              + maxKey + "]");
        }
        out.add(f.apply(Struct.of(server, Tensor.scalar(key))));
      }
      return Sequence.of(out);
    });
  }

  private static FederatedValue zipAtClients(String op, Struct s, Interpreter in) {
    int n = -1;
    for (Object v : s.values()) {
      FederatedValue f = (FederatedValue) v;
      if (!f.isAllEqual()) {
        if (n >= 0 && f.size() != n) {
          throw new IllegalArgumentException(op + ": cannot zip CLIENTS values with " + n + " and " + f.size()
              + " members");
        }
        n = f.size();
      }
    }
    if (n < 0) {
      n = in.clients(op);
    }
    return FederatedValue.atClients(op, n, i -> {
      List<Object> members = new ArrayList<>(s.size());
      for (Object v : s.values()) {
        members.add(((FederatedValue) v).member(i));
      }
      return Struct.of(s.names(), members);
    });
  }

}
