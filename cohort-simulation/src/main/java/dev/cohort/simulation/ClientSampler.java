package dev.cohort.simulation;

import dev.cohort.tensor.RandomStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * Which clients take part in a round. Every sampler is a pure function of its settings and the round: round
 * {@code r}'s clients are computed from {@code RandomStream.of(seed, r, purpose)} alone, so a resumed run knows them
 * without replaying rounds {@code 1..r-1}, and the same seed gives the same clients on any machine.
 */
public sealed interface ClientSampler permits ClientSampler.Uniform, ClientSampler.Poisson, ClientSampler.Fixed {
  /** The clients of round {@code round}, in the order they were drawn; never the same client twice. */
  List<String> sample(long round);

  /**
   * {@code perRound} distinct clients per round, uniformly from {@code population} (TFF's
   * {@code build_uniform_sampling_fn(..., replace=False)}).
   */
  static Uniform uniform(List<String> population, int perRound, long seed) {
    return new Uniform(population, perRound, seed);
  }

  /**
   * Each client of {@code population} independently with probability {@code rate}, so the number per round varies
   * (Poisson sampling, the assumption of DP accounting's {@code PoissonSampled} event).
   */
  static Poisson poisson(List<String> population, double rate, long seed) {
    return new Poisson(population, rate, seed);
  }

  /** The same clients every round. */
  static Fixed fixed(List<String> clients) {
    return new Fixed(clients);
  }

  /**
   * Uniform sampling without replacement within a round.
   *
   * @param population the clients to draw from, distinct
   * @param perRound how many per round, at most the population
   * @param seed the seed
   */
  record Uniform(List<String> population, int perRound, long seed) implements ClientSampler {
    /** The purpose folded into this sampler's streams. */
    private static final long PURPOSE = 0x554E_4946_4F52_4DL; // "UNIFORM"

    /** Validates the settings and copies the population. */
    public Uniform {
      population = distinct(population, "uniform");
      if (perRound < 0 || perRound > population.size()) {
        throw new IllegalArgumentException("uniform client sampling: clients per round (" + perRound
            + ") must be in [0, " + population.size() + "], the population");
      }
    }

    @Override
    public List<String> sample(long round) {
      int[] picked = RandomStream.of(seed, round, PURPOSE).sampleWithoutReplacement(population.size(), perRound);
      List<String> out = new ArrayList<>(picked.length);
      for (int i : picked) {
        out.add(population.get(i));
      }
      return out;
    }
  }

  /**
   * Poisson sampling: every client independently with probability {@code rate}. Drawn by skipping geometric gaps,
   * so a round costs time in proportion to the clients it selects, not to the population.
   *
   * @param population the clients to draw from, distinct
   * @param rate the probability of each client, in [0, 1]
   * @param seed the seed
   */
  record Poisson(List<String> population, double rate, long seed) implements ClientSampler {
    /** The purpose folded into this sampler's streams. */
    private static final long PURPOSE = 0x504F_4953_534F_4EL; // "POISSON"

    /** Validates the settings and copies the population. */
    public Poisson {
      population = distinct(population, "Poisson");
      if (!(rate >= 0 && rate <= 1)) {
        throw new IllegalArgumentException("Poisson client sampling: rate (" + rate + ") must be in [0, 1]");
      }
    }

    @Override
    public List<String> sample(long round) {
      List<String> out = new ArrayList<>();
      if (rate == 0) {
        return out;
      }
      if (rate == 1) {
        return new ArrayList<>(population);
      }
      RandomStream random = RandomStream.of(seed, round, PURPOSE);
      double logMiss = Math.log1p(-rate);
      long i = -1;
      while (true) {
        double u = 1.0 - random.nextDouble(); // (0, 1]
        i += 1 + (long) Math.floor(Math.log(u) / logMiss);
        if (i >= population.size() || i < 0) {
          return out;
        }
        out.add(population.get((int) i));
      }
    }
  }

  /**
   * The same clients every round.
   *
   * @param clients the clients, distinct
   */
  record Fixed(List<String> clients) implements ClientSampler {
    /** Copies the clients. */
    public Fixed {
      clients = distinct(clients, "fixed");
    }

    @Override
    public List<String> sample(long round) {
      return clients;
    }
  }

  private static List<String> distinct(List<String> clients, String sampler) {
    List<String> copy = List.copyOf(Objects.requireNonNull(clients, "clients"));
    HashSet<String> seen = new HashSet<>();
    for (String c : copy) {
      if (!seen.add(c)) {
        throw new IllegalArgumentException(sampler + " client sampling: client '" + c
            + "' appears more than once in the population");
      }
    }
    return copy;
  }
}
