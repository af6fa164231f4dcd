package dev.cohort.testing;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Seeded cases for property tests written as JUnit 5 parameterized tests.
 *
 * <pre>{@code
 * static Stream<Cases.Case> cases() { return Cases.of(20260425, 200); }
 *
 * @ParameterizedTest @MethodSource("cases")
 * void sumIsCommutative(Cases.Case c) {
 *   double a = c.random().nextDouble(), b = c.random().nextDouble();
 *   assertThat(a + b).isEqualTo(b + a);
 * }
 * }</pre>
 *
 * <p>Every run draws the same cases. Each case has its own seed, derived from the suite's seed and the case's index,
 * and prints as {@code case 17 (seed 0x...)}, so the report of a failing case names what reproduces it:
 * {@code Cases.Case.ofSeed(0x...)} rebuilds that case alone.
 */
public final class Cases {
  private Cases() {}

  /** One property-test case: its index in the suite and a random source seeded for it alone. */
  public static final class Case {
    private final int index;
    private final long seed;
    private final SplittableRandom random;

    private Case(int index, long seed) {
      this.index = index;
      this.seed = seed;
      this.random = new SplittableRandom(seed);
    }

    /** Rebuilds one case from the seed a failure report printed. */
    public static Case ofSeed(long seed) {
      return new Case(0, seed);
    }

    /** The case's index in its suite. */
    public int index() {
      return index;
    }

    /** The seed that reproduces this case. */
    public long seed() {
      return seed;
    }

    /** This case's random source; draws from it are the same in every run. */
    public SplittableRandom random() {
      return random;
    }

    /** A double uniform in {@code [min, max)}. */
    public double uniform(double min, double max) {
      return random.nextDouble(min, max);
    }

    /** A double whose logarithm is uniform in {@code [log min, log max)} (for rates and scales). */
    public double logUniform(double min, double max) {
      return Math.exp(random.nextDouble(Math.log(min), Math.log(max)));
    }

    /** A long uniform in {@code [min, max]}. */
    public long between(long min, long max) {
      return random.nextLong(min, max + 1);
    }

    /** An int uniform in {@code [min, max]}. */
    public int between(int min, int max) {
      return random.nextInt(min, max + 1);
    }

    @Override
    public String toString() {
      return "case " + index + " (seed 0x" + Long.toHexString(seed) + ")";
    }
  }

  /** {@code count} cases drawn from {@code suiteSeed}; the same arguments give the same cases. */
  public static Stream<Case> of(long suiteSeed, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("count (" + count + ") must be at least 1");
    }
    SplittableRandom seeds = new SplittableRandom(suiteSeed);
    long[] perCase = seeds.longs(count).toArray();
    return IntStream.range(0, count).mapToObj(i -> new Case(i, perCase[i]));
  }
}
