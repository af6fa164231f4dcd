package dev.cohort.aggregators;

import dev.cohort.core.Computation;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;
import java.util.List;
import java.util.Objects;

/**
 * A stateful process that aggregates values placed at CLIENTS into a result at SERVER: TFF's
 * {@code tff.templates.AggregationProcess}. Both parts are federated computations:
 *
 * <pre>
 * initialize: ( -&gt; S@SERVER)
 * next:       (&lt;state=S@SERVER,value={V}@CLIENTS[,weight={W}@CLIENTS]&gt;
 *                 -&gt; &lt;state=S@SERVER,result=R@SERVER,measurements=M@SERVER&gt;)
 * </pre>
 *
 * <p>State and measurements may be empty ({@code <>@SERVER}) but are always there. The result type {@code R} is
 * usually {@code V}, but need not be. A process is weighted when {@code next} takes a third, CLIENTS-placed argument.
 *
 * <pre>{@code
 * AggregationProcess mean = new MeanFactory().create(TensorType.FLOAT32, TensorType.FLOAT32);
 * Object state = mean.initialize().call();
 * Struct out = (Struct) mean.next().call(state, List.of(1.0, 2.0, 3.0), List.of(3.0, 2.0, 1.0));
 * out.get("result");                                   // 10/6 at SERVER
 * }</pre>
 *
 * <p>The processes this module's factories create stream: each client's value is computed once and folded into the
 * running aggregates (by cohort-core's fusion, or with {@code next} compiled to one {@code federated_aggregate} over one
 * client computation), so aggregating N clients never holds N client values. They are portable: saved, they load in
 * another JVM after {@link #defineLocalFamilies}.
 *
 * @param initialize the no-argument computation returning the initial state {@code S@SERVER}
 * @param next the computation of one round
 */
public record AggregationProcess(Computation initialize, Computation next) {

  /**
   * Checks the contract.
   *
   * @throws IllegalArgumentException naming the part, the rule and the type found: {@code initialize} takes a
   *     parameter or does not return a SERVER-placed value; {@code next} does not take 2 or 3 federated arguments,
   *     its first argument is not assignable from the state, its value or weight is not placed at CLIENTS, or it does
   *     not return {@code <state,result,measurements>} with the state assignable to its first argument and the
   *     result and measurements placed at SERVER
   */
  public AggregationProcess {
    Objects.requireNonNull(initialize, "initialize");
    Objects.requireNonNull(next, "next");
    FederatedType state = Contract.initialState("AggregationProcess", initialize);
    StructType parameter = Contract.nextParameter("AggregationProcess", next, 2, 3,
        "<state, value> or <state, value, weight>");
    Contract.stateAccepted("AggregationProcess", next, parameter, state);
    Contract.placedAt("AggregationProcess", next, parameter, 1, "value", Placement.CLIENTS);
    if (parameter.size() == 3) {
      Contract.placedAt("AggregationProcess", next, parameter, 2, "weight", Placement.CLIENTS);
    }
    Type result = next.typeSignature().result();
    if (!(result instanceof StructType out) || out.size() != 3 || !"state".equals(out.name(0))
        || !"result".equals(out.name(1)) || !"measurements".equals(out.name(2))) {
      throw new IllegalArgumentException("AggregationProcess: next must return <state=...,result=...,measurements=...>,"
          + " found " + result + " (next: " + next.typeSignature() + ")");
    }
    Contract.stateReturned("AggregationProcess", next, parameter, out.type(0));
    Contract.placedAt("AggregationProcess", next, out, 1, "result", Placement.SERVER);
    Contract.placedAt("AggregationProcess", next, out, 2, "measurements", Placement.SERVER);
  }

  /** Whether {@code next} takes a weight: TFF's {@code is_weighted}. */
  public boolean isWeighted() {
    return ((StructType) next.typeSignature().parameter()).size() == 3;
  }

  /** The state type {@code S@SERVER}, as {@code initialize} returns it. */
  public FederatedType stateType() {
    return (FederatedType) initialize.typeSignature().result();
  }

  /** The type of {@code next}'s measurements, {@code M@SERVER}. */
  public FederatedType measurementsType() {
    return (FederatedType) ((StructType) next.typeSignature().result()).type(2);
  }

  /**
   * Defines in this JVM the local function families of every process this module's factories create, as a program that
   * loads such a process it did not build (from {@link Computation#save}d files) does before loading it. Their
   * functions take everything from the type, the serialized parameters and the state, so the loaded process computes
   * the same bits.
   *
   * @throws IllegalStateException if one of the names is defined in this JVM with another factory
   */
  public static void defineLocalFamilies() {
    MeanFactory.defineLocalFamily();
    Robust.defineLocalFamilies();
    QuantileEstimation.defineLocalFamilies();
    DifferentiallyPrivateFactory.defineLocalFamilies();
    Rotations.defineLocalFamilies();
    DiscreteFourierTransformFactory.defineLocalFamily();
    UnweightedReservoirSamplingFactory.defineLocalFamily();
    Secure.defineLocalFamilies();
    for (Processes.Family f : List.of(SecureModularSumFactory.SYMMETRIC_WRAP, ModularClippingSumFactory.WRAP,
        ModularClippingSumFactory.STDDEV,
        Concat.CONCAT, Concat.SPLIT, EncodedSumFactory.ENCODE, DiscretizationFactory.DISCRETIZE_FAMILY,
        DiscretizationFactory.UNDISCRETIZE, HadamardTransformFactory.ROTATION)) {
      f.define();
    }
    DebugMeasurements.defineLocalFamilies();
  }

  /** {@code initialize: ( -> S@SERVER)} and {@code next: (...)} on two lines, as TFF's tutorials print them. */
  @Override
  public String toString() {
    return "initialize: " + initialize.typeSignature() + "\nnext: " + next.typeSignature();
  }
}
