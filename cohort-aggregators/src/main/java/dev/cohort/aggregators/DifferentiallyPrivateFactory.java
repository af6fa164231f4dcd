package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.Intrinsics.federatedZip;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT32;
import static dev.cohort.core.types.TensorType.INT64;

import dev.cohort.core.Computation;
import dev.cohort.core.LocalFamily;
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.privacy.DpEvent;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Differentially private aggregation: TFF's {@code tff.aggregators.DifferentiallyPrivateFactory}. Clients clip their
 * value to a global L2 norm; the clipped values are summed; the server adds Gaussian noise to the sum and divides by
 * the expected number of clients. Each round records its {@link DpEvent} in the state, for a privacy accountant
 * ({@link #dpEvent}, {@link PrivacyLedger}).
 *
 * <p>State, as TFF's {@code DPAggregatorState}: {@code <query_state=...,agg_state=<>,dp_event=...,is_init_state=bool>};
 * measurements {@code <dp_query_metrics=...,dp=<>>}. The query state of each mechanism is given on its factory method.
 *
 * <p>The noise of round {@code r} comes from cohort-tensor's keyed generator, {@code RandomStream.of(noiseSeed, r,
 * NOISE)} forked per tensor of the value, so the same seed gives the same noise whatever the number of threads or
 * clients. Whoever knows the seed can subtract the noise: for a real deployment the seed must be secret and random;
 * a fixed seed is for reproducible simulations.
 */
public final class DifferentiallyPrivateFactory {
  private DifferentiallyPrivateFactory() {}

  private static final System.Logger LOG = System.getLogger("dev.cohort.aggregators");

  /** The purpose key of the value noise streams, "DPNOISE" in ASCII. */
  static final long NOISE = 0x4450_4E4F_4953_45L;
  /** The purpose key of the clipped-count noise streams of adaptive clipping, "CLNOISE" in ASCII. */
  static final long COUNT_NOISE = 0x434C_4E4F_4953_45L;

  private static final StructType FIXED_STATE = StructType.named("l2_norm_clip", FLOAT32, "stddev", FLOAT32,
      "denominator", FLOAT32, "noise_seed", INT64, "round", INT64);
  private static final StructType FIXED_EVENT = StructType.named("noise_multiplier", FLOAT32);
  private static final StructType ADAPTIVE_STATE = StructType.named("l2_norm_clip", FLOAT32, "stddev", FLOAT32,
      "noise_multiplier", FLOAT32, "target_unclipped_quantile", FLOAT32, "learning_rate", FLOAT32,
      "clipped_count_stddev", FLOAT32, "expected_num_records", FLOAT32, "denominator", FLOAT32,
      "noise_seed", INT64, "round", INT64);
  private static final StructType ADAPTIVE_EVENT = StructType.named("noise_multiplier", FLOAT32,
      "clipped_count_noise_multiplier", FLOAT32);

  /**
   * TFF's {@code DifferentiallyPrivateFactory.gaussian_fixed(noise_multiplier, clients_per_round, clip)}: the mean
   * {@code (sum_i clip(x_i) + N(0, (clip * noiseMultiplier)^2)) / clientsPerRound}, with the noise standard deviation
   * {@code clip * noiseMultiplier} on the sum (McMahan et al. 2018, "Learning Differentially Private Recurrent
   * Language Models", arXiv 1710.06963). Each round's event is {@code DpEvent.gaussian(noiseMultiplier)}.
   *
   * <p>Query state {@code <l2_norm_clip=float32,stddev=float32,denominator=float32,noise_seed=int64,round=int64>},
   * event {@code <noise_multiplier=float32>}, {@code dp_query_metrics=<>}.
   *
   * @param noiseMultiplier the noise standard deviation over the clip, {@code >= 0} (0 adds no noise and gives no
   *     privacy)
   * @param clientsPerRound the expected number of clients per round, the denominator of the mean
   * @param clip the L2 norm each client's value is clipped to
   * @param noiseSeed the key of the noise streams
   * @throws IllegalArgumentException if {@code noiseMultiplier} is negative or not a finite float32, if
   *     {@code clientsPerRound < 1}, or if {@code clip} is not a finite float32 {@code > 0}
   */
  public static UnweightedAggregationFactory gaussianFixed(double noiseMultiplier, int clientsPerRound, double clip,
      long noiseSeed) {
    String who = "DifferentiallyPrivateFactory.gaussianFixed";
    nonNegative(who, "noiseMultiplier", noiseMultiplier);
    clients(who, clientsPerRound);
    positive(who, "clip", clip);
    Struct query = Struct.of(FIXED_STATE.names(), List.of(Tensor.scalar((float) clip),
        Tensor.scalar((float) (clip * noiseMultiplier)), Tensor.scalar((float) clientsPerRound),
        Tensor.scalar(noiseSeed), Tensor.scalar(0L)));
    return valueType -> create(who, new FixedQuery(query), valueType);
  }

