package dev.cohort.privacy;

/**
 * The privacy loss of an additive-noise mechanism (Gaussian or Laplace noise, sensitivity 1), optionally with
 * Poisson subsampling at rate q, for one of the two directions of the add-or-remove relation, and its pessimistic
 * "connect-the-dots" discretisation (Doroshenko, Ghazi, Kamath, Kumar, Manurangsi 2022, "Connect the Dots:
 * Tighter Discrete Approximations of Privacy Loss Distributions", arXiv 2207.04380, Algorithm 1), as dp_accounting
 * builds it by default.
 *
 * <p>With μ the noise density and s = 1:
 * <ul>
 *   <li>REMOVE: upper = (1-q)μ(x) + qμ(x+s), lower = μ(x);
 *   <li>ADD: upper = μ(x), lower = (1-q)μ(x) + qμ(x-s).
 * </ul>
 * The privacy loss ln(upper/lower) is non-increasing in x, so δ(ε) = P_upper(X ≤ x_ε) - e^ε P_lower(X ≤ x_ε)
 * with x_ε the inverse loss; the discretised PLD puts mass on the grid ε_k = k·d such that its hockey-stick
 * divergence equals the mechanism's at every grid point and upper-bounds it in between.
 */
final class AdditiveNoisePld {
  enum Noise { GAUSSIAN, LAPLACE }

  enum Adjacency { ADD, REMOVE }

  /** ln of the noise mass that the Gaussian tail truncation may move to +∞ (dp_accounting's default, -50). */
  static final double DEFAULT_LOG_MASS_TRUNCATION = -50;
  /** The largest single-mechanism grid accepted (a coarser interval is needed beyond it). */
  static final long MAX_POINTS = 10_000_000L;

  private static final double SENSITIVITY = 1.0;

  final Noise noise;
  final double scale;
  final double q;
  final Adjacency adjacency;
  final double logMassTruncation;

  AdditiveNoisePld(Noise noise, double scale, double q, Adjacency adjacency, double logMassTruncation) {
    this.noise = noise;
    this.scale = scale;
    this.q = q;
    this.adjacency = adjacency;
    this.logMassTruncation = logMassTruncation;
  }

  // ---- noise distribution ----

  double cdf(double x) {
    if (noise == Noise.GAUSSIAN) {
      return SpecialFunctions.normalCdf(x / scale);
    }
    if (x == Double.NEGATIVE_INFINITY) {
      return 0.0;
    }
    return x < 0 ? 0.5 * Math.exp(x / scale) : 1.0 - 0.5 * Math.exp(-x / scale);
  }

  // ---- privacy loss without subsampling, REMOVE direction ----

  private double lossWithoutSampling(double x) {
    if (noise == Noise.GAUSSIAN) {
      return SENSITIVITY * (-0.5 * SENSITIVITY - x) / (scale * scale);
    }
    return (Math.abs(x) - Math.abs(x + SENSITIVITY)) / scale;
  }

  /** The largest x whose loss (without sampling, REMOVE) is at least {@code loss}. */
  private double inverseLossWithoutSampling(double loss) {
    if (noise == Noise.GAUSSIAN) {
      return -0.5 * SENSITIVITY - loss * scale * scale / SENSITIVITY;
    }
    double t = loss * scale;
    if (t > SENSITIVITY) {
      return Double.NEGATIVE_INFINITY;
    }
    if (t <= -SENSITIVITY) {
      return Double.POSITIVE_INFINITY;
    }
    return 0.5 * (-SENSITIVITY - t);
  }

  // ---- privacy loss with subsampling ----

  private double lossRemove(double x) {
    double l = lossWithoutSampling(x);
    return q == 1.0 ? l : SubsampledGaussianRdp.logOneMinusQPlusQExp(q, l);
  }

  /** ln(upper(x)/lower(x)) for this direction. */
  double loss(double x) {
    return adjacency == Adjacency.REMOVE ? lossRemove(x) : -lossRemove(-x);
  }

  /** The largest x with loss(x) ≥ ε (±∞ at the ends of the range). */
  double inverseLoss(double epsilon) {
    if (adjacency == Adjacency.REMOVE) {
      if (q == 1.0) {
        return inverseLossWithoutSampling(epsilon);
      }
      double limit = Math.log1p(-q);
      if (isClose(epsilon, limit)) {
        return inverseLossWithoutSampling(Double.NEGATIVE_INFINITY);
      }
      return inverseLossWithoutSampling(log1pExpm1Over(epsilon, q));
    }
    if (q == 1.0) {
      return SENSITIVITY + inverseLossWithoutSampling(epsilon);
    }
    double limit = -Math.log1p(-q);
    if (isClose(epsilon, limit)) {
      return SENSITIVITY + inverseLossWithoutSampling(Double.POSITIVE_INFINITY);
    }
    return SENSITIVITY + inverseLossWithoutSampling(-log1pExpm1Over(-epsilon, q));
  }

  /** ln(1 + (e^ε - 1)/q), without overflow for large ε. */
  private static double log1pExpm1Over(double epsilon, double q) {
    if (epsilon > 30) {
      return epsilon - Math.log(q) + Math.log1p(-(1 - q) * Math.exp(-epsilon));
    }
    return Math.log1p(Math.expm1(epsilon) / q);
  }

  private static boolean isClose(double a, double b) {
    return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  }

