package dev.cohort.privacy;

import java.util.List;
import java.util.OptionalDouble;

/**
 * Privacy-loss-distribution accounting (Koskela et al. 2020; Meiser and Mohammadi 2018; the construction of
 * dp_accounting's {@code PLDAccountant}): each mechanism's privacy loss distribution is discretised
 * pessimistically on a grid of spacing {@code interval} (connect-the-dots, default 1e-4), compositions convolve
 * the distributions with FFTs, and (ε, δ) are read off the hockey-stick divergence. Tighter than RDP, at the cost
 * of memory and time proportional to the spread of the composed loss over {@code interval}.
 *
 * <p>Supported events, all under the add-or-remove-one relation (both directions are tracked and the worse is
 * reported): {@link DpEvent.Gaussian} (k repetitions are one Gaussian with σ/√k, exactly),
 * {@link DpEvent.Laplace}, {@link DpEvent.PoissonSampled} of a Gaussian or a Laplace event, and
 * {@link DpEvent.SelfComposed} / {@link DpEvent.Composed} of these. Tail mass below 1e-15 per composition is moved
 * to +∞, so δ is never underestimated.
 *
 * <p>That mass at +∞ is a floor: δ never falls below it, and for a δ below it ε is +∞. {@link #epsilon} then says
 * so in a warning that names the floor (it is about 1e-15 per Poisson-sampled or Laplace composition).
 *
 * <p>Immutable and thread-safe.
 */
public final class PldAccountant implements PrivacyAccountant {
  /** dp_accounting's default {@code value_discretization_interval}. */
  public static final double DEFAULT_INTERVAL = 1e-4;
  /** The mass each composition may move to +∞ (dp_accounting's {@code tail_mass_truncation}). */
  static final double TAIL_MASS_TRUNCATION = 1e-15;

  private final double interval;
  private final PldPmf remove; // null: nothing composed yet
  private final PldPmf add; // the same object as remove while the distribution is symmetric

  private PldAccountant(double interval, PldPmf remove, PldPmf add) {
    this.interval = interval;
    this.remove = remove;
    this.add = add;
  }

  /** An empty accountant with discretisation interval 1e-4. */
  public static PldAccountant create() {
    return withInterval(DEFAULT_INTERVAL);
  }

  /**
   * An empty accountant with the given discretisation interval (smaller is tighter and slower).
   *
   * @throws IllegalArgumentException if the interval is not a finite number &gt; 0
   */
  public static PldAccountant withInterval(double interval) {
    Checks.positive("interval", interval);
    return new PldAccountant(interval, null, null);
  }

  /** The discretisation interval of the privacy loss. */
  public double interval() {
    return interval;
  }

  @Override
  public PldAccountant compose(DpEvent event) {
    return compose(event, 1);
  }

  @Override
  public PldAccountant compose(DpEvent event, long count) {
    Checks.notNull("event", event);
    Checks.nonNegative("count", count);
    return add(event, count);
  }

  private PldAccountant add(DpEvent event, long count) {
    if (count == 0) {
      return this;
    }
    if (event instanceof DpEvent.Gaussian g) {
      double sigma = g.noiseMultiplier() / Math.sqrt(count);
      PldPmf pmf = mechanism(AdditiveNoisePld.Noise.GAUSSIAN, sigma, 1.0, AdditiveNoisePld.Adjacency.REMOVE);
      return with(pmf, pmf);
    } else if (event instanceof DpEvent.Laplace l) {
      PldPmf pmf = mechanism(AdditiveNoisePld.Noise.LAPLACE, l.noiseMultiplier(), 1.0,
          AdditiveNoisePld.Adjacency.REMOVE).selfCompose(count, TAIL_MASS_TRUNCATION);
      return with(pmf, pmf);
    } else if (event instanceof DpEvent.PoissonSampled p) {
      double q = p.samplingRate();
      if (q == 0) {
        return this;
      }
      if (q == 1) {
        return add(p.event(), count);
      }
      AdditiveNoisePld.Noise noise;
      double scale;
      if (p.event() instanceof DpEvent.Gaussian g) {
        noise = AdditiveNoisePld.Noise.GAUSSIAN;
        scale = g.noiseMultiplier();
      } else if (p.event() instanceof DpEvent.Laplace l) {
        noise = AdditiveNoisePld.Noise.LAPLACE;
        scale = l.noiseMultiplier();
      } else {
        throw new IllegalArgumentException("the event inside PoissonSampled (" + p.event()
            + ") must be Gaussian or Laplace for PLD accounting");
      }
      PldPmf r = mechanism(noise, scale, q, AdditiveNoisePld.Adjacency.REMOVE)
          .selfCompose(count, TAIL_MASS_TRUNCATION);
      PldPmf a = mechanism(noise, scale, q, AdditiveNoisePld.Adjacency.ADD)
          .selfCompose(count, TAIL_MASS_TRUNCATION);
      return with(r, a);
    } else if (event instanceof DpEvent.SelfComposed s) {
      return add(s.event(), Checks.repetitions(count, s.count()));
    } else if (event instanceof DpEvent.Composed c) {
      PldAccountant acc = this;
      for (DpEvent e : c.events()) {
        acc = acc.add(e, count);
      }
      return acc;
    }
    throw new IllegalArgumentException("event (" + event + ") is not supported by the PLD accountant; it "
        + "supports Gaussian, Laplace and their Poisson-sampled forms (use RdpAccountant for the others)");
  }