  /**
   * The split of a total noise multiplier between the clipped values and the clipped count of adaptive clipping:
   * TFF's {@code adaptive_clip_noise_params}.
   *
   * @param valueNoiseMultiplier the noise multiplier of the value sum, {@code z_v = (z^-2 - (2 sigma_b)^-2)^-1/2}
   * @param clippedCountStddev the standard deviation {@code sigma_b} of the noise on the sum of the clients'
   *     {@code 1[||x|| <= C] - 1/2}, whose sensitivity is 1/2, so its noise multiplier is {@code 2 sigma_b}
   */
  public record AdaptiveNoise(double valueNoiseMultiplier, double clippedCountStddev) {
    /**
     * The event of one round: the value sum and the clipped count, whose composition has noise multiplier exactly
     * the total {@code z} ({@code 1/z^2 = 1/z_v^2 + 1/(2 sigma_b)^2}).
     *
     * @throws IllegalStateException if there is no noise (the round is not differentially private)
     */
    public DpEvent event() {
      if (valueNoiseMultiplier == 0) {
        throw new IllegalStateException("DifferentiallyPrivateFactory.AdaptiveNoise: the noise multiplier is 0, so"
            + " the round is not differentially private");
      }
      return DpEvent.composed(DpEvent.gaussian(valueNoiseMultiplier), DpEvent.gaussian(2 * clippedCountStddev));
    }
  }

  /**
   * TFF's {@code adaptive_clip_noise_params(noise_multiplier, expected_clients_per_round)}: the clipped-count
   * standard deviation defaults to {@code clientsPerRound / 20} (0 when {@code noiseMultiplier} is 0).
   *
   * @throws IllegalArgumentException as {@link #adaptiveClipNoiseParams(double, double, double)}
   */
  public static AdaptiveNoise adaptiveClipNoiseParams(double noiseMultiplier, double clientsPerRound) {
    return adaptiveClipNoiseParams(noiseMultiplier, clientsPerRound, noiseMultiplier > 0 ? 0.05 * clientsPerRound
        : 0.0);
  }

  /**
   * TFF's {@code adaptive_clip_noise_params(noise_multiplier, expected_clients_per_round, clipped_count_stddev)}.
   * Logs a warning (as TFF does) when the value noise is at least twice the total, a sign that
   * {@code clippedCountStddev} or the number of clients is too small.
   *
   * @throws IllegalArgumentException if {@code noiseMultiplier} or {@code clippedCountStddev} is negative or not
   *     finite, {@code clientsPerRound} is not finite and {@code > 0}, or {@code noiseMultiplier >= 2 *
   *     clippedCountStddev} (then no value noise reaches the total)
   */
  public static AdaptiveNoise adaptiveClipNoiseParams(double noiseMultiplier, double clientsPerRound,
      double clippedCountStddev) {
    String who = "DifferentiallyPrivateFactory.adaptiveClipNoiseParams";
    nonNegative(who, "noiseMultiplier", noiseMultiplier);
    if (!(clientsPerRound > 0) || Double.isInfinite(clientsPerRound)) {
      throw new IllegalArgumentException(who + ": clientsPerRound (" + clientsPerRound + ") must be finite and > 0");
    }
    nonNegative(who, "clippedCountStddev", clippedCountStddev);
    if (noiseMultiplier == 0) {
      return new AdaptiveNoise(0.0, clippedCountStddev);
    }
    if (noiseMultiplier >= 2 * clippedCountStddev) {
      throw new IllegalArgumentException(who + ": clippedCountStddev (" + clippedCountStddev + ") is too low for the"
          + " total noiseMultiplier (" + noiseMultiplier + "): it must be > noiseMultiplier / 2 (the default is"
          + " clientsPerRound / 20); increase it or lower noiseMultiplier");
    }
    double value = Math.pow(Math.pow(noiseMultiplier, -2) - Math.pow(2 * clippedCountStddev, -2), -0.5);
    if (value / noiseMultiplier >= 2) {
      LOG.log(System.Logger.Level.WARNING, String.format(java.util.Locale.ROOT, "%s: the value noise multiplier"
          + " %.4f is %.2fx the total %s; increase clippedCountStddev or clientsPerRound", who, value,
          value / noiseMultiplier, noiseMultiplier));
    }
    return new AdaptiveNoise(value, clippedCountStddev);
  }

