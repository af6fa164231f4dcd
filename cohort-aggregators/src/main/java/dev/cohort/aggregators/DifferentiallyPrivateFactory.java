package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.Intrinsics.federatedZip;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT64;

import dev.cohort.core.Computation;
import dev.cohort.core.LocalFamily;
import dev.cohort.core.Value;
import dev.cohort.core.ast.LocalFactory;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.privacy.DpEvent;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Differentially private aggregation: TFF's {@code tff.aggregators.DifferentiallyPrivateFactory}. Clients clip their
 * value to a global L2 norm; the clipped values are summed; the server adds Gaussian noise to the sum and divides by
 * the expected number of clients. Each round records its {@link DpEvent} in the state, for a privacy accountant
 * ({@link #dpEvent}).
 *
 * <p>State, as TFF's {@code DPAggregatorState}:
 * {@code <query_state=<l2_norm_clip=float32,stddev=float32,denominator=float32,noise_seed=int64,round=int64>,
 * agg_state=<>,dp_event=<noise_multiplier=float32>,is_init_state=bool>}; measurements {@code <dp_query_metrics=<>,dp=<>>}.
 *
 * <p>The noise of round {@code r} comes from cohort-tensor's keyed generator, {@code RandomStream.of(noiseSeed, r,
 * NOISE)} forked per tensor of the value, so the same seed gives the same noise whatever the number of threads or
 * clients. Whoever knows the seed can subtract the noise: for a real deployment the seed must be secret and random;
 * a fixed seed is for reproducible simulations.
 */
public final class DifferentiallyPrivateFactory {
  private DifferentiallyPrivateFactory() {}

  /** The purpose key of the noise streams, "DPNOISE" in ASCII. */
  static final long NOISE = 0x4450_4E4F_4953_45L;

  private static final StructType QUERY_STATE = StructType.named("l2_norm_clip", FLOAT32, "stddev", FLOAT32,
      "denominator", FLOAT32, "noise_seed", INT64, "round", INT64);

  /**
   * TFF's {@code DifferentiallyPrivateFactory.gaussian_fixed(noise_multiplier, clients_per_round, clip)}: the mean
   * {@code (sum_i clip(x_i) + N(0, (clip * noiseMultiplier)^2)) / clientsPerRound}, with the noise standard deviation
   * {@code clip * noiseMultiplier} on the sum (McMahan et al. 2018, "Learning Differentially Private Recurrent
   * Language Models", arXiv 1710.06963). Each round's event is {@code DpEvent.gaussian(noiseMultiplier)}.
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
    if (!(noiseMultiplier >= 0) || !Float.isFinite((float) noiseMultiplier)) {
      throw new IllegalArgumentException(who + ": noiseMultiplier (" + noiseMultiplier
          + ") must be a finite float32 >= 0");
    }
    if (clientsPerRound < 1) {
      throw new IllegalArgumentException(who + ": clientsPerRound (" + clientsPerRound + ") must be >= 1");
    }
    if (!(clip > 0) || !Float.isFinite((float) clip)) {
      throw new IllegalArgumentException(who + ": clip (" + clip + ") must be a finite float32 > 0");
    }
    Struct query = Struct.of(QUERY_STATE.names(), List.of(Tensor.scalar((float) clip),
        Tensor.scalar((float) (clip * noiseMultiplier)), Tensor.scalar((float) clientsPerRound),
        Tensor.scalar(noiseSeed), Tensor.scalar(0L)));
    return valueType -> create(who, query, valueType);
  }

  private static AggregationProcess create(String who, Struct initialQuery, Type valueType) {
    Processes.requireFloats(who, valueType);
    AggregationProcess recordSum = new SumFactory().create(valueType);
    Computation initialize = Computation.federated("dp_initialize", () -> federatedZip(Processes.named(
        "query_state", federatedValue(initialQuery, Placement.SERVER),
        "agg_state", recordSum.initialize().apply(),
        "dp_event", federatedValue(Struct.named("noise_multiplier", 0f), Placement.SERVER),
        "is_init_state", federatedValue(true, Placement.SERVER))));
    Computation clip = Robust.transform(false, NormOrder.L2, valueType);
    Computation noised = noisedResult(valueType);
    Computation next = Computation.federated("dp_next", "state", initialize.typeSignature().result(),
        "value", FederatedType.atClients(valueType), (state, value) -> {
          Value query = state.get("query_state");
          Value clipped = federatedMap(clip, List.of(value, federatedBroadcast(query.get("l2_norm_clip"))));
          Value records = recordSum.next().apply(state.get("agg_state"), clipped.get("value"));
          Value out = federatedMap(noised, List.of(records.get("result"), query));
          return Processes.output(
              federatedZip(Processes.named("query_state", out.get("query"), "agg_state", records.get("state"),
                  "dp_event", out.get("dp_event"), "is_init_state", federatedValue(false, Placement.SERVER))),
              out.get("result"),
              federatedZip(Processes.named("dp_query_metrics", federatedValue(Struct.empty(), Placement.SERVER),
                  "dp", records.get("measurements"))));
        });
    return new AggregationProcess(initialize, Processes.streaming(next));
  }

  /**
   * {@code (<sum=V,query=Q> -> <result=V,query=Q,dp_event=<noise_multiplier=float32>>)}: the noised mean, the query
   * state one round on, and the round's event.
   */
  private static Computation noisedResult(Type valueType) {
    return LocalFamily.define("aggregators.gaussian_noised_mean", NOISED_MEAN).at(noisedType(valueType));
  }

