package dev.cohort.analytics.iblt;

import java.nio.charset.StandardCharsets;

/**
 * The cells of a key, one per repetition, and its check value: TFF's {@code RandomHyperEdgeHasher},
 * {@code CoupledHyperEdgeHasher} and {@code _compute_hash_check}. Immutable and thread-safe.
 */
final class Hyperedges {
  /** The buckets of {@code CoupledHyperEdgeHasher._hash_to_float_tf}: {@code tf.int32.max}. */
  private static final long FLOAT_PRECISION = Integer.MAX_VALUE;

  private final int tableSize;
  private final byte[][] salts;
  private final byte[] checkSalt;
  private final HashFamily.Coupled coupled;

  Hyperedges(IbltParameters p) {
    this.tableSize = p.tableSize();
    this.salts = new byte[p.repetitions()][];
    for (int r = 0; r < salts.length; r++) {
      salts[r] = ascii(Long.toString((long) p.seed() + r) + ";");
    }
    this.checkSalt = ascii("hash_check_" + p.seed());
    this.coupled = p.hashFamily() instanceof HashFamily.Coupled c ? c : null;
  }

  /** The cell of {@code key} in each repetition, into {@code out} (one element per repetition). */
  void cells(byte[] key, int[] out) {
    if (coupled == null) {
      for (int r = 0; r < salts.length; r++) {
        out[r] = (int) HashBuckets.bucket(salted(salts[r], key), tableSize);
      }
      return;
    }
    double z = coupled.rescaleFactor();
    float position = hashToFloat(key, 0.5, z + 0.5);
    float rescaledTableSize = (float) (tableSize / (z + 1.0));
    for (int r = 0; r < salts.length; r++) {
      float offset = hashToFloat(salted(salts[r], key), -0.5, 0.5);
      int cell = (int) Math.floor((position + offset) * rescaledTableSize);
      // float32 rounding can reach tableSize itself at the top of both ranges (TFF would index out of bounds).
      out[r] = Math.min(cell, tableSize - 1);
    }
  }

  /** The check value {@code q(key) = bucket("hash_check_" + seed + key, 2^31 - 1)}, shared by all repetitions. */
  long check(byte[] key) {
    return HashBuckets.bucket(salted(checkSalt, key), IbltParameters.FIELD_SIZE);
  }

  /** TFF's float32 arithmetic: {@code float(bucket(s, P) % P) / P * (high - low) + low}, P = 2^31 - 1. */
  private static float hashToFloat(byte[] bytes, double low, double high) {
    long h = HashBuckets.bucket(bytes, FLOAT_PRECISION);
    return (float) h / (float) FLOAT_PRECISION * (float) (high - low) + (float) low;
  }

  private static byte[] salted(byte[] salt, byte[] key) {
    byte[] b = new byte[salt.length + key.length];
    System.arraycopy(salt, 0, b, 0, salt.length);
    System.arraycopy(key, 0, b, salt.length, key.length);
    return b;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