  /**
   * TFF's {@code gaussian_adaptive(noise_multiplier, clients_per_round)} with its defaults: initial clip 0.1,
   * target unclipped quantile 0.5, learning rate 0.2, clipped-count standard deviation {@code clientsPerRound / 20}.
   *
   * @throws IllegalArgumentException as {@link #gaussianAdaptive(double, int, double, double, double, double, long)}
   */
  public static UnweightedAggregationFactory gaussianAdaptive(double noiseMultiplier, int clientsPerRound,
      long noiseSeed) {
    return gaussianAdaptive(noiseMultiplier, clientsPerRound, 0.1, 0.5, 0.2,
        noiseMultiplier > 0 ? 0.05 * clientsPerRound : 0.0, noiseSeed);
  }

  /**
   * TFF's {@code gaussian_adaptive(noise_multiplier, clients_per_round, initial_l2_norm_clip,
   * target_unclipped_quantile, learning_rate, clipped_count_stddev)}: TF-Privacy's
   * {@code QuantileAdaptiveClipSumQuery} with geometric updates, normalized by {@code clientsPerRound} (Andrew,
   * Thakkar, McMahan, Ramaswamy 2021, arXiv 1905.03871). {@code noiseMultiplier} is the total: it is split by
   * {@link #adaptiveClipNoiseParams(double, double, double)} into {@code z_v} on the values and
   * {@code 2 sigma_b} on the clipped count.
   *
   * <p>Round {@code t} with clip {@code C_t}: each client sends {@code clip(x, C_t)} and {@code 1[||x|| <= C_t] -
   * 1/2} (the norm before clipping); the server returns {@code (sum clip(x) + N(0, (z_v C_t)^2)) / clientsPerRound},
   * forms {@code b = clamp((sum (1[...] - 1/2) + N(0, sigma_b^2)) / clientsPerRound + 1/2, 0, 1)} and moves the clip
   * to {@code C_{t+1} = max(0, C_t exp(-learningRate (b - target)))}, used from the next round. The count noise comes
   * from {@code RandomStream.of(noiseSeed, t, COUNT_NOISE)}.
   *
   * <p>Query state {@code <l2_norm_clip,stddev,noise_multiplier,target_unclipped_quantile,learning_rate,
   * clipped_count_stddev,expected_num_records,denominator (float32),noise_seed,round (int64)>}; event
   * {@code <noise_multiplier=float32,clipped_count_noise_multiplier=float32>}: {@code z_v} and {@code 2 sigma_b} as
   * float32, whose composition {@link #dpEvent} returns; {@code dp_query_metrics=<clip=float32>}, the clip of the next
   * round, as TF-Privacy's {@code derive_metrics} of the new state.
   *
   * @throws IllegalArgumentException if {@code noiseMultiplier} or {@code clippedCountStddev} is negative or not a
   *     finite float32, {@code clientsPerRound < 1}, {@code initialClip} is not a finite float32 {@code > 0},
   *     {@code targetUnclippedQuantile} is not in {@code [0, 1]}, {@code learningRate} is negative or not a finite
   *     float32, or {@code noiseMultiplier >= 2 * clippedCountStddev}
   */
  public static UnweightedAggregationFactory gaussianAdaptive(double noiseMultiplier, int clientsPerRound,
      double initialClip, double targetUnclippedQuantile, double learningRate, double clippedCountStddev,
      long noiseSeed) {
    String who = "DifferentiallyPrivateFactory.gaussianAdaptive";
    nonNegative(who, "noiseMultiplier", noiseMultiplier);
    clients(who, clientsPerRound);
    positive(who, "initialClip", initialClip);
    if (!(targetUnclippedQuantile >= 0 && targetUnclippedQuantile <= 1)) {
      throw new IllegalArgumentException(who + ": targetUnclippedQuantile (" + targetUnclippedQuantile
          + ") must be in [0, 1]");
    }
    nonNegative(who, "learningRate", learningRate);
    nonNegative(who, "clippedCountStddev", clippedCountStddev);
    AdaptiveNoise noise = adaptiveClipNoiseParams(noiseMultiplier, clientsPerRound, clippedCountStddev);
    float zv = (float) noise.valueNoiseMultiplier();
    float clip = (float) initialClip;
    Struct query = Struct.of(ADAPTIVE_STATE.names(), List.of(Tensor.scalar(clip), Tensor.scalar(clip * zv),
        Tensor.scalar(zv), Tensor.scalar((float) targetUnclippedQuantile), Tensor.scalar((float) learningRate),
        Tensor.scalar((float) clippedCountStddev), Tensor.scalar((float) clientsPerRound),
        Tensor.scalar((float) clientsPerRound), Tensor.scalar(noiseSeed), Tensor.scalar(0L)));
    return valueType -> create(who, new AdaptiveQuery(query), valueType);
  }

