package dev.cohort.core.runtime;

import dev.cohort.core.ast.IntrinsicDef;
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
 * The in-process semantics of each intrinsic. Aggregations ({@link Aggregation}) fold client results in client
 * order; the per-client parts (mapping, multiplying by weights, checking secure-sum bounds) run inside the client
 * tasks, in parallel.
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
      case FEDERATED_AGGREGATE, FEDERATED_MEAN, FEDERATED_WEIGHTED_MEAN, FEDERATED_SUM, FEDERATED_MIN,
          FEDERATED_MAX, FEDERATED_SECURE_SUM, FEDERATED_SECURE_SUM_BITWIDTH, FEDERATED_SECURE_MODULAR_SUM ->
          (Fn) arg -> aggregate(def, type, arg, in);
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

  /**
   * An aggregation call on its own: one fold of {@link Aggregation}'s parts over the clients of its CLIENTS
   * operands ({@link Fusion} runs several in one fold).
   */
  private static FederatedValue aggregate(IntrinsicDef def, Type type, Object arg, Interpreter in) {
    String op = def.uri();
    int k = Aggregation.clientOperands(def);
    FederatedValue value;
    FederatedValue weight = null;
    List<Object> others = List.of();
    if (k == 0) {
      value = (FederatedValue) arg;
    } else {
      Struct s = (Struct) arg;
      value = (FederatedValue) s.get(0);
      if (k == 2) {
        weight = (FederatedValue) s.get(1);
      }
      others = s.values().subList(k, s.size());
    }
    Aggregation a = Aggregation.create(def, type, others, in);
    int n = in.clientsOf(value, op);
    FederatedValue w = weight;
    if (w != null) {
      Aggregation.checkWeightClients(op, n, in.clientsOf(w, op));
    }
    in.executor().fold(op, n, i -> a.contribution(value.member(i), w == null ? null : w.member(i)), a, (acc, c) -> {
      acc.accumulate(c);
      return acc;
    });
    return a.finish(n);
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
    int[] sizes = new int[s.size()];
    for (int k = 0; k < sizes.length; k++) {
      FederatedValue f = (FederatedValue) s.get(k);
      sizes[k] = f.isAllEqual() ? -1 : f.size();
    }
    return FederatedValue.atClients(op, zipClients(op, sizes, in), i -> {
      List<Object> members = new ArrayList<>(s.size());
      for (Object v : s.values()) {
        members.add(((FederatedValue) v).member(i));
      }
      return Struct.of(s.names(), members);
    });
  }

  /**
   * The number of clients of a zip of CLIENTS values with {@code sizes} members each (-1 for an all-equal one, which
   * fits any number): their common size, or the call's number of clients if all are all-equal.
   *
   * @throws IllegalArgumentException if two sizes differ
   */
  static int zipClients(String op, int[] sizes, Interpreter in) {
    int n = -1;
    for (int size : sizes) {
      if (size >= 0) {
        if (n >= 0 && size != n) {
          throw new IllegalArgumentException(op + ": cannot zip CLIENTS values with " + n + " and " + size
              + " members");
        }
        n = size;
      }
    }
    return n < 0 ? in.clients(op) : n;
  }
}