  /** The ε-hockey-stick divergence of this direction, clipped to [0, 1]. */
  double delta(double epsilon) {
    double d;
    if (adjacency == Adjacency.REMOVE) {
      if (q < 1.0 && epsilon <= Math.log1p(-q)) {
        d = -Math.expm1(epsilon);
      } else {
        double x = inverseLoss(epsilon);
        // (1-q)F(x) + qF(x+s) - e^ε F(x), rearranged to avoid cancelling (1-q)F(x) against e^ε F(x)
        double em1 = Math.expm1(epsilon);
        d = q * cdf(x + SENSITIVITY) - (Double.isFinite(em1) ? (em1 + q) * cdf(x) : expTimesCdf(epsilon, 0, x));
      }
    } else {
      if (q < 1.0 && epsilon >= -Math.log1p(-q)) {
        d = 0.0;
      } else {
        double x = inverseLoss(epsilon);
        // F(x) - e^ε((1-q)F(x) + qF(x-s)) = (1 - e^ε(1-q))F(x) - e^ε q F(x-s)
        double keep = q == 1.0 ? 1.0 : -Math.expm1(epsilon + Math.log1p(-q));
        double e = Math.exp(epsilon);
        d = keep * cdf(x) - (Double.isFinite(e) ? e * q * cdf(x - SENSITIVITY)
            : expTimesCdf(epsilon, Math.log(q), x - SENSITIVITY));
      }
    }
    return Math.min(1.0, Math.max(0.0, d));
  }

  /**
   * e^(ε + logFactor)·F(x) in log space, for an ε past ~709 where e^ε overflows while F(x) is tiny (coarse
   * intervals put grid points there): the plain product would be ∞·0 = NaN.
   */
  private double expTimesCdf(double epsilon, double logFactor, double x) {
    double logCdf;
    if (noise == Noise.GAUSSIAN) {
      logCdf = SpecialFunctions.normalLogCdf(x / scale);
    } else {
      logCdf = x < 0 ? Math.log(0.5) + x / scale : Math.log1p(-0.5 * Math.exp(-x / scale));
    }
    return logCdf == Double.NEGATIVE_INFINITY ? 0.0 : Math.exp(epsilon + logFactor + logCdf);
  }

  /** {ε_lower, ε_upper}: the range of losses the discretisation must cover. */
  double[] epsilonBounds() {
    if (noise == Noise.LAPLACE) {
      double max = SENSITIVITY / scale;
      if (q == 1.0) {
        return new double[] {-max, max};
      }
      double up = Math.log(1 - q + q * Math.exp(max));
      double down = Math.log(1 - q + q * Math.exp(-max));
      return adjacency == Adjacency.ADD ? new double[] {-up, -down} : new double[] {down, up};
    }
    double lowerX = scale * SpecialFunctions.normalQuantile(0.5 * Math.exp(logMassTruncation));
    double upperX = -lowerX;
    if (adjacency == Adjacency.ADD) {
      upperX += SENSITIVITY;
    } else {
      lowerX -= SENSITIVITY;
    }
    return new double[] {loss(upperX), loss(lowerX)};
  }

  /** The pessimistic connect-the-dots PMF on the grid of multiples of {@code interval}. */
  PldPmf connectTheDots(double interval) {
    double[] bounds = epsilonBounds();
    if (!Double.isFinite(bounds[0]) || !Double.isFinite(bounds[1])) {
      throw new InvalidParameterException(ParameterText.of(ParameterText.named("noiseMultiplier", scale),
          " must be larger for PLD accounting: the privacy loss of this mechanism spans [" + bounds[0] + ", "
              + bounds[1] + "], beyond the range of a double; the RDP accountant reports epsilon = +infinity "
              + "there"));
    }
    // In double arithmetic: a span beyond 2^63 grid points must not wrap around to a small count.
    double lower = Math.floor(bounds[0] / interval);
    double count = Math.ceil(bounds[1] / interval) - lower + 1;
    if (count > MAX_POINTS) {
      throw new InvalidParameterException(ParameterText.of(ParameterText.named("interval", interval),
          " must be coarser for ", ParameterText.named("noiseMultiplier", scale), ": the privacy loss of this "
              + "mechanism spans [" + bounds[0] + ", " + bounds[1] + "], which would need "
              + (count < 0x1p63 ? Long.toString((long) count) : Double.toString(count)) + " grid points (at most "
              + MAX_POINTS + ")"));
    }
    long lo = (long) lower;
    int n = (int) count;
    double[] deltas = new double[n];
    double running = 1.0;
    for (int k = 0; k < n; k++) {
      // δ(ε) is non-increasing in ε; the running minimum removes round-off wiggles (as dp_accounting does).
      running = Math.min(running, delta((lo + k) * interval));
      deltas[k] = running;
    }
    if (n == 1) {
      return new PldPmf(interval, lo, new double[] {1.0 - deltas[0]}, deltas[0]);
    }
    double em1 = Math.expm1(interval);
    double e = Math.exp(interval);
    double[] probs = new double[n];
    probs[0] = 1.0 - deltas[0] + (deltas[1] - deltas[0]) / em1;
    for (int k = 1; k < n - 1; k++) {
      probs[k] = Double.isFinite(e)
          ? ((deltas[k + 1] - deltas[k]) - e * (deltas[k] - deltas[k - 1])) / em1
          // An interval past ~709 overflows e^d; e^d/(e^d - 1) = -1/expm1(-d) does not (and 1/expm1(d) is 0).
          : (deltas[k + 1] - deltas[k]) / em1 + (deltas[k] - deltas[k - 1]) / Math.expm1(-interval);
    }
    probs[n - 1] = (deltas[n - 1] - deltas[n - 2]) / Math.expm1(-interval);
    for (int k = 0; k < n; k++) {
      if (probs[k] < 0) {
        probs[k] = 0.0;
      }
    }
    return new PldPmf(interval, lo, probs, deltas[n - 1]);
  }
}