  /**
   * TFF's {@code tree_aggregation(noise_multiplier, clients_per_round, l2_norm_clip, record_specs, noise_seed,
   * use_efficient)}: DP-FTRL's noise (Kairouz, McMahan, Song, Thakkar, Thakurta, Xu 2021, "Practical and Private
   * (Deep) Learning without Sampling or Shuffling", arXiv 2103.00039). Clients clip to {@code l2NormClip}; round
   * {@code t} returns {@code (sum_t + N_t - N_{t-1}) / clientsPerRound}, where {@code N_t} is the tree-aggregated
   * cumulative noise, every node drawing {@code N(0, (l2NormClip * noiseMultiplier)^2)}; so the cumulative sum of
   * the results is the noised prefix sum a server SGD step turns into FTRL. {@code useEfficient} takes Honaker's
   * estimator ("Efficient Use of Differentially Private Binary Trees", 2015), which lowers the variance of a
   * level-{@code l} node to {@code sigma^2 / (2 - 2^-l)}.
   *
   * <p>Where Cohort differs: the state holds the tree's node estimates with a fixed type, so the factory takes
   * {@code maxRounds}, the rounds the one tree may run ({@code floor(log2 maxRounds) + 1} levels of the value's size
   * in the state); a later round fails. Query state: the fields of {@code gaussianAdaptive} (the quantile ones unused)
   * and {@code tree,tree_step} (int64) and {@code levels}; event {@code <noise_multiplier,
   * clipped_count_noise_multiplier,tree,tree_step>}. Rounds of a tree are accounted together
   * ({@link PrivacyLedger}), as {@code DpEvent.treeAggregation(noiseMultiplier, steps)}; {@link #dpEvent} refuses a
   * single tree round.
   *
   * @throws IllegalArgumentException if {@code noiseMultiplier} is negative or not a finite float32,
   *     {@code clientsPerRound < 1}, {@code l2NormClip} is not a finite float32 {@code > 0} or {@code maxRounds < 1}
   */
  public static UnweightedAggregationFactory treeAggregation(double noiseMultiplier, int clientsPerRound,
      double l2NormClip, long maxRounds, boolean useEfficient, long noiseSeed) {
    String who = "DifferentiallyPrivateFactory.treeAggregation";
    nonNegative(who, "noiseMultiplier", noiseMultiplier);
    clients(who, clientsPerRound);
    positive(who, "l2NormClip", l2NormClip);
    if (maxRounds < 1) {
      throw new IllegalArgumentException(who + ": maxRounds (" + maxRounds + ") must be >= 1");
    }
    Struct scalars = treeScalars((float) l2NormClip, (float) noiseMultiplier, clientsPerRound, noiseSeed, 0f, 0f,
        0f);
    return valueType -> create(who, new TreeQuery(scalars, new TreeQuery.Tree(false, useEfficient, maxRounds, 0, 0)), valueType);
  }

  /**
   * TFF's {@code tree_adaptive(noise_multiplier, clients_per_round, record_specs)} with its defaults: initial clip
   * 0.1, restart warmup 128, restart frequency 1024, target unclipped quantile 0.5, clip learning rate 0.2,
   * clipped-count standard deviation {@code clientsPerRound / 20}.
   *
   * @throws IllegalArgumentException as {@link #treeAdaptive(double, int, double, int, int, double, double, double,
   *     long)}
   */
  public static UnweightedAggregationFactory treeAdaptive(double noiseMultiplier, int clientsPerRound,
      long noiseSeed) {
    return treeAdaptive(noiseMultiplier, clientsPerRound, 0.1, 128, 1024, 0.5, 0.2,
        noiseMultiplier > 0 ? 0.05 * clientsPerRound : 0.0, noiseSeed);
  }

