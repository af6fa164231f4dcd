package dev.cohort.analytics;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedSum;

import dev.cohort.core.Computation;
import dev.cohort.core.types.FederatedType;
import dev.cohort.privacy.DpEvent;
import dev.cohort.privacy.PrivacyAccountant;
import dev.cohort.privacy.PrivacyGuarantee;

/**
 * A differentially private histogram over a closed domain of {@code n} bins (records are the integers
 * {@code 0..n-1}, e.g. category indices), as the Cohort computation {@code ({int32[?]*}@CLIENTS ->
 * float32[n]@SERVER)}: each client counts each of its first {@code k} distinct records once (so one client changes
 * at most {@code k} bins by 1: L1 sensitivity {@code k}, L2 sensitivity {@code sqrt(k)}), the server sums the
 * clients' histograms with {@code federated_sum} and adds independent noise to each bin, Laplace of scale
 * {@code z * k} or Gaussian of standard deviation {@code z * sqrt(k)}, where {@code z} is the noise multiplier.
 *
 * <pre>{@code
 * DpHistogram h = DpHistogram.builder(10).maxBinsPerClient(2).gaussian(1.0).seed(7).build();
 * float[] noisy = ((Tensor) ((FederatedValue) h.computation().call(clients)).value()).floatData();
 * PrivacyGuarantee g = h.guarantee(RdpAccountant.create(), 1e-6);   // user-level (ε, 1e-6), one release
 * }</pre>
 *
 * <p>The guarantee is user-level (one client per user) under add-or-remove-one of a client, for one release; the
 * noise is drawn from a stream keyed on the seed, which must be secret (and fresh per release) for the guarantee to
 * hold in a deployment. The noise is drawn in double precision and rounded to float32, not hardened against
 * floating-point attacks (Mironov 2012).
 *
 * @param numBins the domain size {@code n}, at least 1
 * @param maxBinsPerClient {@code k}, the distinct records a client contributes, at least 1
 * @param gaussian whether the noise is Gaussian (else Laplace)
 * @param noiseMultiplier {@code z}, the noise scale over the sensitivity, at least 0 (0: no noise)
 * @param seed the key of the noise stream
 */
public record DpHistogram(int numBins, int maxBinsPerClient, boolean gaussian, double noiseMultiplier, long seed) {
  /**
   * Checks the parameters.
   *
   * @throws IllegalArgumentException naming the parameter, its range and its value
   */
  public DpHistogram {
    if (numBins < 1) {
      throw new IllegalArgumentException("num_bins must be at least 1, got " + numBins);
    }
    if (maxBinsPerClient < 1) {
      throw new IllegalArgumentException("max_bins_per_client must be at least 1, got " + maxBinsPerClient);
    }
    if (!(noiseMultiplier >= 0) || Double.isInfinite(noiseMultiplier)) {
      throw new IllegalArgumentException("noise_multiplier must be finite and at least 0, got " + noiseMultiplier);
    }
  }

  /** A builder over {@code numBins} bins: one record per client, no noise, seed 0. */
  public static Builder builder(int numBins) {
    return new Builder(numBins);
  }

  /** Builds a {@link DpHistogram}. */
  public static final class Builder {
    private final int numBins;
    private int maxBinsPerClient = 1;
    private boolean gaussian = true;
    private double noiseMultiplier;
    private long seed;

    private Builder(int numBins) {
      this.numBins = numBins;
    }

    /** The distinct records each client contributes (default 1). */
    public Builder maxBinsPerClient(int k) {
      this.maxBinsPerClient = k;
      return this;
    }

    /** Gaussian noise of standard deviation {@code z * sqrt(k)}. */
    public Builder gaussian(double noiseMultiplier) {
      this.gaussian = true;
      this.noiseMultiplier = noiseMultiplier;
      return this;
    }

    /** Laplace noise of scale {@code z * k}: {@code (1/z)}-DP. */
    public Builder laplace(double noiseMultiplier) {
      this.gaussian = false;
      this.noiseMultiplier = noiseMultiplier;
      return this;
    }

    /** The key of the noise stream (default 0). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * The histogram.
     *
     * @throws IllegalArgumentException for a parameter out of range
     */
    public DpHistogram build() {
      return new DpHistogram(numBins, maxBinsPerClient, gaussian, noiseMultiplier, seed);
    }
  }

  /** The sensitivity the noise is scaled to: {@code k} (L1) for Laplace, {@code sqrt(k)} (L2) for Gaussian. */
  public double sensitivity() {
    return gaussian ? Math.sqrt(maxBinsPerClient) : maxBinsPerClient;
  }

  /** The noise per bin: the Laplace scale or the Gaussian standard deviation. */
  public double noiseScale() {
    return noiseMultiplier * sensitivity();
  }

  /** The federated computation {@code ({int32[?]*}@CLIENTS -> float32[n]@SERVER)}. */
  public Computation computation() {
    Computation client = AnalyticsLocals.distinctBins(numBins, maxBinsPerClient);
    Computation noise = AnalyticsLocals.noisy("histogram", numBins, gaussian, noiseScale(), seed);
    return Computation.federated("dp_histogram", "records", FederatedType.atClients(AnalyticsLocals.INT_RECORDS),
        records -> federatedMap(noise, federatedSum(federatedMap(client, records))));
  }

  /**
   * The event of one release, for an accountant.
   *
   * @throws IllegalStateException without noise (there is no guarantee)
   */
  public DpEvent dpEvent() {
    if (noiseMultiplier == 0) {
      throw new IllegalStateException("a histogram without noise (noise_multiplier 0) is not differentially private");
    }
    return gaussian ? DpEvent.gaussian(noiseMultiplier) : DpEvent.laplace(noiseMultiplier);
  }

  /** The (ε, δ) of one release at {@code delta}, by {@code accountant} (an empty one). */
  public PrivacyGuarantee guarantee(PrivacyAccountant accountant, double delta) {
    return accountant.compose(dpEvent()).epsilon(delta);
  }
}
