package dev.cohort.tensor;

import static dev.cohort.tensor.internal.Checks.checkArgument;

import java.util.HashMap;
import java.util.Map;

/**
 * A keyed stream of random numbers from the counter-based generator Philox-4x32-10 (Salmon et al., "Parallel
 * random numbers: as easy as 1, 2, 3", SC 2011).
 *
 * <p>A stream is identified by a seed and a key path, for example {@code (seed, round, clientId, PURPOSE)}:
 * {@link #of(long, long...)} folds each key into the Philox key, as JAX's {@code fold_in} does, and the stream
 * then encrypts the counters 0, 1, 2, .... Numbers depend only on the seed, the path and how many numbers were
 * drawn before, never on the thread, the order in which streams are created, or the number of other streams.
 * {@link #fork(long...)} derives a child stream from this stream's key (not its position).
 *
 * <p>A stream itself is a small mutable cursor and is not thread-safe; give each task its own stream.
 */
public final class RandomStream {
  private static final int M0 = 0xD2511F53;
  private static final int M1 = 0xCD9E8D57;
  private static final int W0 = 0x9E3779B9;
  private static final int W1 = 0xBB67AE85;
  private static final int FOLD_TAG = 0x436F686F; // "Coho": separates key derivation from stream counters

  private final int key0;
  private final int key1;
  private long counter;
  private final int[] block = new int[4];
  private int used = 4;
  private double spareGaussian;
  private boolean hasSpare;

  private RandomStream(int key0, int key1) {
    this.key0 = key0;
    this.key1 = key1;
  }

  /** The stream for {@code seed} and the key path {@code keys} (which may be empty). */
  public static RandomStream of(long seed, long... keys) {
    return new RandomStream((int) seed, (int) (seed >>> 32)).fork(keys);
  }

  /** A child stream keyed by this stream's key and {@code keys}; independent of how much this stream has drawn. */
  public RandomStream fork(long... keys) {
    int k0 = key0;
    int k1 = key1;
    int[] out = new int[4];
    for (long k : keys) {
      philox((int) k, (int) (k >>> 32), FOLD_TAG, 0, k0, k1, out);
      k0 = out[0];
      k1 = out[1];
    }
    return new RandomStream(k0, k1);
  }

  /**
   * One Philox-4x32-10 block: encrypts counter {@code (c0, c1, c2, c3)} under key {@code (k0, k1)} into
   * {@code out}.
   */
  static void philox(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
    for (int round = 0; round < 10; round++) {
      long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
      long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
      int hi0 = (int) (p0 >>> 32);
      int lo0 = (int) p0;
      int hi1 = (int) (p1 >>> 32);
      int lo1 = (int) p1;
      c0 = hi1 ^ c1 ^ k0;
      c1 = lo1;
      c2 = hi0 ^ c3 ^ k1;
      c3 = lo0;
      k0 += W0;
      k1 += W1;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
  }

  /** The next 32 uniformly random bits. */
  public int nextInt() {
    if (used == 4) {
      philox((int) counter, (int) (counter >>> 32), 0, 0, key0, key1, block);
      counter++;
      used = 0;
    }
    return block[used++];
  }

  /** The next 64 uniformly random bits. */
  public long nextLong() {
    long hi = nextInt() & 0xFFFFFFFFL;
    return (hi << 32) | (nextInt() & 0xFFFFFFFFL);
  }

  /** Uniform in {@code [0, 1)} with 24 random bits. */
  public float nextFloat() {
    return (nextInt() >>> 8) * 0x1.0p-24f;
  }

  /** Uniform in {@code [0, 1)} with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in {@code [0, bound)} without modulo bias (Lemire's method). */
  public int nextInt(int bound) {
    if (bound <= 0) { // not checkArgument: its varargs array would be allocated on every draw
      throw new IllegalArgumentException("nextInt: bound (" + bound + ") must be > 0");
    }
    long m = (nextInt() & 0xFFFFFFFFL) * bound;
    long low = m & 0xFFFFFFFFL;
    if (low < bound) {
      long threshold = (0x100000000L - bound) % bound;
      while (low < threshold) {
        m = (nextInt() & 0xFFFFFFFFL) * bound;
        low = m & 0xFFFFFFFFL;
      }
    }
    return (int) (m >>> 32);
  }

  /** A standard normal sample (Box-Muller in double precision). */
  public double nextGaussian() {
    if (hasSpare) {
      hasSpare = false;
      return spareGaussian;
    }
    double u1 = 1.0 - nextDouble(); // (0, 1]
    double u2 = nextDouble();
    double r = Math.sqrt(-2.0 * Math.log(u1));
    double theta = 2.0 * Math.PI * u2;
    spareGaussian = r * Math.sin(theta);
    hasSpare = true;
    return r * Math.cos(theta);
  }

  /** A float32 tensor uniform in {@code [low, high)}. */
  public Tensor uniform(Shape shape, float low, float high) {
    checkArgument(low < high, "uniform: low (%s) must be < high (%s)", low, high);
    float[] d = new float[shape.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = low + (high - low) * nextFloat();
    }
    return Tensor.wrap(d, shape);
  }

  /** A float32 tensor of normal samples with the given mean and standard deviation. */
  public Tensor normal(Shape shape, float mean, float stddev) {
    checkArgument(stddev >= 0, "normal: stddev (%s) must be >= 0", stddev);
    float[] d = new float[shape.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) (mean + stddev * nextGaussian());
    }
    return Tensor.wrap(d, shape);
  }

  /**
   * A float32 tensor of normal samples redrawn until within two standard deviations of the mean (Keras'
   * {@code TruncatedNormal}).
   */
  public Tensor truncatedNormal(Shape shape, float mean, float stddev) {
    checkArgument(stddev >= 0, "truncatedNormal: stddev (%s) must be >= 0", stddev);
    float[] d = new float[shape.size()];
    for (int i = 0; i < d.length; i++) {
      double z;
      do {
        z = nextGaussian();
      } while (Math.abs(z) > 2.0);
      d[i] = (float) (mean + stddev * z);
    }
    return Tensor.wrap(d, shape);
  }

  /** A bool tensor whose elements are true with probability {@code p}. */
  public Tensor bernoulli(Shape shape, double p) {
    checkArgument(p >= 0 && p <= 1, "bernoulli: p (%s) must be in [0, 1]", p);
    boolean[] d = new boolean[shape.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = nextDouble() < p;
    }
    return Tensor.wrap(d, shape);
  }

  /** A uniformly random permutation of {@code 0..n-1} (Fisher-Yates). */
  public int[] permutation(int n) {
    checkArgument(n >= 0, "permutation: n (%s) must be >= 0", n);
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /**
   * {@code k} distinct values from {@code 0..n-1}, uniformly, in selection order: the first {@code k} entries of
   * a Fisher-Yates shuffle run front to back, in {@code O(k)} time and memory.
   */
  public int[] sampleWithoutReplacement(int n, int k) {
    checkArgument(n >= 0 && k >= 0 && k <= n, "sampleWithoutReplacement: need 0 <= k (%s) <= n (%s)", k, n);
    Map<Integer, Integer> swapped = new HashMap<>();
    int[] out = new int[k];
    for (int i = 0; i < k; i++) {
      int j = i + nextInt(n - i);
      int vj = swapped.getOrDefault(j, j);
      int vi = swapped.getOrDefault(i, i);
      swapped.put(j, vi);
      out[i] = vj;
    }
    return out;
  }
}
