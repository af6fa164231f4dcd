package dev.cohort.core.compiler;

import static dev.cohort.core.Intrinsics.federatedAggregate;
import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedSecureModularSum;
import static dev.cohort.core.Intrinsics.federatedSecureSum;
import static dev.cohort.core.Intrinsics.federatedSecureSumBitwidth;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.Intrinsics.federatedZip;

import dev.cohort.core.Computation;
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import java.util.ArrayList;
import java.util.List;

/**
 * A one-round computation factored into the non-federated pieces a MapReduce-like system runs (TFF's
 * {@code tff.backends.mapreduce.MapReduceForm}): {@code prepare} at the server, {@code work} at each client,
 * {@code zero}/{@code accumulate}/{@code merge}/{@code report} to aggregate, the bounds of the secure sums, and
 * {@code update} at the server. One round is:
 *
 * <pre>
 * client_input   = broadcast(prepare(server_state))
 * client_updates = work(&lt;client_data, client_input&gt;)                     at every client
 * simple         = aggregate(client_updates[0], zero(), accumulate, merge, report)
 * secure         = &lt;secure_sum_bitwidth(client_updates[1], secure_sum_bitwidth()),
 *                   secure_sum(client_updates[2], secure_sum_max_input()),
 *                   secure_modular_sum(client_updates[3], secure_modular_sum_modulus())&gt;
 * result         = update(&lt;server_state, &lt;simple, secure...&gt;&gt;)              at the server
 * </pre>
 *
 * <p>The server state {@code S} is the computation's SERVER-placed input (a struct of them if several, {@code <>} if
 * none) and the client data {@code D} its CLIENTS-placed input. For TFF's canonical type
 * {@code (<S@SERVER,{D}@CLIENTS> -> <S@SERVER,X@SERVER>)} the parts have exactly TFF's types; other one-round
 * computations (such as {@code ({float32}@CLIENTS -> float32@SERVER)}) are accepted with {@code S = <>}, and
 * {@code update} returns the computation's result without its placements.
 *
 * <p>Every part is an ordinary {@link Computation}: it can be called, printed and serialized.
 * {@link #toComputation()} wires the parts back into a federated computation with the original type, which runs to
 * the same result as the original.
 */
public final class MapReduceForm {
  private final FunctionType typeSignature;
  private final Computation prepare;
  private final Computation work;
  private final Computation zero;
  private final Computation accumulate;
  private final Computation merge;
  private final Computation report;
  private final Computation secureSumBitwidth;
  private final Computation secureSumMaxInput;
  private final Computation secureModularSumModulus;
  private final Computation update;

  MapReduceForm(FunctionType typeSignature, Computation prepare, Computation work, Computation zero,
      Computation accumulate, Computation merge, Computation report, Computation secureSumBitwidth,
      Computation secureSumMaxInput, Computation secureModularSumModulus, Computation update) {
    this.typeSignature = typeSignature;
    this.prepare = prepare;
    this.work = work;
    this.zero = zero;
    this.accumulate = accumulate;
    this.merge = merge;
    this.report = report;
    this.secureSumBitwidth = secureSumBitwidth;
    this.secureSumMaxInput = secureSumMaxInput;
    this.secureModularSumModulus = secureModularSumModulus;
    this.update = update;
  }

  /** The type of the computation this form computes. */
  public FunctionType typeSignature() {
    return typeSignature;
  }

  /** {@code (S -> C)}: the server's input to the clients. */
  public Computation prepare() {
    return prepare;
  }

  /** {@code (<D,C> -> <A,B,M,Mod>)}: one client's values for the aggregation and each kind of secure sum. */
  public Computation work() {
    return work;
  }

  /** {@code ( -> U)}: the aggregation's initial accumulator. */
  public Computation zero() {
    return zero;
  }

  /** {@code (<U,A> -> U)}: adds one client's value to an accumulator. */
  public Computation accumulate() {
    return accumulate;
  }

  /** {@code (<U,U> -> U)}: combines two accumulators. */
  public Computation merge() {
    return merge;
  }

  /** {@code (U -> R)}: the aggregation's result from the final accumulator. */
  public Computation report() {
    return report;
  }

  /** {@code ( -> B)}: the bitwidths of the values summed with {@code federated_secure_sum_bitwidth}. */
  public Computation secureSumBitwidth() {
    return secureSumBitwidth;
  }

