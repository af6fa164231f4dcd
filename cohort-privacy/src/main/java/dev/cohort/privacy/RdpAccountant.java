package dev.cohort.privacy;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Rényi-DP accounting (Mironov 2017): each event adds its RDP curve r(α) on a grid of orders, and the total is
 * converted to (ε, δ) at the best order. This is dp_accounting's {@code RdpAccountant} with the same order grid,
 * conversion and event rules by default; the differences are documented on {@link FractionalOrders}.
 *
 * <p>Supported events: {@link DpEvent.Gaussian} and {@link DpEvent.Laplace} (any relation);
 * {@link DpEvent.PoissonSampled} of a Gaussian or a composition of Gaussians (add-or-remove-one or
 * replace-special); {@link DpEvent.SampledWithoutReplacement} of the same (replace-one);
 * {@link DpEvent.TreeAggregation} (replace-special); and any {@link DpEvent.SelfComposed} or
 * {@link DpEvent.Composed} of these. Sampled events (0 &lt; q &lt; 1) need every order of the grid to be at most
 * 10^5, because their RDP takes time proportional to the order; the others take any order.
 *
 * <pre>{@code
 * PrivacyGuarantee g = RdpAccountant.create()
 *     .compose(DpEvent.poissonSampled(0.0025, DpEvent.gaussian(1.3)), 6000)
 *     .epsilon(1e-5);          // g.epsilon() and g.optimalOrder()
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class RdpAccountant implements PrivacyAccountant {
  private final RdpSettings settings;
  private final OrderGrid grid;
  private final NeighboringRelation relation;
  private final double[] rdp;
  private final List<ParameterText> notes;

  private RdpAccountant(RdpSettings settings, NeighboringRelation relation, double[] rdp,
      Collection<ParameterText> notes) {
    this.settings = settings;
    this.grid = settings.orders();
    this.relation = relation;
    this.rdp = rdp;
    this.notes = List.copyOf(notes);
  }

  /** An empty accountant with these settings (the start of an {@link IncrementalAccountant}'s ledger). */
  static RdpAccountant empty(RdpSettings settings, NeighboringRelation relation) {
    return new RdpAccountant(settings, relation, new double[settings.orders().size()], List.of());
  }

  /** An empty accountant with the defaults: dp_accounting's grid, add-or-remove-one, improved, exact. */
  public static RdpAccountant create() {
    return builder().build();
  }

  /** A builder starting from the defaults of {@link #create()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Settings of an empty {@link RdpAccountant}. */
  public static final class Builder {
    private RdpSettings settings = RdpSettings.DEFAULTS;
    private NeighboringRelation relation = NeighboringRelation.ADD_OR_REMOVE_ONE;

    private Builder() {}

    /** The Rényi orders to track (default {@link OrderGrid#dpAccounting()}). */
    public Builder orders(OrderGrid orders) {
      settings = settings.withOrders(orders);
      return this;
    }

    /** The neighbouring relation of the guarantee (default add-or-remove-one). */
    public Builder neighboringRelation(NeighboringRelation relation) {
      this.relation = Checks.notNull("relation", relation);
      return this;
    }

    /** The RDP → (ε, δ) conversion (default {@link Conversion#IMPROVED}). */
    public Builder conversion(Conversion conversion) {
      settings = settings.withConversion(conversion);
      return this;
    }

    /** How fractional orders of the subsampled Gaussian are evaluated (default {@link FractionalOrders#EXACT}). */
    public Builder fractionalOrders(FractionalOrders fractionalOrders) {
      settings = settings.withFractionalOrders(fractionalOrders);
      return this;
    }

    /** The empty accountant. */
    public RdpAccountant build() {
      return empty(settings, relation);
    }
  }

  /** The order grid. */
  public OrderGrid orders() {
    return grid;
  }

  /** The neighbouring relation. */
  public NeighboringRelation neighboringRelation() {
    return relation;
  }

  /** The conversion used by {@link #epsilon} and {@link #delta}. */
  public Conversion conversion() {
    return settings.conversion();
  }

  /** The fractional-order mode. */
  public FractionalOrders fractionalOrders() {
    return settings.fractionalOrders();
  }

  /** The accumulated RDP at each order of {@link #orders()}, a copy. */
  public double[] rdp() {
    return rdp.clone();
  }

  /** The same ledger converted with another conversion. */
  public RdpAccountant withConversion(Conversion conversion) {
    return new RdpAccountant(settings.withConversion(conversion), relation, rdp, notes);
  }

  @Override
  public RdpAccountant compose(DpEvent event) {
    return compose(event, 1);
  }

  @Override
  public RdpAccountant compose(DpEvent event, long count) {
    Checks.notNull("event", event);
    Checks.nonNegative("count", count);
    double[] sum = rdp.clone();
    Set<ParameterText> newNotes = new LinkedHashSet<>(notes);
    add(event, count, sum, newNotes);
    return new RdpAccountant(settings, relation, sum, newNotes);
  }

  /**
   * This ledger plus {@code count} steps whose one-step RDP curve (on this grid) is {@code perStep}, with
   * {@code newNotes} added to its notes: the incremental accountant's round, without recomputing a known curve.
   */
  RdpAccountant plus(double[] perStep, long count, Collection<ParameterText> newNotes) {
    double[] sum = rdp.clone();
    accumulate(sum, perStep, count);
    Set<ParameterText> allNotes = new LinkedHashSet<>(notes);
    allNotes.addAll(newNotes);
    return new RdpAccountant(settings, relation, sum, allNotes);
  }

  /** The notes (warnings) gathered while composing, in order. */
  List<ParameterText> notes() {
    return notes;
  }

  @Override
  public PrivacyGuarantee epsilon(double delta) {
    return RdpConversion.logWarnings(quietEpsilon(delta));
  }

  /** {@link #epsilon} without logging (for searches that evaluate many candidates). */
  PrivacyGuarantee quietEpsilon(double delta) {
    Checks.delta("delta", delta);
    return RdpConversion.epsilon(grid.raw(), rdp, delta, settings.conversion(), notes);
  }

  @Override
  public PrivacyGuarantee delta(double epsilon) {
    return RdpConversion.logWarnings(quietDelta(epsilon));
  }

  /** {@link #delta} without logging. */
  PrivacyGuarantee quietDelta(double epsilon) {
    Checks.epsilon("epsilon", epsilon);
    return RdpConversion.delta(grid.raw(), rdp, epsilon, settings.conversion(), notes);
  }

  @Override
  public String describe() {
    return "rdp (" + kebab(settings.conversion()) + " conversion, " + grid.name() + " orders, "
        + kebab(settings.fractionalOrders()) + " fractional orders, " + kebab(relation) + ")";
  }

  @Override
  public String toString() {
    return describe();
  }

  /** An enum constant as {@link #describe()} and the command line spell it, e.g. absolute-upper-bound. */
  static String kebab(Enum<?> e) {
    return e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /**
   * RDP of one step of the Poisson-subsampled Gaussian at every order of {@code grid}.
   *
   * @throws IllegalArgumentException if an order exceeds {@link SubsampledGaussianRdp#MAX_ORDER} (and q &gt; 0)
   */
  static double[] poissonGaussian(double q, double sigma, OrderGrid grid, FractionalOrders mode,
      java.util.function.Consumer<ParameterText> warn) {
    double[] orders = grid.raw();
    if (q > 0 && q < 1) {
      SubsampledGaussianRdp.checkOrders(orders);
    }
    double[] out = new double[orders.length];
    for (int i = 0; i < orders.length; i++) {
      out[i] = SubsampledGaussianRdp.rdp(q, sigma, orders[i], mode, warn);
    }
    return out;
  }

  /**
   * RDP of one step of the Gaussian on a fixed-size sample without replacement (q = m/n) at every order.
   *
   * @throws IllegalArgumentException if an order exceeds {@link SubsampledGaussianRdp#MAX_ORDER} (and q &gt; 0)
   */
  static double[] withoutReplacementGaussian(double q, double sigma, OrderGrid grid) {
    double[] orders = grid.raw();
    if (q > 0 && q < 1) {
      SubsampledGaussianRdp.checkOrders(orders);
    }
    double[] out = new double[orders.length];
    for (int i = 0; i < orders.length; i++) {
      out[i] = OtherRdp.withoutReplacementGaussian(q, sigma, orders[i]);
    }
    return out;
  }

  private void add(DpEvent event, long count, double[] sum, Set<ParameterText> newNotes) {
    if (count == 0) {
      return;
    }
    double[] orders = grid.raw();
    if (event instanceof DpEvent.Gaussian g) {
      double s = g.noiseMultiplier();
      for (int i = 0; i < orders.length; i++) {
        sum[i] += count * (orders[i] / (2 * s * s));
      }
    } else if (event instanceof DpEvent.Laplace l) {
      for (int i = 0; i < orders.length; i++) {
        sum[i] += count * OtherRdp.laplace(l.noiseMultiplier(), orders[i]);
      }
    } else if (event instanceof DpEvent.PoissonSampled p) {
      requireRelation(event, NeighboringRelation.ADD_OR_REMOVE_ONE, NeighboringRelation.REPLACE_SPECIAL);
      double sigma = effectiveGaussian(p.event(), "PoissonSampled");
      double[] one = poissonGaussian(p.samplingRate(), sigma, grid, settings.fractionalOrders(), newNotes::add);
      accumulate(sum, one, count);
    } else if (event instanceof DpEvent.SampledWithoutReplacement w) {
      requireRelation(event, NeighboringRelation.REPLACE_ONE);
      double sigma = effectiveGaussian(w.event(), "SampledWithoutReplacement");
      accumulate(sum, withoutReplacementGaussian(w.samplingRate(), sigma, grid), count);
    } else if (event instanceof DpEvent.TreeAggregation t) {
      requireRelation(event, NeighboringRelation.REPLACE_SPECIAL);
      long max = t.stepCounts().stream().mapToLong(Long::longValue).max().orElse(0);
      for (int i = 0; i < orders.length; i++) {
        sum[i] += count * OtherRdp.treeAggregation(t.noiseMultiplier(), max, orders[i]);
      }
    } else if (event instanceof DpEvent.SelfComposed s) {
      add(s.event(), Checks.repetitions(count, s.count()), sum, newNotes);
    } else if (event instanceof DpEvent.Composed c) {
      for (DpEvent e : c.events()) {
        add(e, count, sum, newNotes);
      }
    } else {
      throw new IllegalArgumentException("event (" + event + ") is not supported by the RDP accountant");
    }
  }

  private static void accumulate(double[] sum, double[] one, long count) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] += count * one[i];
    }
  }

  private void requireRelation(DpEvent event, NeighboringRelation... allowed) {
    for (NeighboringRelation r : allowed) {
      if (r == relation) {
        return;
      }
    }
    StringBuilder names = new StringBuilder();
    for (int i = 0; i < allowed.length; i++) {
      names.append(i == 0 ? "" : " or ").append(allowed[i]);
    }
    throw Checks.invalid("neighboringRelation", relation, "must be " + names + " for "
        + event.getClass().getSimpleName() + " events (" + event + ")");
  }

  /**
   * The noise multiplier of the single Gaussian equivalent to a composition of Gaussians (dp_accounting's
   * {@code _effective_gaussian_noise_multiplier}): σ = (Σ count/σ_i²)^(-1/2).
   */
  static double effectiveGaussian(DpEvent event, String where) {
    double inverseSquare = inverseSquareSum(event, 1, where);
    return 1.0 / Math.sqrt(inverseSquare);
  }

  private static double inverseSquareSum(DpEvent event, long count, String where) {
    if (event instanceof DpEvent.Gaussian g) {
      return count / (g.noiseMultiplier() * g.noiseMultiplier());
    } else if (event instanceof DpEvent.SelfComposed s) {
      return inverseSquareSum(s.event(), Checks.repetitions(count, s.count()), where);
    } else if (event instanceof DpEvent.Composed c) {
      double total = 0;
      for (DpEvent e : c.events()) {
        total += inverseSquareSum(e, count, where);
      }
      return total;
    }
    throw new IllegalArgumentException("the event inside " + where + " (" + event
        + ") must be a Gaussian or a composition of Gaussians for RDP accounting");
  }
}
