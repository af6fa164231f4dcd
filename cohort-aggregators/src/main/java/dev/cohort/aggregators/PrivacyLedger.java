package dev.cohort.aggregators;

import dev.cohort.core.values.Struct;
import dev.cohort.privacy.DpEvent;
import dev.cohort.privacy.PrivacyAccountant;
import dev.cohort.privacy.PrivacyGuarantee;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The privacy a run of a differentially private aggregator has spent: record the state after each round, and ask a
 * cohort-privacy accountant for (ε, δ) at any time. The ledger holds the events the rounds recorded in their states
 * ({@link DifferentiallyPrivateFactory#dpEvent}), each under the sampling of the clients the run declares.
 *
 * <pre>{@code
 * PrivacyLedger ledger = PrivacyLedger.poissonSampled(120.0 / 3383);
 * for (int round = 0; round < rounds; round++) {
 *   Struct out = (Struct) process.next().call(state, clientValues);
 *   state = out.get("state");
 *   ledger.record(state);
 *   double epsilon = ledger.epsilon(RdpAccountant.create(), 1e-5).epsilon();   // spent so far
 * }
 * }</pre>
 *
 * <p>Consecutive equal rounds are kept as one {@code DpEvent.selfComposed(event, count)}, so a ledger of {@code T}
 * identical rounds is exactly the event an accountant composes {@code T} times. Not thread-safe: one run records into
 * it.
 */
public final class PrivacyLedger {
  private final double samplingRate;
  /** Each a {@link DpEvent} (a run of equal rounds, {@link #counts} long) or a {@link Tree}. */
  private final List<Object> runs = new ArrayList<>();
  private final List<Long> counts = new ArrayList<>();
  private long rounds;

  private PrivacyLedger(double samplingRate) {
    this.samplingRate = samplingRate;
  }

  /** A ledger for rounds over every client (or over clients chosen without a sampling guarantee): no amplification. */
  public static PrivacyLedger unsampled() {
    return new PrivacyLedger(1.0);
  }

  /**
   * A ledger for rounds whose clients are each included independently with probability {@code samplingRate}
   * (Poisson sampling, as TFF's DP tutorial accounts it): each round's event is
   * {@code DpEvent.poissonSampled(samplingRate, event)}.
   *
   * @throws IllegalArgumentException if {@code samplingRate} is not in {@code (0, 1]}
   */
  public static PrivacyLedger poissonSampled(double samplingRate) {
    if (!(samplingRate > 0 && samplingRate <= 1)) {
      throw new IllegalArgumentException("PrivacyLedger.poissonSampled: samplingRate (" + samplingRate
          + ") must be in (0, 1]");
    }
    return new PrivacyLedger(samplingRate);
  }

  /**
   * Records the round that produced {@code state}.
   *
   * @throws IllegalStateException if the state is the initial one or its round added no noise
   * @throws IllegalArgumentException if {@code state} is not the state of a differentially private process
   */
  public void record(Object state) {
    Struct recorded = DifferentiallyPrivateFactory.recordedEvent(state);
    if (recorded.names().equals(TreeQuery.EVENT.names())) {
      recordTreeStep(recorded);
      return;
    }
    DpEvent event = DifferentiallyPrivateFactory.dpEvent(state);
    DpEvent sampled = samplingRate == 1.0 ? event : DpEvent.poissonSampled(samplingRate, event);
    int last = runs.size() - 1;
    if (last >= 0 && runs.get(last).equals(sampled)) {
      counts.set(last, counts.get(last) + 1);
    } else {
      runs.add(sampled);
      counts.add(1L);
    }
    rounds++;
  }

  private void recordTreeStep(Struct event) {
    if (samplingRate != 1.0) {
      throw new IllegalStateException("PrivacyLedger.record: tree aggregation (DP-FTRL) is not amplified by"
          + " sampling; account it in PrivacyLedger.unsampled()");
    }
    double z = ((Tensor) event.get("noise_multiplier")).getDouble();
    if (z == 0) {
      throw new IllegalStateException("PrivacyLedger.record: the noise multiplier is 0, so the round is not"
          + " differentially private");
    }
    double count = ((Tensor) event.get("clipped_count_noise_multiplier")).getDouble();
    long tree = ((Tensor) event.get("tree")).longValue();
    long step = ((Tensor) event.get("tree_step")).longValue();
    int last = runs.size() - 1;
    if (last >= 0 && runs.get(last) instanceof Tree t && t.tree() == tree && t.steps() + 1 == step) {
      runs.set(last, new Tree(t.noiseMultiplier(), t.countNoiseMultiplier(), tree, step));
    } else {
      runs.add(new Tree(z, count, tree, step));
      counts.add(1L);
    }
    rounds++;
  }

  /**
   * The rounds of one tree so far: {@code DpEvent.treeAggregation(z, steps)}, composed with the clipped count's tree
   * when the clip is adaptive.
   */
  private record Tree(double noiseMultiplier, double countNoiseMultiplier, long tree, long steps) {
    DpEvent event() {
      DpEvent value = DpEvent.treeAggregation(noiseMultiplier, steps);
      return countNoiseMultiplier == 0 ? value
          : DpEvent.composed(value, DpEvent.treeAggregation(countNoiseMultiplier, steps));
    }
  }

  /** The number of rounds recorded. */
  public long rounds() {
    return rounds;
  }

  /** The event of all rounds recorded: one {@code selfComposed} per run of equal rounds, composed in order. */
  public DpEvent event() {
    List<DpEvent> out = new ArrayList<>(runs.size());
    for (int i = 0; i < runs.size(); i++) {
      out.add(runs.get(i) instanceof Tree t ? t.event() : DpEvent.selfComposed((DpEvent) runs.get(i), counts.get(i)));
    }
    return out.size() == 1 ? out.get(0) : DpEvent.composed(out);
  }

  /**
   * The ε spent so far at {@code delta}, as {@code accountant} proves it for {@link #event()}.
   *
   * @throws IllegalArgumentException if δ is not in (0, 1) or the accountant does not support the events
   */
  public PrivacyGuarantee epsilon(PrivacyAccountant accountant, double delta) {
    return accountant.compose(event()).epsilon(delta);
  }
}
