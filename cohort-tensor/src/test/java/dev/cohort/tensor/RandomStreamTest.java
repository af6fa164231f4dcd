package dev.cohort.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class RandomStreamTest {

  // Known-answer vectors of Philox-4x32-10 from Random123's kat_vectors file (Salmon et al. 2011).
  @Test
  void philoxMatchesRandom123KnownAnswers() {
    int[] out = new int[4];
    RandomStream.philox(0, 0, 0, 0, 0, 0, out);
    assertThat(out).containsExactly(0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8);
    RandomStream.philox(-1, -1, -1, -1, -1, -1, out);
    assertThat(out).containsExactly(0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd);
    RandomStream.philox(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out);
    assertThat(out).containsExactly(0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1);
  }

  @Test
  void sameKeyGivesSameNumbersOnAnyThreadInAnyOrder() throws Exception {
    float[] expected = RandomStream.of(42, 7, 3).uniform(Shape.of(1000), 0, 1).toFloatArray();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Future<float[]>[] futures = new Future[8];
      for (int i = 0; i < futures.length; i++) {
        int other = i;
        futures[i] = pool.submit(() -> {
          RandomStream.of(42, other, 99).nextInt(); // unrelated streams in between
          return RandomStream.of(42, 7, 3).uniform(Shape.of(1000), 0, 1).toFloatArray();
        });
      }
      for (Future<float[]> f : futures) {
        assertThat(f.get()).containsExactly(expected);
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void differentKeysAndSeedsGiveDifferentStreams() {
    long a = RandomStream.of(1, 2).nextLong();
    assertThat(RandomStream.of(1, 3).nextLong()).isNotEqualTo(a);
    assertThat(RandomStream.of(2, 2).nextLong()).isNotEqualTo(a);
    assertThat(RandomStream.of(1).nextLong()).isNotEqualTo(a);
    assertThat(RandomStream.of(1, 2, 0).nextLong()).isNotEqualTo(a);
  }

  @Test
  void forkDependsOnTheKeyNotThePosition() {
    RandomStream s = RandomStream.of(5);
    long child = s.fork(9).nextLong();
    s.nextLong();
    s.nextLong();
    assertThat(s.fork(9).nextLong()).isEqualTo(child);
    assertThat(RandomStream.of(5, 9).nextLong()).isEqualTo(child);
  }

  @Test
  void uniformMomentsAreRight() {
    RandomStream s = RandomStream.of(11);
    int n = 200_000;
    double sum = 0;
    double sq = 0;
    for (int i = 0; i < n; i++) {
      double u = s.nextDouble();
      assertThat(u).isGreaterThanOrEqualTo(0).isLessThan(1);
      sum += u;
      sq += u * u;
    }
    double mean = sum / n;
    // mean 1/2 and variance 1/12; standard error of the mean is sqrt(1/12/n) ~ 6.5e-4.
    assertThat(mean).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.004));
    assertThat(sq / n - mean * mean).isCloseTo(1.0 / 12, org.assertj.core.data.Offset.offset(0.002));
  }

  @Test
  void gaussianMomentsAreRight() {
    RandomStream s = RandomStream.of(12);
    int n = 200_000;
    double sum = 0;
    double sq = 0;
    double fourth = 0;
    for (int i = 0; i < n; i++) {
      double z = s.nextGaussian();
      sum += z;
      sq += z * z;
      fourth += z * z * z * z;
    }
    assertThat(sum / n).isCloseTo(0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(sq / n).isCloseTo(1, org.assertj.core.data.Offset.offset(0.02));
    assertThat(fourth / n).isCloseTo(3, org.assertj.core.data.Offset.offset(0.1));
  }

  @Test
  void truncatedNormalStaysWithinTwoStandardDeviations() {
    Tensor t = RandomStream.of(3).truncatedNormal(Shape.of(10_000), 1f, 0.5f);
    for (float v : t.floatData()) {
      assertThat(v).isBetween(0f, 2f);
    }
    // The normal truncated to [-2, 2] has variance 1 - 4 phi(2) / (2 Phi(2) - 1) = 0.7737.
    double mean = t.mean().floatValue();
    double var = 0;
    for (float v : t.floatData()) {
      var += (v - mean) * (v - mean);
    }
    assertThat(var / t.size()).isCloseTo(0.7737 * 0.25, org.assertj.core.data.Offset.offset(0.01));
  }

  @Test
  void boundedIntsAreUniform() {
    RandomStream s = RandomStream.of(4);
    int[] counts = new int[7];
    for (int i = 0; i < 70_000; i++) {
      counts[s.nextInt(7)]++;
    }
    for (int c : counts) {
      assertThat(c).isBetween(9_500, 10_500);
    }
  }

  @Test
  void bernoulliFrequencyMatchesP() {
    Tensor t = RandomStream.of(8).bernoulli(Shape.of(100_000), 0.3);
    int ones = 0;
    for (boolean b : t.boolData()) {
      ones += b ? 1 : 0;
    }
    assertThat(ones / 100_000.0).isCloseTo(0.3, org.assertj.core.data.Offset.offset(0.006));
  }

  @Test
  void permutationIsAPermutationAndVariesWithKey() {
    int[] p = RandomStream.of(1).permutation(100);
    int[] sorted = p.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < 100; i++) {
      assertThat(sorted[i]).isEqualTo(i);
    }
    assertThat(RandomStream.of(2).permutation(100)).isNotEqualTo(p);
  }

  @Test
  void sampleWithoutReplacementIsTheFrontOfAFrontToBackFisherYatesShuffle() {
    int n = 50;
    int[] dense = new int[n];
    for (int i = 0; i < n; i++) {
      dense[i] = i;
    }
    RandomStream s = RandomStream.of(21);
    for (int i = 0; i < n; i++) {
      int j = i + s.nextInt(n - i);
      int t = dense[i];
      dense[i] = dense[j];
      dense[j] = t;
    }
    assertThat(RandomStream.of(21).sampleWithoutReplacement(n, 12)).containsExactly(Arrays.copyOf(dense, 12));
  }

  @Test
  void sampleWithoutReplacementIsDistinctAndUniform() {
    int[] sample = RandomStream.of(9).sampleWithoutReplacement(1000, 50);
    Set<Integer> seen = new HashSet<>();
    for (int v : sample) {
      assertThat(v).isBetween(0, 999);
      assertThat(seen.add(v)).isTrue();
    }
    // Drawing all n gives a permutation.
    int[] all = RandomStream.of(9).sampleWithoutReplacement(10, 10);
    int[] sorted = all.clone();
    Arrays.sort(sorted);
    assertThat(sorted).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    // Each element is equally likely to be chosen.
    int[] counts = new int[10];
    RandomStream s = RandomStream.of(10);
    for (int i = 0; i < 20_000; i++) {
      for (int v : s.sampleWithoutReplacement(10, 3)) {
        counts[v]++;
      }
    }
    for (int c : counts) {
      assertThat(c).isBetween(5_600, 6_400);
    }
  }

  @Test
  void badArgumentsAreRejected() {
    RandomStream s = RandomStream.of(0);
    assertThatThrownBy(() -> s.nextInt(0)).hasMessage("nextInt: bound (0) must be > 0");
    assertThatThrownBy(() -> s.sampleWithoutReplacement(3, 4)).hasMessage("sampleWithoutReplacement: need 0 <= k (4) <= n (3)");
    assertThatThrownBy(() -> s.bernoulli(Shape.of(2), 1.5)).hasMessage("bernoulli: p (1.5) must be in [0, 1]");
  }
}
