package dev.cohort.analytics.iblt;

/**
 * The shape of an {@link Iblt}, derived from the number of distinct keys it should decode as TFF derives it
 * ({@code iblt_lib._internal_parameters}).
 *
 * <ul>
 *   <li>{@link #tableSize()} {@code = int(1.1 * c_R * capacity / R + 10)} cells per repetition, where {@code c_R}
 *       is the space overhead of Goodrich and Mitzenmacher's Table 1 ({@code 1.222, 1.295, 1.425, 1.570} for
 *       {@code R = 3..6}, else {@code R / 4}): capacity 100 gives 54, capacity 1000 gives 458.
 *   <li>{@link #numChunks()} {@code = ceil(stringMaxBytes / 3)}: keys are UTF-8 bytes packed 3 to a field element
 *       ({@code floor(log2(2^31 - 1) / 8) = 3}), so a key keeps at most {@link #maxKeyBytes()} {@code = 3 *
 *       numChunks} bytes (string_max_bytes 4 keeps 6).
 *   <li>Each cell holds {@code numChunks} key sums, a count and a check: {@link #cellWidth()} {@code = numChunks +
 *       2} elements of the field {@link #FIELD_SIZE}.
 * </ul>
 *
 * @param capacity the number of distinct keys the sketch should decode, at least 1
 * @param stringMaxBytes the key length in bytes it must keep, at least 1
 * @param repetitions the number of hash tables, at least 3 ({@link #DEFAULT_REPETITIONS})
 * @param seed the seed of the hash functions
 * @param hashFamily how keys pick cells ({@link HashFamily#suggestedFor} by default)
 */
public record IbltParameters(int capacity, int stringMaxBytes, int repetitions, int seed, HashFamily hashFamily) {
  /** The prime {@code 2^31 - 1} all cell arithmetic is modulo (TFF's {@code DEFAULT_FIELD_SIZE}). */
  public static final long FIELD_SIZE = (1L << 31) - 1;
  /** TFF's {@code DEFAULT_REPETITIONS}. */
  public static final int DEFAULT_REPETITIONS = 3;
  /** Key bytes per field element: {@code floor(log2(FIELD_SIZE) / 8)}. */
  public static final int BYTES_PER_CHUNK = 3;

  /**
   * Checks the parameters.
   *
   * @throws IllegalArgumentException naming the parameter, what it must be and what it is: capacity or
   *     stringMaxBytes below 1, repetitions below 3, a coupled rescale factor above {@code tableSize - 1}, or a
   *     sketch too large for one Java array
   * @throws NullPointerException if {@code hashFamily} is null
   */
  public IbltParameters {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    if (stringMaxBytes < 1) {
      throw new IllegalArgumentException("string_max_bytes must be at least 1, got " + stringMaxBytes);
    }
    if (repetitions < 3) {
      throw new IllegalArgumentException("repetitions must be at least 3, got " + repetitions);
    }
    if (hashFamily == null) {
      throw new NullPointerException("hashFamily");
    }
    int tableSize = tableSize(capacity, repetitions);
    if (hashFamily instanceof HashFamily.Coupled c && c.rescaleFactor() > tableSize - 1) {
      throw new IllegalArgumentException("rescale_factor must be at most table_size - 1 = " + (tableSize - 1)
          + " (capacity " + capacity + ", repetitions " + repetitions + "), got " + c.rescaleFactor());
    }
    long cells = (long) repetitions * tableSize * (numChunks(stringMaxBytes) + 2);
    if (cells > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("an IBLT of capacity " + capacity + ", string_max_bytes " + stringMaxBytes
          + " and " + repetitions + " repetitions needs " + cells + " field elements, more than one Java array holds");
    }
  }

  /** Capacity and key length with TFF's defaults: 3 repetitions, seed 0, the suggested hash family. */
  public static IbltParameters of(int capacity, int stringMaxBytes) {
    return of(capacity, stringMaxBytes, DEFAULT_REPETITIONS, 0);
  }

  /** The parameters with the hash family TFF suggests for {@code capacity}. */
  public static IbltParameters of(int capacity, int stringMaxBytes, int repetitions, int seed) {
    return new IbltParameters(capacity, stringMaxBytes, repetitions, seed, HashFamily.suggestedFor(capacity));
  }

  /** These parameters with another hash family. */
  public IbltParameters withHashFamily(HashFamily family) {
    return new IbltParameters(capacity, stringMaxBytes, repetitions, seed, family);
  }

  /** Cells per repetition: {@code int(1.1 * c_R * capacity / R + 10)}. */
  public int tableSize() {
    return tableSize(capacity, repetitions);
  }

  /** Field elements per key: {@code ceil(stringMaxBytes / 3)}. */
  public int numChunks() {
    return numChunks(stringMaxBytes);
  }

  /** The bytes a key keeps: {@code 3 * numChunks()}; longer keys are truncated. */
  public int maxKeyBytes() {
    return BYTES_PER_CHUNK * numChunks();
  }

  /** Field elements per cell: the key chunks, the count and the check. */
  public int cellWidth() {
    return numChunks() + 2;
  }

  private static int numChunks(int stringMaxBytes) {
    return (stringMaxBytes + BYTES_PER_CHUNK - 1) / BYTES_PER_CHUNK;
  }

  /** In double precision and in TFF's order of operations, so that the truncation lands where TFF's does. */
  private static int tableSize(int capacity, int repetitions) {
    double minimumSpace = switch (repetitions) {
      case 3 -> 1.222 * capacity;
      case 4 -> 1.295 * capacity;
      case 5 -> 1.425 * capacity;
      case 6 -> 1.570 * capacity;
      default -> (double) ((long) capacity * repetitions) / 4;
    };
    return (int) (1.1 * minimumSpace / repetitions + 10);
  }
}
