package dev.cohort.learning.templates;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedValue;

import dev.cohort.core.Computation;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The measured process that sends the server's model to the clients, TFF's {@code DistributionProcess}:
 *
 * <pre>
 * initialize: ( -&gt; S@SERVER)
 * next:       (&lt;state=S@SERVER,value=W@SERVER&gt; -&gt; &lt;state=S@SERVER,result=W@CLIENTS,measurements=M@SERVER&gt;)
 * </pre>
 *
 * @param initialize the initial state
 * @param next one round
 */
public record DistributionProcess(Computation initialize, Computation next) {
  /** Checks the types above, naming the part that breaks them. */
  public DistributionProcess {
    FederatedType state = Processes.initialState("DistributionProcess", initialize);
    StructType out = Processes.next("DistributionProcess", next, state, "value");
    if (!(out.type(1) instanceof FederatedType r) || r.placement() != Placement.CLIENTS) {
      throw new IllegalArgumentException("DistributionProcess: next must return its result placed at CLIENTS, found "
          + next.typeSignature());
    }
  }

  /** TFF's {@code build_broadcast_process}: {@code federated_broadcast}, with empty state and measurements. */
  public static DistributionProcess broadcast(Type valueType) {
    Computation initialize = Computation.federated("broadcast_initialize",
        () -> federatedValue(Struct.empty(), Placement.SERVER));
    Computation next = Computation.federated("broadcast_next", "state", FederatedType.atServer(StructType.EMPTY),
        "value", FederatedType.atServer(valueType), (state, value) -> {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("state", state);
          out.put("result", federatedBroadcast(value));
          out.put("measurements", federatedValue(Struct.empty(), Placement.SERVER));
          return out;
        });
    return new DistributionProcess(initialize, next);
  }
}