  /**
   * TFF's {@code tree_adaptive(...)}: TF-Privacy's {@code QAdaClipTreeResSumQuery} in a {@code RestartQuery} with a
   * {@code PeriodicRoundRestartIndicator(period=restartFrequency, warmup=restartWarmup)}, normalized by
   * {@code clientsPerRound}. The total {@code noiseMultiplier} is split as in {@link #gaussianAdaptive}; the value
   * tree's nodes draw {@code N(0, (z_v C)^2)}, the clipped count's tree {@code N(0, sigma_b^2)}. The quantile
   * estimate moves every round (geometric updates, from the count's tree residual); the clip takes the estimate when
   * the tree restarts: after round {@code restartWarmup}, then every {@code restartFrequency} rounds (every
   * {@code restartFrequency} rounds from the start when {@code restartWarmup} is 0, TFF's {@code None}).
   * {@code dp_query_metrics = <current_clip,estimate_clip>}. The state holds {@code max(restartWarmup,
   * restartFrequency)} steps of a tree.
   *
   * @throws IllegalArgumentException if a parameter is out of its range ({@code restartFrequency >= 1},
   *     {@code restartWarmup} 0 or in {@code [1, restartFrequency - 1]}), as TFF checks, or as
   *     {@link #gaussianAdaptive(double, int, double, double, double, double, long)}
   */
  public static UnweightedAggregationFactory treeAdaptive(double noiseMultiplier, int clientsPerRound,
      double initialClip, int restartWarmup, int restartFrequency, double targetUnclippedQuantile,
      double clipLearningRate, double clippedCountStddev, long noiseSeed) {
    String who = "DifferentiallyPrivateFactory.treeAdaptive";
    nonNegative(who, "noiseMultiplier", noiseMultiplier);
    clients(who, clientsPerRound);
    positive(who, "initialClip", initialClip);
    if (restartFrequency < 1) {
      throw new IllegalArgumentException(who + ": restartFrequency (" + restartFrequency + ") must be >= 1");
    }
    if (restartWarmup != 0 && (restartWarmup < 1 || restartWarmup >= restartFrequency)) {
      throw new IllegalArgumentException(who + ": restartWarmup (" + restartWarmup + ") must be 0 (none) or in [1, "
          + (restartFrequency - 1) + "] (restartFrequency - 1)");
    }
    if (!(targetUnclippedQuantile >= 0 && targetUnclippedQuantile <= 1)) {
      throw new IllegalArgumentException(who + ": targetUnclippedQuantile (" + targetUnclippedQuantile
          + ") must be in [0, 1]");
    }
    nonNegative(who, "clipLearningRate", clipLearningRate);
    nonNegative(who, "clippedCountStddev", clippedCountStddev);
    AdaptiveNoise noise = adaptiveClipNoiseParams(noiseMultiplier, clientsPerRound, clippedCountStddev);
    Struct scalars = treeScalars((float) initialClip, (float) noise.valueNoiseMultiplier(), clientsPerRound,
        noiseSeed, (float) targetUnclippedQuantile, (float) clipLearningRate, (float) clippedCountStddev);
    long maxSteps = Math.max(restartWarmup, restartFrequency);
    return valueType -> create(who, new TreeQuery(scalars, new TreeQuery.Tree(true, true, maxSteps,
        restartFrequency, restartWarmup)), valueType);
  }

  private static Struct treeScalars(float clip, float z, int clientsPerRound, long seed, float target, float rate,
      float countStddev) {
    return Struct.of(TreeQuery.scalarFields().names(), List.of(Tensor.scalar(clip), Tensor.scalar(clip * z),
        Tensor.scalar(z), Tensor.scalar((float) clientsPerRound), Tensor.scalar(seed), Tensor.scalar(0L),
        Tensor.scalar(0L), Tensor.scalar(0L), Tensor.scalar(clip), Tensor.scalar(target), Tensor.scalar(rate),
        Tensor.scalar(countStddev), Tensor.scalar((float) clientsPerRound)));
  }

  /** What a mechanism gives the shared process: TF-Privacy's {@code DPQuery}, over traced federated values. */
  interface Query {
    /** The query state of {@code initialize}. */
    Struct initialState(Type valueType);

    /** The placeholder {@code dp_event} of the initial state. */
    Struct initialEvent();

    /** The type of a client's record. */
    Type recordType(Type valueType);

    /** The clients' records ({@code CLIENTS}), from their values and the clip broadcast to them. */
    Value records(Value value, Value clip, Type valueType);

    /**
     * {@code (<sum=R,query=Q> -> <result=V,query=Q,dp_event=E>)}: the noised result, the query state one round on
     * and the round's event.
     */
    Computation noised(Type valueType, Type recordType, StructType queryType);

    /** {@code dp_query_metrics} ({@code SERVER}) from the new query state. */
    Value metrics(Value newQuery);
  }