  /** {@code ( -> M)}: the {@code max_input}s of the values summed with {@code federated_secure_sum}. */
  public Computation secureSumMaxInput() {
    return secureSumMaxInput;
  }

  /** {@code ( -> Mod)}: the moduli of the values summed with {@code federated_secure_modular_sum}. */
  public Computation secureModularSumModulus() {
    return secureModularSumModulus;
  }

  /** {@code (<S,<R,B,M,Mod>> -> result)}: the round's result from the server state and the aggregates. */
  public Computation update() {
    return update;
  }

  /** Whether any value is aggregated with a secure sum. */
  public boolean securelyAggregates() {
    return hasElements(work, 1) || hasElements(work, 2) || hasElements(work, 3);
  }

  private static boolean hasElements(Computation work, int index) {
    return ((StructType) ((StructType) work.typeSignature().result()).type(index)).size() > 0;
  }

  /**
   * The parts wired back into a federated computation of the original type; running it gives the original's
   * result.
   */
  public Computation toComputation() {
    Computation c = Computation.federated("map_reduce_form", "arg", typeSignature.parameter(), this::round);
    if (!typeSignature.result().isAssignableFrom(c.typeSignature().result())) {
      throw new CompilerException("internal: the wired form has type " + c.typeSignature() + ", expected "
          + typeSignature);
    }
    return c;
  }

  private Object round(Value arg) {
    List<Value> server = new ArrayList<>();
    List<Value> clients = new ArrayList<>();
    if (arg.type() instanceof FederatedType f) {
      (f.placement() == Placement.SERVER ? server : clients).add(arg);
    } else {
      StructType st = (StructType) arg.type();
      for (int i = 0; i < st.size(); i++) {
        FederatedType f = (FederatedType) st.type(i);
        (f.placement() == Placement.SERVER ? server : clients).add(arg.get(i));
      }
    }
    Value s = gather(server, Placement.SERVER);
    Value d = gather(clients, Placement.CLIENTS);
    Value clientInput = federatedBroadcast(federatedMap(prepare, s));
    Value updates = federatedMap(work, List.of(d, clientInput));
    StructType out = (StructType) work.typeSignature().result();
    Value simple = federatedAggregate(updates.get(0), zero.apply(), accumulate, merge, report);
    Value bitwidth = ((StructType) out.type(1)).size() == 0 ? federatedValue(Struct.empty(), Placement.SERVER)
        : federatedSecureSumBitwidth(updates.get(1), secureSumBitwidth.apply());
    Value maxInput = ((StructType) out.type(2)).size() == 0 ? federatedValue(Struct.empty(), Placement.SERVER)
        : federatedSecureSum(updates.get(2), secureSumMaxInput.apply());
    Value modulus = ((StructType) out.type(3)).size() == 0 ? federatedValue(Struct.empty(), Placement.SERVER)
        : federatedSecureModularSum(updates.get(3), secureModularSumModulus.apply());
    Value result = federatedMap(update, List.of(s, federatedZip(List.of(simple, bitwidth, maxInput, modulus))));
    return place(result, typeSignature.result());
  }

  private Value gather(List<Value> values, Placement placement) {
    if (values.size() == 1) {
      return values.get(0);
    }
    if (values.isEmpty()) {
      return federatedValue(Struct.empty(), placement);
    }
    return federatedZip(values);
  }

  /** Splits a SERVER value of the unplaced result into the result's (possibly nested) struct of SERVER values. */
  private static Object place(Value value, Type resultType) {
    if (resultType instanceof FederatedType) {
      return value;
    }
    StructType st = (StructType) resultType;
    List<String> names = new ArrayList<>();
    List<Object> elements = new ArrayList<>();
    for (int i = 0; i < st.size(); i++) {
      names.add(st.name(i));
      elements.add(place(value.get(i), st.type(i)));
    }
    return Struct.of(names, elements);
  }

  /** One line per part: {@code prepare: (S -> C)} and so on. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    for (Computation c : List.of(prepare, work, zero, accumulate, merge, report, secureSumBitwidth, secureSumMaxInput,
        secureModularSumModulus, update)) {
      sb.append(c.name()).append(": ").append(c.typeSignature()).append('\n');
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "MapReduceForm" + typeSignature;
  }
}