  /** {@code (<sum=V,query=Q> -> <result=V,query=Q,dp_event=<noise_multiplier=float32>>)}. */
  private static FunctionType noisedType(Type valueType) {
    return new FunctionType(StructType.named("sum", valueType, "query", QUERY_STATE),
        StructType.named("result", valueType, "query", QUERY_STATE, "dp_event",
            StructType.named("noise_multiplier", FLOAT32)));
  }

  /** The family {@code aggregators.gaussian_noised_mean}, at {@link #noisedType} of any value type. */
  private static final LocalFactory NOISED_MEAN = (type, parameters) -> {
    Processes.noParameters(parameters);
    Processes.familyValueType(type, DifferentiallyPrivateFactory::noisedType);
    return arg -> {
      Struct s = (Struct) arg;
      Struct q = (Struct) s.get(1);
      float clip = ((Tensor) q.get(0)).floatValue();
      float stddev = ((Tensor) q.get(1)).floatValue();
      Tensor denominator = (Tensor) q.get(2);
      long seed = ((Tensor) q.get(3)).longValue();
      long round = ((Tensor) q.get(4)).longValue();
      RandomStream noise = RandomStream.of(seed, round, NOISE);
      List<Tensor> tensors = Processes.tensors(s.get(0));
      List<Tensor> noisy = new ArrayList<>(tensors.size());
      for (int i = 0; i < tensors.size(); i++) {
        Tensor t = tensors.get(i);
        noisy.add(t.add(noise.fork(i).normal(t.shape(), 0f, stddev)).div(denominator));
      }
      int[] next = {0};
      Object result = Processes.mapTensors(s.get(0), t -> noisy.get(next[0]++));
      Struct advanced = Struct.of(q.names(), List.of(q.get(0), q.get(1), q.get(2), q.get(3),
          Tensor.scalar(round + 1)));
      return Struct.of(List.of("result", "query", "dp_event"), List.of(result, advanced,
          Struct.named("noise_multiplier", stddev / clip)));
    };
  };

  /**
   * The DP event of the round that produced {@code state} (a process's state, as {@code next} returns it, or its
   * SERVER member): TFF's {@code extract_dp_event_from_state}. Compose the events of all rounds, e.g.
   * {@code DpEvent.selfComposed(dpEvent(state), rounds)}, and give them to a cohort-privacy accountant.
   *
   * @throws IllegalStateException for the initial state, which no round has produced, or if the noise multiplier is
   *     0 (such rounds are not differentially private)
   * @throws IllegalArgumentException if {@code state} is not the state of a process of this factory
   */
  public static DpEvent dpEvent(Object state) {
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
    double z = ((Tensor) ((Struct) s.get("dp_event")).get("noise_multiplier")).getDouble();
    if (z == 0) {
      throw new IllegalStateException("DifferentiallyPrivateFactory.dpEvent: the noise multiplier is 0, so the round"
          + " is not differentially private");
    }
    return DpEvent.gaussian(z);
  }
}