  static AggregationProcess create(String who, Query q, Type valueType) {
    Processes.requireFloats(who, valueType);
    Type recordType = q.recordType(valueType);
    AggregationProcess recordSum = new SumFactory().create(recordType);
    Struct initialQuery = q.initialState(valueType);
    Computation initialize = Computation.federated("dp_initialize", () -> federatedZip(Processes.named(
        "query_state", federatedValue(initialQuery, Placement.SERVER),
        "agg_state", recordSum.initialize().apply(),
        "dp_event", federatedValue(q.initialEvent(), Placement.SERVER),
        "is_init_state", federatedValue(true, Placement.SERVER))));
    Type stateType = initialize.typeSignature().result();
    StructType queryType = (StructType) ((StructType) ((FederatedType) stateType).member()).type(0);
    Computation noised = q.noised(valueType, recordType, queryType);
    Computation next = Computation.federated("dp_next", "state", stateType,
        "value", FederatedType.atClients(valueType), (state, value) -> {
          Value query = state.get("query_state");
          Value records = q.records(value, federatedBroadcast(query.get("l2_norm_clip")), valueType);
          Value sum = recordSum.next().apply(state.get("agg_state"), records);
          Value out = federatedMap(noised, List.of(sum.get("result"), query));
          return Processes.output(
              federatedZip(Processes.named("query_state", out.get("query"), "agg_state", sum.get("state"),
                  "dp_event", out.get("dp_event"), "is_init_state", federatedValue(false, Placement.SERVER))),
              out.get("result"),
              federatedZip(Processes.named("dp_query_metrics", q.metrics(out.get("query")),
                  "dp", sum.get("measurements"))));
        });
    return new AggregationProcess(initialize, next);
  }

  /** {@code noise(i)}: the stream of tensor {@code i} of round {@code round}'s value noise. */
  static List<Tensor> noised(Object sum, RandomStream noise, float stddev, Tensor denominator) {
    List<Tensor> tensors = Processes.tensors(sum);
    List<Tensor> out = new ArrayList<>(tensors.size());
    for (int i = 0; i < tensors.size(); i++) {
      Tensor t = tensors.get(i);
      out.add(t.add(noise.fork(i).normal(t.shape(), 0f, stddev)).div(denominator));
    }
    return out;
  }

  /** {@code value} with its tensors replaced, in order, by {@code tensors}. */
  static Object replaced(Object value, List<Tensor> tensors) {
    int[] next = {0};
    return Processes.mapTensors(value, t -> tensors.get(next[0]++));
  }

  /** Gaussian noise on the clipped sum with a fixed clip. */
  private record FixedQuery(Struct initial) implements Query {
    @Override
    public Struct initialState(Type valueType) {
      return initial;
    }

    @Override
    public Struct initialEvent() {
      return Struct.named("noise_multiplier", 0f);
    }

    @Override
    public Type recordType(Type valueType) {
      return valueType;
    }

    @Override
    public Value records(Value value, Value clip, Type valueType) {
      return clippedValues(value, clip, valueType);
    }

    @Override
    public Computation noised(Type valueType, Type recordType, StructType queryType) {
      return FIXED_NOISE.at(noisedType(valueType, valueType, FIXED_STATE, FIXED_EVENT), Struct.empty());
    }

    @Override
    public Value metrics(Value newQuery) {
      return federatedValue(Struct.empty(), Placement.SERVER);
    }
  }

  /** Gaussian noise on the clipped sum with the clip adapted to a quantile of the norms, itself with noise. */
  private record AdaptiveQuery(Struct initial) implements Query {
    @Override
    public Struct initialState(Type valueType) {
      return initial;
    }

    @Override
    public Struct initialEvent() {
      return Struct.named("noise_multiplier", 0f, "clipped_count_noise_multiplier", 0f);
    }

    @Override
    public Type recordType(Type valueType) {
      return StructType.named("value", valueType, "below", FLOAT32);
    }

    @Override
    public Value records(Value value, Value clip, Type valueType) {
      return adaptiveRecords(value, clip, valueType);
    }

    @Override
    public Computation noised(Type valueType, Type recordType, StructType queryType) {
      return ADAPTIVE_NOISE.at(noisedType(valueType, recordType, ADAPTIVE_STATE, ADAPTIVE_EVENT), Struct.empty());
    }

    @Override
    public Value metrics(Value newQuery) {
      return federatedZip(Processes.named("clip", newQuery.get("l2_norm_clip")));
    }
  }

  /** The families of the mechanisms' server steps; their parameters are all in the query state. */
  private static final String FIXED_FAMILY = "aggregators.dp.gaussian_fixed";
  private static final String ADAPTIVE_FAMILY = "aggregators.dp.gaussian_adaptive";

  /**
   * {@code (<sum=R,query=Q> -> <result=V,query=Q,dp_event=E>)}: a mechanism's server step, from the sum of the
   * clients' records and the query state to the noised result, the next query state and the round's event.
   */
  static FunctionType noisedType(Type valueType, Type recordType, StructType queryType, StructType eventType) {
    return new FunctionType(StructType.named("sum", recordType, "query", queryType),
        StructType.named("result", valueType, "query", queryType, "dp_event", eventType));
  }

