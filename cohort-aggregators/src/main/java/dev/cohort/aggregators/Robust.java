package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.Intrinsics.federatedZip;

import dev.cohort.core.Computation;
import dev.cohort.core.Value;
import dev.cohort.core.ast.LocalFunction;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Robust aggregation: clipping and zeroing of large values before an inner aggregation (TFF's
 * {@code tff.aggregators.clipping_factory} and {@code zeroing_factory}). Each wraps an inner factory and takes its
 * weightedness from it; weights pass to the inner process unchanged.
 *
 * <p>The norm is fixed, or reported each round by an {@link EstimationProcess} whose {@code next} receives each
 * client's norm (before clipping or zeroing) and whose {@code report} gives {@code float32@SERVER}, such as
 * {@link QuantileEstimation#noNoise}: adaptive clipping, whose norm follows a quantile of the clients' norms. The norm in force is broadcast; clients clip or zero and
 * flag it; the inner process aggregates, a {@link SumFactory} (or the given count sum factory) counts the flags.
 *
 * <table>
 *   <caption>State and measurements (clipping; zeroing names them zeroing_norm, inner_agg, zeroed_count_agg /
 *   zeroing, zeroing_norm, zeroed_count)</caption>
 *   <tr><th>state</th><td>{@code <clipping_norm=norm process state,inner_agg=inner state,clipped_count_agg=<>>}</td></tr>
 *   <tr><th>measurements</th><td>{@code <clipping=inner measurements,clipping_norm=float32,clipped_count=int32>}</td></tr>
 * </table>
 *
 * <pre>{@code
 * // TFF's robust_aggregator: clip at the estimated 0.8 quantile of the norms, zero values far above the 0.98 one
 * WeightedAggregationFactory robust = Robust.zeroing(
 *     QuantileEstimation.noNoise(10.0, 0.98, Math.log(10), 2.0, 1.0), NormOrder.LINF,
 *     Robust.clipping(QuantileEstimation.noNoise(1.0, 0.8, 0.2), new MeanFactory()));
 * }</pre>
 */
public final class Robust {
  private Robust() {}

  /** Clips each value to the global L2 norm {@code clippingNorm}: {@code x * min(1, clippingNorm / ||x||)}. */
  public static UnweightedAggregationFactory clipping(double clippingNorm, UnweightedAggregationFactory inner) {
    return clipping(constant("Robust.clipping", "clippingNorm", clippingNorm), inner);
  }

  /** As {@link #clipping(double, UnweightedAggregationFactory)}, for a weighted inner factory. */
  public static WeightedAggregationFactory clipping(double clippingNorm, WeightedAggregationFactory inner) {
    return clipping(constant("Robust.clipping", "clippingNorm", clippingNorm), inner);
  }

  /** Clips each value to the global L2 norm that {@code clippingNorm} reports each round. */
  public static UnweightedAggregationFactory clipping(EstimationProcess clippingNorm,
      UnweightedAggregationFactory inner) {
    return clipping(clippingNorm, inner, new SumFactory());
  }

  /** As {@link #clipping(EstimationProcess, UnweightedAggregationFactory)}, for a weighted inner factory. */
  public static WeightedAggregationFactory clipping(EstimationProcess clippingNorm, WeightedAggregationFactory inner) {
    return clipping(clippingNorm, inner, new SumFactory());
  }

  /**
   * As {@link #clipping(EstimationProcess, UnweightedAggregationFactory)}, with the clipped flags ({@code int32}, 0 or
   * 1 per client) summed by {@code clippedCountSum}: TFF's {@code clipped_count_sum_factory}, e.g.
   * {@code SecureSumFactory.integers(1, 0)} to count securely.
   */
  public static UnweightedAggregationFactory clipping(EstimationProcess clippingNorm,
      UnweightedAggregationFactory inner, UnweightedAggregationFactory clippedCountSum) {
    Wrapper w = new Wrapper(Kind.CLIPPING, NormOrder.L2, checked("Robust.clipping", clippingNorm), inner,
        clippedCountSum);
    return valueType -> w.create(valueType, null);
  }

  /** As {@link #clipping(EstimationProcess, UnweightedAggregationFactory, UnweightedAggregationFactory)}, weighted. */
  public static WeightedAggregationFactory clipping(EstimationProcess clippingNorm, WeightedAggregationFactory inner,
      UnweightedAggregationFactory clippedCountSum) {
    Wrapper w = new Wrapper(Kind.CLIPPING, NormOrder.L2, checked("Robust.clipping", clippingNorm), inner,
        clippedCountSum);
    return w::create;
  }

  /** Replaces each value whose {@code order} norm exceeds {@code zeroingNorm} by zeros. */
  public static UnweightedAggregationFactory zeroing(double zeroingNorm, NormOrder order,
      UnweightedAggregationFactory inner) {
    return zeroing(constant("Robust.zeroing", "zeroingNorm", zeroingNorm), order, inner);
  }

  /** As {@link #zeroing(double, NormOrder, UnweightedAggregationFactory)}, for a weighted inner factory. */
  public static WeightedAggregationFactory zeroing(double zeroingNorm, NormOrder order,
      WeightedAggregationFactory inner) {
    return zeroing(constant("Robust.zeroing", "zeroingNorm", zeroingNorm), order, inner);
  }

  /** Replaces each value whose {@code order} norm exceeds the norm {@code zeroingNorm} reports by zeros. */
  public static UnweightedAggregationFactory zeroing(EstimationProcess zeroingNorm, NormOrder order,
      UnweightedAggregationFactory inner) {
    return zeroing(zeroingNorm, order, inner, new SumFactory());
  }

  /** As {@link #zeroing(EstimationProcess, NormOrder, UnweightedAggregationFactory)}, for a weighted inner factory. */
  public static WeightedAggregationFactory zeroing(EstimationProcess zeroingNorm, NormOrder order,
      WeightedAggregationFactory inner) {
    return zeroing(zeroingNorm, order, inner, new SumFactory());
  }

  /**
   * As {@link #zeroing(EstimationProcess, NormOrder, UnweightedAggregationFactory)}, with the zeroed flags summed by
   * {@code zeroedCountSum} (TFF's {@code zeroed_count_sum_factory}).
   */
  public static UnweightedAggregationFactory zeroing(EstimationProcess zeroingNorm, NormOrder order,
      UnweightedAggregationFactory inner, UnweightedAggregationFactory zeroedCountSum) {
    Wrapper w = new Wrapper(Kind.ZEROING, order, checked("Robust.zeroing", zeroingNorm), inner, zeroedCountSum);
    return valueType -> w.create(valueType, null);
  }

  /**
   * As {@link #zeroing(EstimationProcess, NormOrder, UnweightedAggregationFactory, UnweightedAggregationFactory)},
   * weighted.
   */
  public static WeightedAggregationFactory zeroing(EstimationProcess zeroingNorm, NormOrder order,
      WeightedAggregationFactory inner, UnweightedAggregationFactory zeroedCountSum) {
    Wrapper w = new Wrapper(Kind.ZEROING, order, checked("Robust.zeroing", zeroingNorm), inner, zeroedCountSum);
    return w::create;
  }

  /** The names TFF gives the state and measurement entries, from its prefixes {@code clipp} and {@code zero}. */
  private enum Kind {
    CLIPPING("clipping", "clipped"),
    ZEROING("zeroing", "zeroed");

    final String ing;
    final String ed;

    Kind(String ing, String ed) {
      this.ing = ing;
      this.ed = ed;
    }
  }

  /**
   * TFF's {@code _constant_process}: state {@code <>}, reports {@code norm}.
   *
   * @throws IllegalArgumentException if the norm is NaN, negative or not a finite float32
   */
  private static EstimationProcess constant(String who, String parameter, double norm) {
    if (!(norm >= 0) || !Float.isFinite((float) norm)) {
      throw new IllegalArgumentException(who + ": " + parameter + " (" + norm + ") must be a finite float32 >= 0");
    }
    Computation initialize = Computation.federated("constant_norm_initialize",
        () -> federatedValue(Struct.empty(), Placement.SERVER));
    Type state = initialize.typeSignature().result();
    Computation next = Computation.federated("constant_norm_next", "state", state,
        "value", FederatedType.atClients(TensorType.FLOAT32), (s, v) -> s);
    Computation report = Computation.federated("constant_norm_report", "state", state,
        s -> federatedValue((float) norm, Placement.SERVER));
    return new EstimationProcess(initialize, next, report);
  }

  /** TFF's {@code _check_norm_process}: the process takes client norms and reports a float32 norm. */
  private static EstimationProcess checked(String who, EstimationProcess norm) {
    Objects.requireNonNull(norm, "norm process");
    if (!norm.accepts(TensorType.FLOAT32)) {
      throw new IllegalArgumentException(who + ": the norm process's next must accept each client's norm,"
          + " {float32}@CLIENTS, found " + norm.next().typeSignature());
    }
    if (!FederatedType.atServer(TensorType.FLOAT32).isAssignableFrom(norm.estimateType())) {
      throw new IllegalArgumentException(who + ": the norm process must report float32@SERVER, found "
          + norm.report().typeSignature());
    }
    return norm;
  }

  /** TFF's {@code _make_wrapper}: broadcast the norm, clip or zero at clients, delegate, count. */
  private record Wrapper(Kind kind, NormOrder order, EstimationProcess norm, AggregationFactory inner,
      UnweightedAggregationFactory countSum) {
    Wrapper {
      Objects.requireNonNull(order, "order");
      Objects.requireNonNull(inner, "inner");
      Objects.requireNonNull(countSum, "count sum");
    }

    AggregationProcess create(Type valueType, Type weightType) {
      String who = "Robust." + kind.ing;
      Processes.requireFloats(who, valueType);
      AggregationProcess innerProcess = Processes.create(inner, valueType, weightType);
      AggregationProcess countSum = this.countSum.create(TensorType.INT32);
      Computation transform = transform(kind == Kind.ZEROING, order, valueType);
      Computation initialize = Computation.federated(kind.ing + "_initialize", () -> federatedZip(Processes.named(
          kind.ing + "_norm", norm.initialize().apply(), "inner_agg", innerProcess.initialize().apply(),
          kind.ed + "_count_agg", countSum.initialize().apply())));
      Type state = initialize.typeSignature().result();
      FederatedType values = FederatedType.atClients(valueType);
      Computation next = weightType == null
          ? Computation.federated(kind.ing + "_next", "state", state, "value", values,
              (s, v) -> round(s, v, null, transform, innerProcess, countSum))
          : Computation.federated(kind.ing + "_next", "state", state, "value", values,
              "weight", FederatedType.atClients(weightType),
              (s, v, w) -> round(s, v, w, transform, innerProcess, countSum));
      return new AggregationProcess(initialize, Processes.streaming(next));
    }

    private Object round(Value state, Value value, Value weight, Computation transform,
        AggregationProcess innerProcess, AggregationProcess countSum) {
      Value normState = state.get(kind.ing + "_norm");
      Value normNow = norm.report().apply(normState);
      Value clients = federatedMap(transform, List.of(value, federatedBroadcast(normNow)));
      Value newNormState = norm.next().apply(normState, clients.get("norm"));
      Value agg = Processes.next(innerProcess, state.get("inner_agg"), clients.get("value"), weight);
      Value count = countSum.next().apply(state.get(kind.ed + "_count_agg"), clients.get("flag"));
      return Processes.output(
          federatedZip(Processes.named(kind.ing + "_norm", newNormState, "inner_agg", agg.get("state"),
              kind.ed + "_count_agg", count.get("state"))),
          agg.get("result"),
          federatedZip(Processes.named(kind.ing, agg.get("measurements"), kind.ing + "_norm", normNow,
              kind.ed + "_count", count.get("result"))));
    }
  }

  /**
   * {@code (<value=V,norm=float32> -> <value=V,norm=float32,flag=int32>)}: the value clipped to (or, with
   * {@code zeroing}, zeroed above) the threshold {@code norm}, the value's {@code order} norm before, and 1 if it was
   * changed (its norm exceeds the threshold). A clipped value is divided by {@code norm / threshold}, as TFF does.
   */
  static Computation transform(boolean zeroing, NormOrder order, Type valueType) {
    return (zeroing ? ZERO : CLIP).at(transformType(valueType),
        Struct.named("norm_order", Tensor.scalar(order.label())));
  }

  /** Defines {@code aggregators.clip} and {@code aggregators.zero} ({@link AggregationProcess#defineLocalFamilies}). */
  static void defineLocalFamilies() {
    CLIP.define();
    ZERO.define();
  }

  /** {@code (<value=V,norm=float32> -> <value=V,norm=float32,flag=int32>)}. */
  private static FunctionType transformType(Type valueType) {
    return new FunctionType(StructType.named("value", valueType, "norm", TensorType.FLOAT32),
        StructType.named("value", valueType, "norm", TensorType.FLOAT32, "flag", TensorType.INT32));
  }

  /** The families {@code aggregators.clip} and {@code aggregators.zero}: any value type, {@code <norm_order=l1|...>}. */
  private static final Processes.Family CLIP = new Processes.Family("aggregators.clip", Robust::canonicalTransform,
      (type, parameters) -> transformFunction(false, normOrder(parameters)));
  private static final Processes.Family ZERO = new Processes.Family("aggregators.zero", Robust::canonicalTransform,
      (type, parameters) -> transformFunction(true, normOrder(parameters)));

  private static FunctionType canonicalTransform(FunctionType type, Struct parameters) {
    normOrder(parameters);
    return transformType(Processes.part(type.parameter(), 0));
  }

  private static NormOrder normOrder(Struct parameters) {
    List<String> labels = new ArrayList<>();
    for (NormOrder o : NormOrder.values()) {
      labels.add(o.label());
    }
    return NormOrder.values()[labels.indexOf(Processes.stringParameter(parameters, "norm_order", labels))];
  }

  private static LocalFunction transformFunction(boolean zeroing, NormOrder order) {
    return arg -> {
      Struct s = (Struct) arg;
      Object value = s.get(0);
      float threshold = ((Tensor) s.get(1)).floatValue();
      float norm = order.of(Processes.tensors(value));
      boolean exceeds = norm > threshold;
      Object out = value;
      if (exceeds && zeroing) {
        out = Processes.mapTensors(value, t -> Tensor.zeros(t.dtype(), t.shape()));
      } else if (exceeds) {
        Tensor divisor = Tensor.scalar(norm / threshold);
        out = Processes.mapTensors(value, t -> t.div(divisor));
      }
      return Struct.of(List.of("value", "norm", "flag"), List.of(out, Tensor.scalar(norm),
          Tensor.scalar(exceeds ? 1 : 0)));
    };
  }
}
