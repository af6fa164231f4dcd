package dev.cohort.privacy;

/**
 * A discretised privacy loss distribution: probability {@code probs[k]} at loss (lowerIndex + k)·interval, plus
 * {@code infinityMass} at +∞. Immutable (arrays are never exposed). The operations follow dp_accounting's
 * {@code DensePLDPmf}; all rounding is pessimistic (losses rounded up, truncated upper tails moved to +∞).
 */
final class PldPmf {
  final double interval;
  final long lowerIndex;
  final double[] probs;
  final double infinityMass;

  PldPmf(double interval, long lowerIndex, double[] probs, double infinityMass) {
    this.interval = interval;
    this.lowerIndex = lowerIndex;
    this.probs = probs;
    this.infinityMass = infinityMass;
  }

  int size() {
    return probs.length;
  }

  double loss(int k) {
    return ((double) lowerIndex + k) * interval; // in double: lowerIndex + k may exceed a long's range
  }

  /**
   * δ(ε) = P(loss = ∞) + Σ_{loss &gt; ε} p·(1 - e^{ε - loss}), the ε-hockey-stick divergence of the pair of
   * distributions this PLD describes.
   */
  double deltaForEpsilon(double epsilon) {
    double delta = infinityMass;
    for (int k = probs.length - 1; k >= 0; k--) {
      double loss = loss(k);
      if (loss <= epsilon) {
        break;
      }
      delta += -Math.expm1(epsilon - loss) * probs[k];
    }
    return delta;
  }

  /** The smallest ε ≥ 0 with δ(ε) ≤ δ, or +∞ if the mass at +∞ already exceeds δ. */
  double epsilonForDelta(double delta) {
    if (infinityMass > delta) {
      return Double.POSITIVE_INFINITY;
    }
    double massUpper = infinityMass;
    double massLower = 0.0;
    for (int k = probs.length - 1; k >= 0; k--) {
      double loss = loss(k);
      if (massUpper > delta && massLower > 0 && Math.log((massUpper - delta) / massLower) >= loss) {
        break; // ε lies at or above this loss
      }
      if (loss <= 0) {
        // ε lies below a loss ≤ 0, so ε = 0 meets δ. Stopping here also keeps e^-loss from overflowing (to +∞,
        // or NaN against a zero probability) on coarse grids, whose negative losses can be below -709.
        return 0.0;
      }
      massUpper += probs[k];
      massLower += Math.exp(-loss) * probs[k];
      if (massUpper >= delta && massLower == 0) {
        return Math.max(0.0, loss);
      }
    }
    if (massUpper <= massLower + delta) {
      return 0.0;
    }
    return Math.log((massUpper - delta) / massLower);
  }

  /** The distribution of the sum of the losses (composition), truncating at most {@code tail} of mass. */
  PldPmf compose(PldPmf other, double tail) {
    if (other.interval != interval) {
      throw new IllegalArgumentException("discretization intervals differ: this = " + interval + ", other = "
          + other.interval);
    }
    long span = (long) probs.length + other.probs.length - 1;
    if (span > Fft.MAX_SIZE) {
      throw Checks.invalid("interval", interval, "must be coarser, or the events fewer: their composed privacy "
          + "loss spans " + span + " grid points, more than the 2^26 an FFT may have (1 GiB of work arrays)");
    }
    double[] conv = Fft.convolve(probs, other.probs);
    clampNegative(conv);
    double inf = infinityMass + other.infinityMass - infinityMass * other.infinityMass;
    long lower;
    try {
      lower = Math.addExact(lowerIndex, other.lowerIndex);
    } catch (ArithmeticException e) {
      throw new InvalidParameterException(ParameterText.of(ParameterText.named("interval", interval),
          " must be coarser: the composed privacy loss does not fit the grid's index range"), e);
    }
    return truncated(lower, conv, inf, tail);
  }