  /** The family {@code aggregators.dp.gaussian_fixed}: any float value type {@code V}, no parameters. */
  private static final Processes.Family FIXED_NOISE = new Processes.Family(FIXED_FAMILY, (type, parameters) -> {
    Processes.noParameters(parameters);
    Type valueType = Processes.part(type.result(), 0);
    Processes.requireFloats(FIXED_FAMILY, valueType);
    return noisedType(valueType, valueType, FIXED_STATE, FIXED_EVENT);
  }, (type, parameters) -> arg -> {
      Struct s = (Struct) arg;
      Struct q = (Struct) s.get(1);
      float clip = ((Tensor) q.get(0)).floatValue();
      float stddev = ((Tensor) q.get(1)).floatValue();
      long seed = ((Tensor) q.get(3)).longValue();
      long round = ((Tensor) q.get(4)).longValue();
      List<Tensor> noisy = noised(s.get(0), RandomStream.of(seed, round, NOISE), stddev, (Tensor) q.get(2));
      Struct advanced = Struct.of(q.names(), List.of(q.get(0), q.get(1), q.get(2), q.get(3),
          Tensor.scalar(round + 1)));
      return Struct.of(List.of("result", "query", "dp_event"), List.of(replaced(s.get(0), noisy), advanced,
          Struct.named("noise_multiplier", stddev / clip)));
  });

  /** The family {@code aggregators.dp.gaussian_adaptive}: any float value type {@code V}, no parameters. */
  private static final Processes.Family ADAPTIVE_NOISE = new Processes.Family(ADAPTIVE_FAMILY,
      (type, parameters) -> {
        Processes.noParameters(parameters);
        Type valueType = Processes.part(type.result(), 0);
        Processes.requireFloats(ADAPTIVE_FAMILY, valueType);
        return noisedType(valueType, StructType.named("value", valueType, "below", FLOAT32), ADAPTIVE_STATE,
            ADAPTIVE_EVENT);
      }, (type, parameters) -> arg -> {
      Struct s = (Struct) arg;
      Struct sum = (Struct) s.get(0);
      Struct q = (Struct) s.get(1);
      float clip = scalar(q, "l2_norm_clip");
      float zv = scalar(q, "noise_multiplier");
      float countStddev = scalar(q, "clipped_count_stddev");
      long seed = ((Tensor) q.get("noise_seed")).longValue();
      long round = ((Tensor) q.get("round")).longValue();
      List<Tensor> noisy = noised(sum.get(0), RandomStream.of(seed, round, NOISE), scalar(q, "stddev"),
          (Tensor) q.get("denominator"));
      float newClip = nextClip(clip, ((Tensor) sum.get(1)).floatValue(), countStddev, seed, round,
          scalar(q, "expected_num_records"), scalar(q, "learning_rate"), scalar(q, "target_unclipped_quantile"));
      List<Object> fields = new ArrayList<>(q.values());
      fields.set(0, Tensor.scalar(newClip));
      fields.set(1, Tensor.scalar(newClip * zv));
      fields.set(9, Tensor.scalar(round + 1));
      return Struct.of(List.of("result", "query", "dp_event"), List.of(replaced(sum.get(0), noisy),
          Struct.of(q.names(), fields),
          Struct.named("noise_multiplier", zv, "clipped_count_noise_multiplier", countStddev / 0.5f)));
  });

  /** {@code (int32 -> float32)}: a clipped flag to {@code 1[||x|| <= C] - 1/2}. */
  private static final Processes.Family BELOW_ESTIMATE = Processes.Family.single("aggregators.below_estimate",
      new FunctionType(INT32, FLOAT32),
      flag -> Tensor.scalar(0.5f - ((Tensor) flag).intValue()));

  /** Defines the families of this factory's processes ({@link AggregationProcess#defineLocalFamilies}). */
  static void defineLocalFamilies() {
    FIXED_NOISE.define();
    ADAPTIVE_NOISE.define();
    BELOW_ESTIMATE.define();
    TreeQuery.defineLocalFamily();
  }

  /** The clients' values clipped to the global L2 norm {@code clip} broadcast to them. */
  static Value clippedValues(Value value, Value clip, Type valueType) {
    return federatedMap(Robust.transform(false, NormOrder.L2, valueType), List.of(value, clip)).get("value");
  }

