package dev.cohort.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientSamplerTest {
  static List<String> population(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(String.format("client%04d", i));
    }
    return out;
  }

  @Test
  void roundRsClientsDependOnlyOnTheSeedAndR() {
    for (ClientSampler s : List.of(ClientSampler.uniform(population(500), 10, 7),
        ClientSampler.poisson(population(500), 0.02, 7))) {
      List<String> round37 = s.sample(37);
      for (long r = 1; r < 37; r++) {
        s.sample(r);
      }
      assertThat(s.sample(37)).as("%s", s).isEqualTo(round37);
      assertThat(s.sample(38)).as("%s", s).isNotEqualTo(round37);
    }
    assertThat(ClientSampler.uniform(population(500), 10, 8).sample(37))
        .isNotEqualTo(ClientSampler.uniform(population(500), 10, 7).sample(37));
  }

  @Test
  void uniformSamplingNeverRepeatsAClientWithinARoundAndCoversThePopulationEvenly() {
    ClientSampler s = ClientSampler.uniform(population(50), 20, 3);
    int[] hits = new int[50];
    int rounds = 2000;
    for (long r = 0; r < rounds; r++) {
      List<String> clients = s.sample(r);
      assertThat(clients).hasSize(20).doesNotHaveDuplicates();
      clients.forEach(c -> hits[Integer.parseInt(c.substring(6))]++);
    }
    double p = 20 / 50.0;
    double sigma = Math.sqrt(rounds * p * (1 - p));
    for (int h : hits) {
      assertThat(Math.abs(h - rounds * p)).isLessThan(4 * sigma);
    }
    assertThat(ClientSampler.uniform(population(5), 5, 1).sample(0)).containsExactlyInAnyOrderElementsOf(
        population(5));
  }

  @Test
  void poissonSamplingSelectsEachClientAtItsRate() {
    int n = 1000;
    double q = 0.03;
    int rounds = 400;
    ClientSampler s = ClientSampler.poisson(population(n), q, 11);
    long total = 0;
    int[] hits = new int[n];
    List<Integer> sizes = new ArrayList<>();
    for (long r = 0; r < rounds; r++) {
      List<String> clients = s.sample(r);
      assertThat(clients).doesNotHaveDuplicates().isSorted();
      total += clients.size();
      sizes.add(clients.size());
      clients.forEach(c -> hits[Integer.parseInt(c.substring(6))]++);
    }
    double mean = (double) n * rounds * q;
    assertThat(Math.abs(total - mean)).isLessThan(4 * Math.sqrt(n * rounds * q * (1 - q)));
    assertThat(new HashSet<>(sizes)).hasSizeGreaterThan(5);
    int firstHalf = 0;
    for (int i = 0; i < n / 2; i++) {
      firstHalf += hits[i];
    }
    double half = mean / 2;
    assertThat(Math.abs(firstHalf - half)).isLessThan(4 * Math.sqrt(n / 2.0 * rounds * q * (1 - q)));
    assertThat(ClientSampler.poisson(population(10), 0, 1).sample(3)).isEmpty();
    assertThat(ClientSampler.poisson(population(10), 1, 1).sample(3)).isEqualTo(population(10));
  }

  @Test
  void aFixedListIsEveryRoundsClients() {
    ClientSampler s = ClientSampler.fixed(List.of("b", "a"));
    assertThat(s.sample(0)).containsExactly("b", "a");
    assertThat(s.sample(99)).containsExactly("b", "a");
  }

  @Test
  void badSettingsAreRefusedNamingThem() {
    assertThatThrownBy(() -> ClientSampler.uniform(population(3), 4, 1))
        .hasMessage("uniform client sampling: clients per round (4) must be in [0, 3], the population");
    assertThatThrownBy(() -> ClientSampler.poisson(population(3), 1.5, 1))
        .hasMessage("Poisson client sampling: rate (1.5) must be in [0, 1]");
    assertThatThrownBy(() -> ClientSampler.fixed(List.of("a", "a")))
        .hasMessage("fixed client sampling: client 'a' appears more than once in the population");
  }
}
