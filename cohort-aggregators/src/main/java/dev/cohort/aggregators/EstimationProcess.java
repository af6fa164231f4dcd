package dev.cohort.aggregators;

import dev.cohort.core.Computation;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;
import java.util.Objects;

/**
 * A stateful process that estimates a quantity from values placed at CLIENTS: TFF's
 * {@code tff.templates.EstimationProcess}. Clipping and zeroing take their norm from one (adaptive clipping).
 *
 * <pre>
 * initialize: ( -&gt; S@SERVER)
 * next:       (&lt;state=S@SERVER,value={T}@CLIENTS&gt; -&gt; S@SERVER)
 * report:     (S@SERVER -&gt; E@SERVER)
 * </pre>
 *
 * @param initialize the no-argument computation returning the initial state
 * @param next the update of the state from one round of client values
 * @param report the estimate the state holds
 */
public record EstimationProcess(Computation initialize, Computation next, Computation report) {

  /**
   * Checks the contract.
   *
   * @throws IllegalArgumentException naming the part, the rule and the type found: {@code initialize} takes a
   *     parameter or does not return a SERVER-placed value; {@code next} does not take {@code <state, value>} with
   *     the value at CLIENTS or does not return the state; {@code report} does not take the state or does not
   *     return a value placed at SERVER
   */
  public EstimationProcess {
    Objects.requireNonNull(initialize, "initialize");
    Objects.requireNonNull(next, "next");
    Objects.requireNonNull(report, "report");
    FederatedType state = Contract.initialState("EstimationProcess", initialize);
    StructType parameter = Contract.nextParameter("EstimationProcess", next, 2, 2, "<state, value>");
    Contract.stateAccepted("EstimationProcess", next, parameter, state);
    Contract.placedAt("EstimationProcess", next, parameter, 1, "value", Placement.CLIENTS);
    Contract.stateReturned("EstimationProcess", next, parameter, next.typeSignature().result());
    FunctionType r = report.typeSignature();
    if (r.parameter() == null || !r.parameter().isAssignableFrom(state)) {
      throw new IllegalArgumentException("EstimationProcess: report must take the state " + state + ", found "
          + r);
    }
    if (!(r.result() instanceof FederatedType f) || f.placement() != Placement.SERVER) {
      throw new IllegalArgumentException("EstimationProcess: report must return a value placed at SERVER, found "
          + r);
    }
  }

  /** The state type {@code S@SERVER}, as {@code initialize} returns it. */
  public FederatedType stateType() {
    return (FederatedType) initialize.typeSignature().result();
  }

  /** The type of the estimate, {@code E@SERVER}. */
  public FederatedType estimateType() {
    return (FederatedType) report.typeSignature().result();
  }

  /** Whether {@code next} accepts the values of {@code valueType} at CLIENTS. */
  boolean accepts(Type valueType) {
    return ((StructType) next.typeSignature().parameter()).type(1).isAssignableFrom(FederatedType.atClients(valueType));
  }
}
