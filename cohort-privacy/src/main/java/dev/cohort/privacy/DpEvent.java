package dev.cohort.privacy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A differentially private event: what a computation did to the data, described well enough for an accountant
 * to bound its privacy loss. The vocabulary follows dp_accounting's {@code dp_event} module, so a TFF or
 * TF-Privacy ledger translates one to one.
 *
 * <p>Noise multipliers are the ratio of the noise scale (Gaussian standard deviation, Laplace scale) to the
 * sensitivity of the quantity it protects. Events are immutable values with structural equality; invalid
 * parameters are rejected at construction with a message naming the parameter, its value and the rule.
 *
 * <pre>{@code
 * // DP-FedAvg: 100 rounds, Poisson sampling of 120 out of 3383 clients, noise multiplier 1.2
 * DpEvent run = DpEvent.selfComposed(DpEvent.poissonSampled(120.0 / 3383, DpEvent.gaussian(1.2)), 100);
 * }</pre>
 */
public sealed interface DpEvent {

  /** The Gaussian mechanism with the given noise multiplier σ (standard deviation / L2 sensitivity). */
  static DpEvent gaussian(double noiseMultiplier) {
    return new Gaussian(noiseMultiplier);
  }

  /** The Laplace mechanism with the given noise multiplier b (Laplace scale / L1 sensitivity); it is 1/b-DP. */
  static DpEvent laplace(double noiseMultiplier) {
    return new Laplace(noiseMultiplier);
  }

  /** {@code event} applied to a Poisson sample: each record is included independently with probability q. */
  static DpEvent poissonSampled(double samplingRate, DpEvent event) {
    return new PoissonSampled(samplingRate, event);
  }

  /** {@code event} applied to a uniformly random subset of exactly {@code sampleSize} records. */
  static DpEvent sampledWithoutReplacement(long sourceDatasetSize, long sampleSize, DpEvent event) {
    return new SampledWithoutReplacement(sourceDatasetSize, sampleSize, event);
  }

  /** {@code event} run {@code count} times on the same data. */
  static DpEvent selfComposed(DpEvent event, long count) {
    return new SelfComposed(event, count);
  }

  /** The events run one after another on the same data. */
  static DpEvent composed(DpEvent... events) {
    return new Composed(Arrays.asList(Checks.notNull("events", events)));
  }

  /** The events run one after another on the same data. */
  static DpEvent composed(List<? extends DpEvent> events) {
    return new Composed(new ArrayList<>(Checks.notNull("events", events)));
  }

  /**
   * One epoch of DP-FTRL tree aggregation (Kairouz et al. 2021, "Practical and Private (Deep) Learning without
   * Sampling or Shuffling", arXiv 2103.00039, App. D) over one or more trees, each record occurring at most once
   * across all of them; {@code stepCounts} are the steps of each tree.
   */
  static DpEvent treeAggregation(double noiseMultiplier, long... stepCounts) {
    List<Long> steps = new ArrayList<>(stepCounts.length);
    for (long s : stepCounts) {
      steps.add(s);
    }
    return new TreeAggregation(noiseMultiplier, steps);
  }

  /**
   * Tree aggregation restarted after each of the given step counts, where the same record may occur once in
   * every tree (several epochs): the composition of one single-tree event per entry, as dp_accounting's
   * {@code ComposedDpEvent([SingleEpochTreeAggregationDpEvent(z, s) for s in step_counts])}.
   */
  static DpEvent restartedTreeAggregation(double noiseMultiplier, long... stepCounts) {
    List<DpEvent> trees = new ArrayList<>(stepCounts.length);
    for (long s : stepCounts) {
      trees.add(treeAggregation(noiseMultiplier, s));
    }
    return new Composed(List.copyOf(trees));
  }

  /** The Gaussian mechanism; {@code noiseMultiplier} is the standard deviation over the L2 sensitivity. */
  record Gaussian(double noiseMultiplier) implements DpEvent {
    /** Rejects a noise multiplier that is not a finite number > 0. */
    public Gaussian {
      Checks.positive("noiseMultiplier", noiseMultiplier);
    }
  }

  /** The Laplace mechanism; {@code noiseMultiplier} is the Laplace scale over the L1 sensitivity. */
  record Laplace(double noiseMultiplier) implements DpEvent {
    /** Rejects a noise multiplier that is not a finite number > 0. */
    public Laplace {
      Checks.positive("noiseMultiplier", noiseMultiplier);
    }
  }

  /** Poisson subsampling with rate {@code samplingRate} followed by {@code event}. */
  record PoissonSampled(double samplingRate, DpEvent event) implements DpEvent {
    /** Rejects a rate outside [0, 1] and a null event. */
    public PoissonSampled {
      Checks.probability("samplingRate", samplingRate);
      Checks.notNull("event", event);
    }
  }

  /** A fixed-size sample without replacement followed by {@code event}. */
  record SampledWithoutReplacement(long sourceDatasetSize, long sampleSize, DpEvent event) implements DpEvent {
    /** Rejects sizes that do not satisfy 0 ≤ sampleSize ≤ sourceDatasetSize, 1 ≤ sourceDatasetSize. */
    public SampledWithoutReplacement {
      if (sourceDatasetSize < 1) {
        throw Checks.invalid("sourceDatasetSize", sourceDatasetSize, "must be >= 1");
      }
      if (sampleSize < 0 || sampleSize > sourceDatasetSize) {
        throw new InvalidParameterException(ParameterText.of(ParameterText.named("sampleSize", sampleSize),
            " must be in [0, ", ParameterText.named("sourceDatasetSize", sourceDatasetSize), "]"));
      }
      Checks.notNull("event", event);
    }

    /** The sampling fraction sampleSize / sourceDatasetSize. */
    public double samplingRate() {
      return (double) sampleSize / sourceDatasetSize;
    }
  }

  /** {@code event} repeated {@code count} times. */
  record SelfComposed(DpEvent event, long count) implements DpEvent {
    /** Rejects a null event and a negative count. */
    public SelfComposed {
      Checks.notNull("event", event);
      Checks.nonNegative("count", count);
    }
  }

  /** The events in order. */
  record Composed(List<DpEvent> events) implements DpEvent {
    /** Copies the list; rejects null elements. */
    public Composed {
      Checks.notNull("events", events);
      for (int i = 0; i < events.size(); i++) {
        Checks.notNull("events[" + i + "]", events.get(i));
      }
      events = List.copyOf(events);
    }
  }

  /** Single-epoch tree aggregation with noise multiplier per tree node and the steps of each tree. */
  record TreeAggregation(double noiseMultiplier, List<Long> stepCounts) implements DpEvent {
    /** Rejects a noise multiplier ≤ 0, an empty step list and negative step counts. */
    public TreeAggregation {
      Checks.positive("noiseMultiplier", noiseMultiplier);
      Checks.notNull("stepCounts", stepCounts);
      if (stepCounts.isEmpty()) {
        throw Checks.invalid("stepCounts", "[]", "must not be empty");
      }
      for (int i = 0; i < stepCounts.size(); i++) {
        String name = "stepCounts[" + i + "]";
        Checks.nonNegative(name, Checks.notNull(name, stepCounts.get(i)));
      }
      stepCounts = List.copyOf(stepCounts);
    }
  }
}