  /**
   * The {@code n}-fold composition with itself: the FFT raised to the n-th power, evaluated only on the index
   * range that Chernoff bounds show to carry all but {@code tail} of the mass; the discarded mass is added to
   * the mass at +∞ (pessimistic).
   */
  PldPmf selfCompose(long n, double tail) {
    if (n < 1) {
      throw new IllegalArgumentException("n (" + n + ") must be >= 1");
    }
    if (n == 1) {
      return this;
    }
    int len = probs.length;
    long[] bounds = chernoffBounds(n, tail);
    long lower = bounds[0];
    long upper = bounds[1];
    if (upper - lower >= Fft.MAX_SIZE) {
      throw new InvalidParameterException(ParameterText.of(ParameterText.named("interval", interval),
          " must be coarser, or ", ParameterText.named("count", n), " smaller: the privacy loss of " + n
              + " compositions spans " + (upper - lower + 1) + " grid points, more than the 2^26 an FFT may have "
              + "(1 GiB of work arrays)"));
    }
    long outLen = upper - lower + 1;
    int size = Fft.nextPowerOfTwo(Math.max(outLen, len));
    double[] re = new double[size];
    double[] im = new double[size];
    System.arraycopy(probs, 0, re, 0, len);
    double[][] tw = Fft.twiddles(size);
    Fft.transform(re, im, false, tw);
    for (int k = 0; k < size; k++) {
      double r2 = re[k] * re[k] + im[k] * im[k];
      if (r2 == 0) {
        continue;
      }
      double theta = Math.atan2(im[k], re[k]);
      double rn = Math.exp(0.5 * n * Math.log(r2));
      double angle = n * theta;
      re[k] = rn * Math.cos(angle);
      im[k] = rn * Math.sin(angle);
    }
    Fft.transform(re, im, true, tw);
    double[] out = new double[(int) outLen];
    for (int k = 0; k < outLen; k++) {
      out[k] = re[(int) Math.floorMod(lower + k, (long) size)];
    }
    clampNegative(out);
    double inf = (tail > 0 ? tail : 0.0) - Math.expm1(n * Math.log1p(-infinityMass));
    long first;
    try {
      first = Math.addExact(Math.multiplyExact(lowerIndex, n), lower);
    } catch (ArithmeticException e) {
      throw new InvalidParameterException(ParameterText.of(ParameterText.named("count", n), " must be smaller: "
          + "the composed privacy loss does not fit the grid's index range"), e);
    }
    return new PldPmf(interval, first, out, Math.min(1.0, inf));
  }

  /**
   * Index bounds [lower, upper] of the n-fold sum (indices relative to n·lowerIndex) outside which at most
   * tail/2 of the mass lies on each side: P(S ≥ u) ≤ exp(n·ln M(t) - t·u) for t &gt; 0 and the mirror bound
   * for t &lt; 0, M being the moment generating function of one index.
   */
  long[] chernoffBounds(long n, double tail) {
    int len = probs.length;
    long lower = 0;
    long upper = len > 1 && n > Long.MAX_VALUE / (len - 1L) ? Long.MAX_VALUE : (len - 1L) * n;
    if (tail <= 0 || len == 1) {
      return new long[] {lower, upper};
    }
    double log2OverTail = Math.log(2.0 / tail);
    double[] logP = new double[len];
    for (int i = 0; i < len; i++) {
      logP[i] = probs[i] > 0 ? Math.log(probs[i]) : Double.NEGATIVE_INFINITY;
    }
    // Orders t = 2^k / len per index step: from nearly flat to steep enough for heavy-tailed single steps.
    for (int k = -6; k <= 14; k++) {
      double t = Math.scalb(1.0, k) / len;
      for (double order : new double[] {t, -t}) {
        double logMgf = logMgf(logP, order);
        double bound = (n * logMgf + log2OverTail) / order;
        if (!Double.isFinite(bound)) {
          continue;
        }
        if (order > 0) {
          upper = Math.min(upper, (long) Math.ceil(bound));
        } else {
          lower = Math.max(lower, (long) Math.floor(bound));
        }
      }
    }
    if (lower > upper) {
      lower = upper;
    }
    return new long[] {lower, upper};
  }

  private static double logMgf(double[] logP, double t) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < logP.length; i++) {
      max = Math.max(max, logP[i] + t * i);
    }
    double sum = 0;
    double cut = max - 60; // terms below e^-60 of the largest cannot change the bound
    for (int i = 0; i < logP.length; i++) {
      double x = logP[i] + t * i;
      if (x > cut) {
        sum += Math.exp(x - max);
      }
    }
    return max + Math.log(sum);
  }

  /**
   * Drops the longest prefix and suffix each of mass at most tail/2: the prefix mass moves to the first kept
   * loss and the suffix mass to +∞ (both pessimistic).
   */
  private PldPmf truncated(long lower, double[] p, double inf, double tail) {
    if (tail <= 0) {
      return new PldPmf(interval, lower, p, inf);
    }
    int left = prefixWithin(p, tail / 2, false);
    int right = p.length - prefixWithin(p, tail / 2, true);
    right = Math.max(right, left + 1);
    double leftMass = 0;
    for (int i = 0; i < left; i++) {
      leftMass += p[i];
    }
    double rightMass = 0;
    for (int i = right; i < p.length; i++) {
      rightMass += p[i];
    }
    double[] kept = java.util.Arrays.copyOfRange(p, left, right);
    kept[0] += leftMass;
    return new PldPmf(interval, lower + left, kept, inf + rightMass);
  }

  /** The largest k such that the first k (or last k, if reversed) entries sum to at most threshold. */
  private static int prefixWithin(double[] p, double threshold, boolean reversed) {
    double s = 0;
    for (int i = 0; i < p.length; i++) {
      s += p[reversed ? p.length - 1 - i : i];
      if (s > threshold) {
        return i;
      }
    }
    return p.length;
  }

  private static void clampNegative(double[] p) {
    for (int i = 0; i < p.length; i++) {
      if (p[i] < 0) {
        p[i] = 0; // FFT round-off; true probabilities are non-negative
      }
    }
  }
}