  /**
   * The clients' {@code <value=clip(x, C),below=1[||x|| <= C] - 1/2>} records of adaptive clipping, from the
   * broadcast clip {@code C}.
   */
  static Value adaptiveRecords(Value value, Value clip, Type valueType) {
    Value clipped = federatedMap(Robust.transform(false, NormOrder.L2, valueType), List.of(value, clip));
    Value below = federatedMap(BELOW_ESTIMATE.at(new FunctionType(INT32, FLOAT32)), clipped.get("flag"));
    return federatedZip(Processes.named("value", clipped.get("value"), "below", below));
  }

  /**
   * The geometric update of the clip from the sum of the clients' {@code 1[||x|| <= C] - 1/2}, with Gaussian noise of
   * standard deviation {@code countStddev} from {@code RandomStream.of(seed, round, COUNT_NOISE)}: TF-Privacy's
   * {@code QuantileEstimatorQuery.get_noised_result}, clamped at 0.
   */
  static float nextClip(float clip, float belowSum, float countStddev, long seed, long round, float expected,
      float learningRate, float target) {
    float noise = RandomStream.of(seed, round, COUNT_NOISE).normal(Shape.SCALAR, 0f, countStddev).floatValue();
    float below = Math.min(1f, Math.max(0f, (belowSum + noise) / expected + 0.5f));
    return Math.max(0f, clip * (float) Math.exp(-(learningRate * (below - target))));
  }

  static float scalar(Struct s, String name) {
    return ((Tensor) s.get(name)).floatValue();
  }

  /**
   * The DP event of the round that produced {@code state} (a process's state, as {@code next} returns it, or its
   * SERVER member): TFF's {@code extract_dp_event_from_state}. {@code DpEvent.gaussian(z)} for
   * {@link #gaussianFixed}; {@code DpEvent.composed(gaussian(z_v), gaussian(2 sigma_b))} for
   * {@link #gaussianAdaptive}. Compose the events of all rounds, e.g. {@code DpEvent.selfComposed(dpEvent(state),
   * rounds)}, or record each state in a {@link PrivacyLedger}, and give them to a cohort-privacy accountant.
   *
   * @throws IllegalStateException for the initial state, which no round has produced, or if the noise multiplier is
   *     0 (such rounds are not differentially private)
   * @throws IllegalArgumentException if {@code state} is not the state of a process of this factory
   */
  public static DpEvent dpEvent(Object state) {
    Struct event = recordedEvent(state);
    if (event.names().equals(TreeQuery.EVENT.names())) {
      throw new IllegalStateException("DifferentiallyPrivateFactory.dpEvent: a round of tree aggregation is not an"
          + " event by itself; the rounds of each tree are accounted together: record the states in a"
          + " PrivacyLedger");
    }
    double z = ((Tensor) event.get("noise_multiplier")).getDouble();
    if (z == 0) {
      throw new IllegalStateException("DifferentiallyPrivateFactory.dpEvent: the noise multiplier is 0, so the round"
          + " is not differentially private");
    }
    if (event.names().equals(ADAPTIVE_EVENT.names())) {
      return DpEvent.composed(DpEvent.gaussian(z),
          DpEvent.gaussian(((Tensor) event.get("clipped_count_noise_multiplier")).getDouble()));
    }
    return DpEvent.gaussian(z);
  }

  /** The {@code dp_event} member of a state, checked to be one a round has produced. */
  static Struct recordedEvent(Object state) {
    Object member = state instanceof FederatedValue f ? f.value() : state;
    if (!(member instanceof Struct s) || !s.names().equals(List.of("query_state", "agg_state", "dp_event",
        "is_init_state"))) {
      throw new IllegalArgumentException("DifferentiallyPrivateFactory.dpEvent: expected the state of a"
          + " differentially private process, <query_state,agg_state,dp_event,is_init_state>, found " + state);
    }
    if (((Tensor) s.get("is_init_state")).boolValue()) {
      throw new IllegalStateException("DifferentiallyPrivateFactory.dpEvent: this is the initial state; no round has"
          + " run, so it records no DP event");
    }
    return (Struct) s.get("dp_event");
  }

  static void nonNegative(String who, String parameter, double value) {
    if (!(value >= 0) || !Float.isFinite((float) value)) {
      throw new IllegalArgumentException(who + ": " + parameter + " (" + value + ") must be a finite float32 >= 0");
    }
  }

  static void positive(String who, String parameter, double value) {
    if (!(value > 0) || !Float.isFinite((float) value)) {
      throw new IllegalArgumentException(who + ": " + parameter + " (" + value + ") must be a finite float32 > 0");
    }
  }

  static void clients(String who, int clientsPerRound) {
    if (clientsPerRound < 1) {
      throw new IllegalArgumentException(who + ": clientsPerRound (" + clientsPerRound + ") must be >= 1");
    }
  }
}
