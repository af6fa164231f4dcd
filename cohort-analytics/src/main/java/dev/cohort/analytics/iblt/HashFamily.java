package dev.cohort.analytics.iblt;

/**
 * How a key picks its cell in each repetition of an {@link Iblt} (TFF's {@code hyperedge_hashers.py}). Both families
 * hash with {@code to_hash_bucket_fast} on the key prefixed by the repetition's salt {@code str(seed + r) + ";"}.
 *
 * <ul>
 *   <li>{@link Random}: each repetition's cell is independent and uniform, {@code bucket(salt_r + key, tableSize)}.
 *   <li>{@link Coupled}: the cells lie close together, as in Walzer's spatially coupled hypergraphs (arXiv
 *       2001.10500), which peel at higher loads: {@code z} = the rescale factor, a position {@code p} in
 *       {@code [0.5, z + 0.5)} from the key, an offset {@code o_r} in {@code [-0.5, 0.5)} from the salted key, and
 *       cell {@code floor((p + o_r) * tableSize / (z + 1))}, computed in float32 as TFF does.
 * </ul>
 *
 * <p>{@link #suggestedFor(int)} is TFF's default: random below a capacity of 100,000, coupled with
 * {@code z = 0.25 * sqrt(capacity)} from there on.
 */
public sealed interface HashFamily {
  /** The capacity from which TFF couples the hashes. */
  int COUPLED_FROM_CAPACITY = 100_000;

  /** Independent uniform cells, TFF's {@code 'random'} family. */
  record Random() implements HashFamily {}

  /**
   * Coupled cells, TFF's {@code 'coupled'} family.
   *
   * @param rescaleFactor {@code z}: the table is split into about {@code z + 1} windows a key's cells share
   */
  record Coupled(double rescaleFactor) implements HashFamily {
    /**
     * Checks that the factor is a positive finite number.
     *
     * @throws IllegalArgumentException otherwise
     */
    public Coupled {
      if (!(rescaleFactor > 0) || Double.isInfinite(rescaleFactor)) {
        throw new IllegalArgumentException("rescale_factor must be positive and finite, got " + rescaleFactor);
      }
    }
  }

  /** The random family. */
  static HashFamily random() {
    return new Random();
  }

  /** The coupled family with rescale factor {@code z}. */
  static HashFamily coupled(double rescaleFactor) {
    return new Coupled(rescaleFactor);
  }

  /** TFF's choice for {@code capacity}: random below 100,000, else coupled with {@code 0.25 * sqrt(capacity)}. */
  static HashFamily suggestedFor(int capacity) {
    return capacity >= COUPLED_FROM_CAPACITY ? coupled(0.25 * Math.sqrt(capacity)) : random();
  }
}
