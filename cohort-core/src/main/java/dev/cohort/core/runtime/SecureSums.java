package dev.cohort.core.runtime;

import dev.cohort.core.ast.IntrinsicDef;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Exact semantics of the secure sums, computed in the clear: each client checks its input against the bound before
 * contributing (a client whose input is out of range fails the call, naming itself), sums run in 64-bit integers and
 * are converted to the members' dtype at the end, and the modular sum reduces every input and partial sum modulo
 * the modulus. A deployment replaces this with a secure-aggregation protocol computing the same numbers.
 */
final class SecureSums {
  /** TFF's limit for {@code federated_secure_sum_bitwidth}: sums run in int64, which must hold one carry bit. */
  static final int MAX_BITWIDTH = 62;

  private SecureSums() {}

  static FederatedValue sum(IntrinsicDef def, FederatedValue value, Object bound, Type member, Interpreter in) {
    String op = def.uri();
    boolean modular = def == IntrinsicDef.FEDERATED_SECURE_MODULAR_SUM;
    List<Tensor> boundLeaves = Arith.leaves(bound);
    long[] limits = new long[boundLeaves.size()];
    for (int j = 0; j < limits.length; j++) {
      long b = boundLeaves.get(j).dtype() == DType.INT32 ? boundLeaves.get(j).intValue()
          : boundLeaves.get(j).longValue();
      if (def == IntrinsicDef.FEDERATED_SECURE_SUM_BITWIDTH) {
        if (b < 1 || b > MAX_BITWIDTH) {
          throw new IllegalArgumentException(op + ": bitwidth " + b + " is outside [1, " + MAX_BITWIDTH + "]");
        }
        limits[j] = (1L << b) - 1;
      } else if (modular) {
        if (b < 1) {
          throw new IllegalArgumentException(op + ": modulus " + b + " must be >= 1");
        }
        limits[j] = b;
      } else {
        if (b < 0) {
          throw new IllegalArgumentException(op + ": max_input " + b + " must be >= 0");
        }
        limits[j] = b;
      }
    }
    String boundName = def == IntrinsicDef.FEDERATED_SECURE_SUM_BITWIDTH ? "2^bitwidth - 1"
        : modular ? "modulus" : "max_input";
    Object[] like = new Object[1];
    long[][][] acc = new long[1][][];
    in.executor().fold(op, in.clientsOf(value, op), i -> {
      Object x = value.member(i);
      if (!modular) {
        List<Tensor> leaves = Arith.leaves(x);
        for (int j = 0; j < leaves.size(); j++) {
          long max = limits.length == 1 ? limits[0] : limits[j];
          Tensor t = leaves.get(j);
          for (int k = 0; k < t.size(); k++) {
            long e = element(t, k);
            if (e < 0 || e > max) {
              throw new IllegalArgumentException(op + ": input " + e + " (element " + k + " of tensor " + j
                  + ") is outside [0, " + max + "] (" + boundName + ")");
            }
          }
        }
      }
      return x;
    }, acc, (a, x) -> {
      List<Tensor> leaves = Arith.leaves(x);
      if (a[0] == null) {
        like[0] = x;
        a[0] = new long[leaves.size()][];
        for (int j = 0; j < leaves.size(); j++) {
          a[0][j] = new long[leaves.get(j).size()];
        }
      }
      for (int j = 0; j < leaves.size(); j++) {
        Tensor t = leaves.get(j);
        long[] sum = a[0][j];
        if (sum.length != t.size()) {
          throw new IllegalArgumentException(op + ": tensor " + j + " has " + t.size() + " elements, earlier clients"
              + " had " + sum.length);
        }
        long m = limits.length == 1 ? limits[0] : limits[j];
        for (int k = 0; k < sum.length; k++) {
          long e = element(t, k);
          sum[k] = modular ? addMod(sum[k], Math.floorMod(e, m), m) : sum[k] + e;
        }
      }
      return a;
    });
    if (acc[0] == null) {
      return FederatedValue.atServer(Arith.zero(member));
    }
    List<Tensor> leaves = Arith.leaves(like[0]);
    List<Tensor> out = new ArrayList<>(leaves.size());
    for (int j = 0; j < leaves.size(); j++) {
      Tensor t = leaves.get(j);
      long[] sum = acc[0][j];
      if (t.dtype() == DType.INT32) {
        int[] d = new int[sum.length];
        for (int k = 0; k < d.length; k++) {
          d[k] = (int) sum[k];
        }
        out.add(Tensor.wrap(d, t.shape()));
      } else {
        out.add(Tensor.wrap(sum, t.shape()));
      }
    }
    return FederatedValue.atServer(Arith.unflatten(like[0], out));
  }

  private static long element(Tensor t, int k) {
    return t.dtype() == DType.INT32 ? t.intData()[k] : t.longData()[k];
  }

  /** {@code (a + b) mod m} for {@code 0 <= a, b < m}, without overflow for any positive long {@code m}. */
  static long addMod(long a, long b, long m) {
    long s = a + b;
    return Long.compareUnsigned(s, m) >= 0 ? s - m : s;
  }
}
