package dev.cohort.aggregators;

/**
 * TFF's recommended model-update aggregators ({@code tff.learning.robust_aggregator}, {@code dp_aggregator},
 * {@code secure_aggregator}, {@code compression_aggregator}) with TFF's defaults and composition order: zeroing
 * outermost, then clipping, then the sum (compressed or secure) innermost.
 *
 * <ul>
 *   <li>zeroing: {@code Robust.zeroing(QuantileEstimation.noNoise(10.0, 0.98, ln 10, 2.0, 1.0), NormOrder.LINF, ..)};</li>
 *   <li>clipping: {@code Robust.clipping(QuantileEstimation.noNoise(1.0, 0.8, 0.2), ..)};</li>
 *   <li>secure: {@code new MeanFactory(SecureSumFactory.estimated(noNoise(50.0, 0.95, 1.0, 2.0, 0.0, true)),
 *       SecureSumFactory.floats(2^20 - 1, 0.0), false)}, inside clipping and zeroing whose norms are estimated with
 *       {@code secureEstimation} and whose counts are summed by {@code SecureSumFactory.integers(1, 0)};</li>
 *   <li>compression: {@code new MeanFactory(EncodedSumFactory.quantizeAboveThreshold(8, 20000, seed),
 *       new SumFactory(), false)}.</li>
 * </ul>
 */
public final class Recommended {
  /** TFF's {@code MAX_WEIGHT} bound of the secure weight sum, {@code 2^20 - 1}. */
  public static final double MAX_SECURE_WEIGHT = (1 << 20) - 1;

  private Recommended() {}

  /** TFF's default adaptive zeroing: the 0.98 quantile of the L∞ norms, times 2, plus 1. */
  public static EstimationProcess zeroingNorm() {
    return zeroingNorm(false);
  }

  private static EstimationProcess zeroingNorm(boolean secureEstimation) {
    return QuantileEstimation.noNoise(10.0, 0.98, Math.log(10), 2.0, 1.0, secureEstimation);
  }

  /** TFF's default adaptive clipping norm: the 0.8 quantile of the L2 norms. */
  public static EstimationProcess clippingNorm() {
    return clippingNorm(false);
  }

  private static EstimationProcess clippingNorm(boolean secureEstimation) {
    return QuantileEstimation.noNoise(1.0, 0.8, 0.2, 1.0, 0.0, secureEstimation);
  }

  /** TFF's {@code robust_aggregator()}: a weighted mean with adaptive clipping and zeroing. */
  public static WeightedAggregationFactory robust() {
    return robust(true, true);
  }

  /** TFF's {@code robust_aggregator(zeroing, clipping)}, weighted. */
  public static WeightedAggregationFactory robust(boolean zeroing, boolean clipping) {
    return robust(zeroing, clipping, false);
  }

  /**
   * TFF's {@code robust_aggregator(zeroing, clipping, debug_measurements_fn=add_debug_measurements)} when
   * {@code debug}: the mean reports {@link DebugMeasurements} inside clipping and zeroing.
   */
  public static WeightedAggregationFactory robust(boolean zeroing, boolean clipping, boolean debug) {
    WeightedAggregationFactory mean = new MeanFactory();
    return wrap(debug ? DebugMeasurements.add(mean) : mean, zeroing, clipping);
  }

  /** TFF's {@code robust_aggregator(zeroing, clipping, weighted=False)}. */
  public static UnweightedAggregationFactory robustUnweighted(boolean zeroing, boolean clipping) {
    UnweightedAggregationFactory f = new UnweightedMeanFactory();
    f = clipping ? Robust.clipping(clippingNorm(), f) : f;
    return zeroing ? Robust.zeroing(zeroingNorm(), NormOrder.LINF, f) : f;
  }

  /**
   * TFF's {@code dp_aggregator(noise_multiplier, clients_per_round, zeroing)}:
   * {@link DifferentiallyPrivateFactory#gaussianAdaptive} inside the default zeroing; unweighted.
   */
  public static UnweightedAggregationFactory dp(double noiseMultiplier, int clientsPerRound, boolean zeroing,
      long noiseSeed) {
    UnweightedAggregationFactory f = DifferentiallyPrivateFactory.gaussianAdaptive(noiseMultiplier, clientsPerRound,
        noiseSeed);
    return zeroing ? Robust.zeroing(zeroingNorm(), NormOrder.LINF, f) : f;
  }

  /**
   * TFF's {@code secure_aggregator(zeroing, clipping)}: the weighted mean summed securely, its bound the securely
   * estimated {@code 2 x} the 0.95 quantile of the clients' largest magnitudes, the weights summed securely in
   * {@code [0, 2^20 - 1]}; the clipping and zeroing norms are estimated securely ({@code secure_estimation}) and their
   * counts summed securely ({@code SecureSumFactory.integers(1, 0)}), as TFF does.
   */
  public static WeightedAggregationFactory secure(boolean zeroing, boolean clipping) {
    WeightedAggregationFactory f = new MeanFactory(secureValueSum(), SecureSumFactory.floats(MAX_SECURE_WEIGHT, 0.0),
        false);
    f = clipping ? Robust.clipping(clippingNorm(true), f, secureCount()) : f;
    return zeroing ? Robust.zeroing(zeroingNorm(true), NormOrder.LINF, f, secureCount()) : f;
  }

  /**
   * TFF's {@code secure_aggregator(zeroing, clipping, weighted=False)}: as {@link #secure}, the clients counted by
   * {@code SecureSumFactory.integers(1, 0)}.
   */
  public static UnweightedAggregationFactory secureUnweighted(boolean zeroing, boolean clipping) {
    UnweightedAggregationFactory f = new UnweightedMeanFactory(secureValueSum(), secureCount());
    f = clipping ? Robust.clipping(clippingNorm(true), f, secureCount()) : f;
    return zeroing ? Robust.zeroing(zeroingNorm(true), NormOrder.LINF, f, secureCount()) : f;
  }

  /** The secure value sum of {@link #secure}: bounds from {@code no_noise(50.0, 0.95, 1.0, multiplier=2.0)}, secure. */
  private static SecureSumFactory secureValueSum() {
    return SecureSumFactory.estimated(QuantileEstimation.noNoise(50.0, 0.95, 1.0, 2.0, 0.0, true));
  }

  private static UnweightedAggregationFactory secureCount() {
    return SecureSumFactory.integers(1, 0);
  }

  /**
   * TFF's {@code compression_aggregator(zeroing, clipping)}: the weighted mean of values quantised to 8 bits above
   * 20000 elements, weighted; {@code seed} keys the rounding.
   */
  public static WeightedAggregationFactory compression(boolean zeroing, boolean clipping, long seed) {
    return wrap(new MeanFactory(EncodedSumFactory.quantizeAboveThreshold(seed), new SumFactory(), false), zeroing,
        clipping);
  }

  private static WeightedAggregationFactory wrap(WeightedAggregationFactory mean, boolean zeroing, boolean clipping) {
    WeightedAggregationFactory f = clipping ? Robust.clipping(clippingNorm(), mean) : mean;
    return zeroing ? Robust.zeroing(zeroingNorm(), NormOrder.LINF, f) : f;
  }
}
