package dev.cohort.analytics;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedMax;

import dev.cohort.core.Computation;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.TensorType;
import dev.cohort.tensor.DType;

/**
 * Distinct counts with HyperLogLog exactly as TFF's {@code create_federated_hyperloglog_computation} computes them
 * (tff.md §5.2), as the Cohort computation {@code ({str*}@CLIENTS -> int64@SERVER)}:
 *
 * <ul>
 *   <li>each client hashes its items with {@code to_hash_bucket_fast(item, 2^32)} (FarmHash Fingerprint64 of the
 *       UTF-8 bytes, unsigned, modulo 2^32);
 *   <li>register {@code j = hash >> 27} (the top 5 of the 32 bits), {@code w = hash & (2^27 - 1)},
 *       {@code rho = 27 - floor(log2(w))}, the position of the leftmost 1 bit of {@code w} as a 27-bit number,
 *       counted from 1 (TFF's {@code HLL_BIT_INDEX_TAIL - _log2(w)}, whose {@code _log2(0)} is -1, so
 *       {@code w = 0} gives 28); a client's sketch is the element-wise maximum over its items of {@code rho} in
 *       register {@code j} (32 registers, 0 where no item fell);
 *   <li>the server takes the element-wise maximum ({@code federated_max}) and estimates
 *       {@code int64(0.697 * 32^2 / sum_j 2^(-M_j))}, without small- or large-range corrections.
 * </ul>
 *
 * <p>tff.md §5.2 writes {@code rho = 27 - bitlength(w)}, one less than TFF's code computes; Cohort follows the code
 * ({@code count_distinct.py}) and its test's reference, the textbook rho. As in TFF there is no small-range
 * correction: no items at all give {@code int64(0.697 * 32) = 22}, and the estimate of a few distinct items is
 * biased upwards. With 32 registers the relative standard error is about
 * {@code 1.04 / sqrt(32) = 18 %}. Merging is idempotent: how the items are spread over clients, and how often an
 * item repeats, does not change the estimate.
 */
public final class HyperLogLog {
  /** The number of registers, TFF's {@code HLL_SKETCH_SIZE}. */
  public static final int REGISTERS = 32;
  /** The bits of the hash that choose the register, TFF's {@code HLL_BIT_INDEX_HEAD}. */
  public static final int HEAD_BITS = 5;
  /** TFF's {@code HLL_ALPHA}. */
  public static final double ALPHA = 0.697;
  /** A sketch: {@code int64[32]}. */
  public static final TensorType SKETCH = TensorType.of(DType.INT64, REGISTERS);

  private static final int TAIL_BITS = 32 - HEAD_BITS;

  private HyperLogLog() {}

  /** The federated computation {@code ({str*}@CLIENTS -> int64@SERVER)}. */
  public static Computation computation() {
    Computation client = AnalyticsLocals.hyperLogLogClient();
    Computation estimate = AnalyticsLocals.hyperLogLogEstimate();
    return Computation.federated("hyperloglog_distinct_count", "items",
        FederatedType.atClients(AnalyticsLocals.ITEMS),
        items -> federatedMap(estimate, federatedMax(federatedMap(client, items))));
  }

  /** Adds one item (its UTF-8 bytes) to {@code registers}, a sketch of {@link #REGISTERS} entries. */
  public static void add(long[] registers, byte[] item) {
    long hash = AnalyticsLocals.hash32(item);
    int j = (int) (hash >>> TAIL_BITS);
    long w = hash & ((1L << TAIL_BITS) - 1);
    long rho = TAIL_BITS + 1 - (64 - Long.numberOfLeadingZeros(w));   // 27 - floor(log2 w); 28 for w = 0
    registers[j] = Math.max(registers[j], rho);
  }

  /**
   * TFF's estimate {@code int64(0.697 * 32^2 / sum_j 2^(-M_j))} of merged registers.
   *
   * @throws IllegalArgumentException if there are not 32 registers or one is outside {@code [0, 28]}
   */
  public static long estimate(long[] registers) {
    if (registers.length != REGISTERS) {
      throw new IllegalArgumentException("a HyperLogLog sketch has " + REGISTERS + " registers, got "
          + registers.length);
    }
    double sum = 0;
    for (int j = 0; j < REGISTERS; j++) {
      if (registers[j] < 0 || registers[j] > TAIL_BITS + 1) {
        throw new IllegalArgumentException("register " + j + " is " + registers[j] + ", outside [0, "
            + (TAIL_BITS + 1) + "]");
      }
      sum += Math.scalb(1.0, (int) -registers[j]);
    }
    return (long) (ALPHA * REGISTERS * REGISTERS / sum);
  }
}
