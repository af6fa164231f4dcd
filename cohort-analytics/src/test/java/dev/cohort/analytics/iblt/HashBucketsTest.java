package dev.cohort.analytics.iblt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** FarmHash Fingerprint64 and {@code to_hash_bucket_fast} against values published by FarmHash and TensorFlow. */
class HashBucketsTest {
  /** The multiplier of FarmHash's self-test data generator ({@code k0} in google/farmhash:src/farmhash.cc). */
  private static final long K0 = 0xc3a5c85c97cb3127L;

  /**
   * The pseudo-random bytes of FarmHash's self-test ({@code Setup()} in google/farmhash:src/farmhash.cc), generated
   * here from its definition: {@code a += b; b += a; a = (a ^ (a >> 41)) * k0; b = (b ^ (b >> 41)) * k0 + i;} and
   * byte {@code i} is {@code (uint8_t) (b >> 37)}.
   */
  private static byte[] farmhashTestData(int size) {
    byte[] data = new byte[size];
    long a = 9;
    long b = 777;
    for (int i = 0; i < size; i++) {
      a += b;
      b += a;
      a = (a ^ (a >>> 41)) * K0;
      b = (b ^ (b >>> 41)) * K0 + i;
      data[i] = (byte) (b >>> 37);
    }
    return data;
  }

  /**
   * Rows {offset, length, high 32 bits, low 32 bits} of {@code farmhashna::Hash64(data + offset, length)}, which is
   * {@code Fingerprint64}, from the {@code expected[]} table of {@code namespace farmhashnaTest} in
   * google/farmhash:src/farmhash.cc (commit 0d859a8): test {@code i < 299} hashes {@code length i} at {@code offset
   * i*i}, later tests hash prefixes of the whole 1 MiB; each test's third pair of words is this hash. The lengths
   * cover every branch of the function (0-16, 17-32, 33-64 and the 64-byte loop).
   */
  private static final long[][] FARMHASH_SELF_TEST = {
    {0, 0, 0x9ae16a3bL, 0x2f90404fL},
    {1, 1, 0x541150e8L, 0x7f415e96L},
    {4, 2, 0x0f3786a4L, 0xb25827c1L},
    {9, 3, 0xef923a7aL, 0x1af78eabL},
    {16, 4, 0x11df5925L, 0x96f41d88L},
    {25, 5, 0x831f448bL, 0xdc5600b3L},
    {49, 7, 0x1b5a063fL, 0xb4c7f9f1L},
    {64, 8, 0xa0f10149L, 0xa0e538d6L},
    {81, 9, 0xfb8d9c70L, 0x660b910bL},
    {225, 15, 0x44473e03L, 0xbe306c88L},
    {256, 16, 0x03ead5f2L, 0x1d344056L},
    {289, 17, 0x6abbfde3L, 0x7ee03b5bL},
    {576, 24, 0x36a097aaL, 0x49519d97L},
    {961, 31, 0x55bdb0e7L, 0x1e3edebdL},
    {1024, 32, 0x0782fa1bL, 0x08b475e7L},
    {1089, 33, 0x09deb3daL, 0x5e16b5b8L},
    {3969, 63, 0xa8edbff8L, 0x58475437L},
    {4096, 64, 0xdef74bf4L, 0xc9f1bc1bL},
    {4225, 65, 0x3cceab39L, 0x2bc39b3fL},
    {10000, 100, 0x05ad36f6L, 0x77825ce0L},
    {16129, 127, 0x99096f55L, 0xf2e75eb0L},
    {16384, 128, 0xf4a9a248L, 0xb462909dL},
    {16641, 129, 0xd4f7c858L, 0xd78153b6L},
    {40000, 200, 0x40f32eb9L, 0x0e5caa01L},
    {88804, 298, 0x2031c84bL, 0xc57a1a9fL},
    {0, 299, 0xcc79d4baL, 0x95da7979L},
    {0, 4874, 0x25635f21L, 0x6bb32ec7L},
    {0, 1016994, 0xdd8e83edL, 0x443749feL},
    {0, 1048576, 0xf853fb08L, 0xa3c22903L},
  };

  @Test
  void fingerprint64ReproducesFarmhashsOwnSelfTest() {
    byte[] data = farmhashTestData(1 << 20);
    for (long[] row : FARMHASH_SELF_TEST) {
      byte[] slice = Arrays.copyOfRange(data, (int) row[0], (int) (row[0] + row[1]));
      long expected = (row[2] << 32) | row[3];
      assertThat(HashBuckets.fingerprint64(slice)).as("offset %d, length %d", row[0], row[1])
          .isEqualTo(expected);
    }
  }

  @Test
  void fingerprint64OfShortStringsMatchesTensorflowsAndGuavasTests() {
    // tensorflow/tensorflow:tensorflow/python/kernel_tests/strings_ops/string_to_hash_bucket_op_test.py
    // (testStringToHashBucketsFast): "Fingerprint64('a') -> 12917804110809363939", 'b' -> 11795596070477164822,
    // 'c' -> 11430444447143000872, 'd' -> 4470636696479570465.
    assertThat(unsigned("a")).isEqualTo("12917804110809363939");
    assertThat(unsigned("b")).isEqualTo("11795596070477164822");
    assertThat(unsigned("c")).isEqualTo("11430444447143000872");
    assertThat(unsigned("d")).isEqualTo("4470636696479570465");
    // google/guava:guava-tests/test/com/google/common/hash/FarmHashFingerprint64Test.java
    // (testReallySimpleFingerprints), as quoted in shared/reference/privacy.md §5.
    assertThat(HashBuckets.fingerprint64(utf8("test"))).isEqualTo(8581389452482819506L);
    assertThat(HashBuckets.fingerprint64(utf8("test".repeat(8)))).isEqualTo(-4196240717365766262L);
    assertThat(HashBuckets.fingerprint64(utf8("test".repeat(64)))).isEqualTo(3500507768004279527L);
  }

  @Test
  void bucketsAreTheUnsignedRemainderAsInToHashBucketFast() {
    // testStringToHashBucketsFast: to_hash_bucket_fast(['a', 'b', 'c', 'd'], 10) == [9, 2, 2, 5]; the four
    // fingerprints are at least 2^63, so a signed remainder would give other buckets.
    assertThat(buckets(List.of("a", "b", "c", "d"), 10)).containsExactly(9L, 2L, 2L, 5L);
    // testStringToOneHashBucketFast: one bucket takes everything.
    assertThat(buckets(List.of("a", "b", "c"), 1)).containsExactly(0L, 0L, 0L);
    // The tf.strings.to_hash_bucket_fast documentation: (["Hello", "TensorFlow", "2.x"], 3) -> [0, 2, 2].
    assertThat(buckets(List.of("Hello", "TensorFlow", "2.x"), 3)).containsExactly(0L, 2L, 2L);
  }

  @Test
  void zeroBucketsAreRejected() {
    assertThatThrownBy(() -> HashBuckets.bucket(utf8("a"), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the number of hash buckets must be at least 1, got 0");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
  }

  private static String unsigned(String s) {
    return Long.toUnsignedString(HashBuckets.fingerprint64(utf8(s)));
  }

  private static List<Long> buckets(List<String> strings, long buckets) {
    return strings.stream().map(s -> HashBuckets.bucket(utf8(s), buckets)).toList();
  }
}
