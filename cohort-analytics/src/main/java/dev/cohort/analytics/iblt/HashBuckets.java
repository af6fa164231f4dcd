package dev.cohort.analytics.iblt;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;

/**
 * TensorFlow's {@code tf.strings.to_hash_bucket_fast}: FarmHash Fingerprint64 of a string's bytes, reduced modulo the
 * number of buckets as an unsigned 64-bit integer (tensorflow/tensorflow:
 * tensorflow/core/kernels/string_to_hash_bucket_fast_op.h). Fingerprint64 is FarmHash's {@code farmhashna::Hash64},
 * which Guava implements as {@link Hashing#farmHashFingerprint64()}; it is fixed for all time and platforms, so the
 * same bytes land in the same bucket as in TFF. Public for the other analytics that hash as TFF does (HyperLogLog).
 */
public final class HashBuckets {
  private static final HashFunction FINGERPRINT64 = Hashing.farmHashFingerprint64();

  private HashBuckets() {}

  /** FarmHash Fingerprint64 of {@code bytes}, as a (signed) Java long. */
  public static long fingerprint64(byte[] bytes) {
    return FINGERPRINT64.hashBytes(bytes).asLong();
  }

  /**
   * {@code to_hash_bucket_fast}: Fingerprint64 of {@code bytes} modulo {@code buckets}, both unsigned.
   *
   * @throws IllegalArgumentException if {@code buckets < 1}
   */
  public static long bucket(byte[] bytes, long buckets) {
    if (buckets < 1) {
      throw new IllegalArgumentException("the number of hash buckets must be at least 1, got " + buckets);
    }
    return Long.remainderUnsigned(fingerprint64(bytes), buckets);
  }
}