  private PldPmf mechanism(AdditiveNoisePld.Noise noise, double scale, double q,
      AdditiveNoisePld.Adjacency adjacency) {
    return new AdditiveNoisePld(noise, scale, q, adjacency, AdditiveNoisePld.DEFAULT_LOG_MASS_TRUNCATION)
        .connectTheDots(interval);
  }

  private PldAccountant with(PldPmf r, PldPmf a) {
    if (remove == null) {
      return new PldAccountant(interval, r, a);
    }
    PldPmf newRemove = remove.compose(r, TAIL_MASS_TRUNCATION);
    PldPmf newAdd = (add == remove && a == r) ? newRemove : add.compose(a, TAIL_MASS_TRUNCATION);
    return new PldAccountant(interval, newRemove, newAdd);
  }

  /**
   * {@inheritDoc}
   *
   * <p>ε is +∞ when δ is below the probability that the discretisation put at an infinite loss (its truncation
   * floor); the result then carries a warning that names the floor.
   */
  @Override
  public PrivacyGuarantee epsilon(double delta) {
    return RdpConversion.logWarnings(quietEpsilon(delta));
  }

  /** {@link #epsilon} without logging (for searches that evaluate many candidates). */
  PrivacyGuarantee quietEpsilon(double delta) {
    Checks.delta("delta", delta);
    double eps = 0.0;
    double floor = 0.0;
    if (remove != null) {
      eps = remove.epsilonForDelta(delta);
      floor = remove.infinityMass;
      if (add != remove) {
        eps = Math.max(eps, add.epsilonForDelta(delta));
        floor = Math.max(floor, add.infinityMass);
      }
    }
    if (Double.isNaN(eps)) {
      throw new IllegalStateException("internal: PLD accounting gave epsilon = NaN at delta " + delta + " ("
          + describe() + ")");
    }
    List<ParameterText> warnings = floor > delta ? List.of(floorWarning(delta, floor)) : List.of();
    return new PrivacyGuarantee(eps, delta, OptionalDouble.empty(), false, warnings);
  }

  static ParameterText floorWarning(double delta, double floor) {
    return ParameterText.of(ParameterText.named("delta", delta), " is below the truncation floor of PLD "
        + "accounting: the discretisation puts " + floor + " of probability at an infinite privacy loss (up to "
        + TAIL_MASS_TRUNCATION + " per composition), so epsilon is +infinity; use a delta above the floor, or the "
        + "RDP accountant");
  }

  @Override
  public PrivacyGuarantee delta(double epsilon) {
    Checks.epsilon("epsilon", epsilon);
    double d = 0.0;
    if (remove != null) {
      d = remove.deltaForEpsilon(epsilon);
      if (add != remove) {
        d = Math.max(d, add.deltaForEpsilon(epsilon));
      }
    }
    if (Double.isNaN(d)) {
      throw new IllegalStateException("internal: PLD accounting gave delta = NaN at epsilon " + epsilon + " ("
          + describe() + ")");
    }
    return new PrivacyGuarantee(epsilon, Math.min(1.0, d), OptionalDouble.empty(), false, List.of());
  }

  @Override
  public String describe() {
    return "pld (pessimistic connect-the-dots, interval " + Numbers.format(interval) + ", add-or-remove-one)";
  }

  @Override
  public String toString() {
    return describe();
  }
}
