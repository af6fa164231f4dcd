package dev.cohort.core.runtime;

import dev.cohort.core.ast.IntrinsicDef;
import dev.cohort.core.types.Type;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Exact semantics of the secure sums, computed in the clear: each client checks its input against the bound before
 * contributing (a client whose input is out of range fails the call, naming itself), sums run in 64-bit integers and
 * are converted to the members' dtype at the end, and the modular sum reduces every input and partial sum modulo
 * the modulus. A deployment replaces this with a secure-aggregation protocol computing the same numbers. One instance
 * holds the running sums of one call ({@link Aggregation} drives it).
 */
final class SecureSums {
  /** TFF's limit for {@code federated_secure_sum_bitwidth}: sums run in int64, which must hold one carry bit. */
  static final int MAX_BITWIDTH = 62;

  private final String op;
  private final boolean modular;
  private final long[] limits;
  private final String boundName;
  private final Type member;
  /** The first client's value (the structure and dtypes of the result), null until one arrives. */
  private Object like;
  /** Per leaf tensor, the running 64-bit sums. */
  private long[][] sums;

  /**
   * A secure sum of {@code def} with bound {@code bound} (max_input, bitwidth or modulus, one per leaf or one for
   * all) over members of type {@code member}.
   *
   * @throws IllegalArgumentException if a bound is out of range
   */
  SecureSums(IntrinsicDef def, Object bound, Type member) {
    this.op = def.uri();
    this.modular = def == IntrinsicDef.FEDERATED_SECURE_MODULAR_SUM;
    this.member = member;
    List<Tensor> boundLeaves = Arith.leaves(bound);
    limits = new long[boundLeaves.size()];
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
    boundName = def == IntrinsicDef.FEDERATED_SECURE_SUM_BITWIDTH ? "2^bitwidth - 1"
        : modular ? "modulus" : "max_input";
  }

  /** Client side: fails unless every element of {@code x} is in {@code [0, bound]} (nothing to check if modular). */
  void check(Object x) {
    if (modular) {
      return;
    }
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

  /** Adds one client's checked value, in client order. */
  void add(Object x) {
    List<Tensor> leaves = Arith.leaves(x);
    if (sums == null) {
      like = x;
      sums = new long[leaves.size()][];
      for (int j = 0; j < leaves.size(); j++) {
        sums[j] = new long[leaves.get(j).size()];
      }
    }
    for (int j = 0; j < leaves.size(); j++) {
      Tensor t = leaves.get(j);
      long[] sum = sums[j];
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
  }

  /** The sum so far in the members' dtypes (the zero of the member type if no client was added). */
  Object result() {
    if (sums == null) {
      return Arith.zero(member);
    }
    List<Tensor> leaves = Arith.leaves(like);
    List<Tensor> out = new ArrayList<>(leaves.size());
    for (int j = 0; j < leaves.size(); j++) {
      Tensor t = leaves.get(j);
      long[] sum = sums[j];
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
    return Arith.unflatten(like, out);
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
