package dev.cohort.privacy;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An RDP accountant for training loops: record each round's noise multiplier, sampling rate and sampling kind,
 * and read the cumulative (ε, δ) at any time. Its ledger is an immutable {@link RdpAccountant} (the running RDP sum
 * per order), replaced on each round; it caches the per-round RDP curve of every (sampling rate, noise multiplier)
 * pair it has seen, so a read costs one pass over the order grid and a round with known parameters costs one
 * vector addition; nothing is recomputed from history.
 *
 * <p>The guarantee is computed for one {@link Sampling} assumption: {@link Sampling#POISSON} uses the
 * Poisson-subsampled Gaussian under add-or-remove-one (as TFF's DP tutorial and dp_accounting do);
 * {@link Sampling#FIXED_SIZE} uses sampling without replacement under replace-one (Wang, Balle and
 * Kasiviswanathan 2019). A round recorded with the other kind is still accounted under the assumption, but the
 * result then carries a warning (also logged once at WARNING), because the bound does not strictly cover such
 * rounds; a common case is fixed-size client selection reported as if it were Poisson.
 *
 * <pre>{@code
 * IncrementalAccountant acc = IncrementalAccountant.builder().delta(1e-5).build();
 * for (int round = 0; round < 100; round++) {
 *   acc.recordRound(1.2, 120.0 / 3383, Sampling.POISSON);
 *   double epsilon = acc.spent().epsilon();
 * }
 * }</pre>
 *
 * <p>Thread-safe (methods are synchronized).
 */
public final class IncrementalAccountant {
  private static final System.Logger LOG = System.getLogger("dev.cohort.privacy");
  /** Distinct (q, σ) curves kept; adaptive schemes that change σ every round simply recompute. */
  private static final int CACHE_LIMIT = 4096;

  private final Sampling assumed;
  private final double delta;
  private final Map<Key, double[]> cache = new HashMap<>();
  private final Set<String> loggedEdges = new HashSet<>();
  private RdpAccountant ledger;
  private long rounds;
  private PrivacyGuarantee lastAtDelta;

  private record Key(double samplingRate, double noiseMultiplier) {}

  private IncrementalAccountant(Builder b) {
    this.assumed = b.assumedSampling;
    this.delta = b.delta;
    // Poisson sampling is accounted under add-or-remove-one, fixed-size sampling under replace-one.
    this.ledger = RdpAccountant.empty(b.settings, assumed == Sampling.POISSON
        ? NeighboringRelation.ADD_OR_REMOVE_ONE : NeighboringRelation.REPLACE_ONE);
  }

  /** A builder with δ = 1e-5, Poisson sampling, dp_accounting's grid, improved conversion, exact orders. */
  public static Builder builder() {
    return new Builder();
  }

  /** Settings of an {@link IncrementalAccountant}. */
  public static final class Builder {
    private RdpSettings settings = RdpSettings.DEFAULTS;
    private Sampling assumedSampling = Sampling.POISSON;
    private double delta = 1e-5;

    private Builder() {}

    /** The δ at which {@link #spent()} reports ε (default 1e-5). */
    public Builder delta(double delta) {
      this.delta = Checks.delta("delta", delta);
      return this;
    }

    /** The sampling the guarantee assumes (default {@link Sampling#POISSON}). */
    public Builder assumedSampling(Sampling sampling) {
      this.assumedSampling = Checks.notNull("sampling", sampling);
      return this;
    }

    /** The Rényi orders (default {@link OrderGrid#dpAccounting()}). */
    public Builder orders(OrderGrid orders) {
      settings = settings.withOrders(orders);
      return this;
    }

    /** The RDP → (ε, δ) conversion (default {@link Conversion#IMPROVED}). */
    public Builder conversion(Conversion conversion) {
      settings = settings.withConversion(conversion);
      return this;
    }

    /** The fractional-order mode (default {@link FractionalOrders#EXACT}). */
    public Builder fractionalOrders(FractionalOrders fractionalOrders) {
      settings = settings.withFractionalOrders(fractionalOrders);
      return this;
    }

    /** The accountant, with no rounds recorded. */
    public IncrementalAccountant build() {
      return new IncrementalAccountant(this);
    }
  }

  /**
   * Records one round that added Gaussian noise with the given multiplier to a sum over the sampled records.
   *
   * @param noiseMultiplier noise standard deviation over the L2 sensitivity (clipping norm), &gt; 0
   * @param samplingRate q: the Poisson inclusion probability, or sample size / population for fixed-size sampling
   * @param sampling how the round actually sampled
   */
  public void recordRound(double noiseMultiplier, double samplingRate, Sampling sampling) {
    recordRounds(noiseMultiplier, samplingRate, sampling, 1);
  }

  /**
   * Records {@code count} identical rounds (see {@link #recordRound}).
   *
   * @throws InvalidParameterException for an invalid argument, or if the total number of rounds would exceed
   *     2^63 - 1
   */
  public synchronized void recordRounds(double noiseMultiplier, double samplingRate, Sampling sampling,
      long count) {
    Checks.positive("noiseMultiplier", noiseMultiplier);
    Checks.probability("samplingRate", samplingRate);
    Checks.notNull("sampling", sampling);
    Checks.nonNegative("count", count);
    if (count == 0) {
      return;
    }
    if (count > Long.MAX_VALUE - rounds) {
      throw Checks.invalid("count", count, "must be at most " + (Long.MAX_VALUE - rounds) + ": " + rounds
          + " rounds are recorded, and the total must fit a long");
    }
    Set<ParameterText> notes = new LinkedHashSet<>();
    if (sampling != assumed && samplingRate > 0 && samplingRate < 1) {
      notes.add(ParameterText.of("rounds that used " + sampling + " sampling were accounted as " + assumed
          + " sampling (the assumption of this accountant); epsilon does not strictly cover them"));
    }
    double[] perRound = cache.get(new Key(samplingRate, noiseMultiplier));
    if (perRound == null) {
      perRound = assumed == Sampling.POISSON
          ? RdpAccountant.poissonGaussian(samplingRate, noiseMultiplier, ledger.orders(),
              ledger.fractionalOrders(), notes::add)
          : RdpAccountant.withoutReplacementGaussian(samplingRate, noiseMultiplier, ledger.orders());
      if (cache.size() >= CACHE_LIMIT) {
        cache.clear();
      }
      cache.put(new Key(samplingRate, noiseMultiplier), perRound);
    }
    for (ParameterText w : notes) {
      if (!ledger.notes().contains(w)) {
        LOG.log(System.Logger.Level.WARNING, w.toString()); // once: the ledger keeps it from now on
      }
    }
    ledger = ledger.plus(perRound, count, notes);
    rounds += count;
    lastAtDelta = null;
  }

  /** The cumulative guarantee at the configured δ (recomputed only after new rounds). */
  public synchronized PrivacyGuarantee spent() {
    if (lastAtDelta == null) {
      lastAtDelta = spent(delta);
    }
    return lastAtDelta;
  }

  /** The cumulative guarantee at another δ. */
  public synchronized PrivacyGuarantee spent(double delta) {
    return logOnce(ledger.quietEpsilon(delta));
  }

  /** The cumulative δ at the given ε. */
  public synchronized PrivacyGuarantee deltaAt(double epsilon) {
    return logOnce(ledger.quietDelta(epsilon));
  }

  /** Logs a grid-edge warning the first time this accountant meets it (a training loop reads every round). */
  private PrivacyGuarantee logOnce(PrivacyGuarantee g) {
    String w = RdpConversion.edgeWarning(g);
    if (w != null && loggedEdges.add(w)) {
      LOG.log(System.Logger.Level.WARNING, w);
    }
    return g;
  }

  /** The number of rounds recorded. */
  public synchronized long rounds() {
    return rounds;
  }

  /** The configured δ of {@link #spent()}. */
  public double delta() {
    return delta;
  }

  /** The sampling the guarantee assumes. */
  public Sampling assumedSampling() {
    return assumed;
  }

  /** The cumulative RDP per order of {@link #orders()}, a copy. */
  public synchronized double[] rdp() {
    return ledger.rdp();
  }

  /** The order grid. */
  public synchronized OrderGrid orders() {
    return ledger.orders();
  }

  /** The warnings raised so far. */
  public synchronized List<String> warnings() {
    return ledger.notes().stream().map(ParameterText::toString).toList();
  }
}
