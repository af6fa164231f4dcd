package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedMap;

import dev.cohort.core.Computation;
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * TFF's {@code tff.aggregators.concat_factory}: the inner factory aggregates one vector, the tensors of the value
 * flattened and concatenated (all of one dtype), and the result is split back into the value's structure. State and
 * measurements are the inner process's.
 */
public final class Concat {
  private Concat() {}

  /** Concatenation around an unweighted inner factory. */
  public static UnweightedAggregationFactory concatFactory(UnweightedAggregationFactory inner) {
    return valueType -> create(inner, valueType, null);
  }

  /** Concatenation around a weighted inner factory; the weight passes unchanged. */
  public static WeightedAggregationFactory concatFactory(WeightedAggregationFactory inner) {
    return (valueType, weightType) -> create(inner, valueType, weightType);
  }

  private static AggregationProcess create(AggregationFactory inner, Type valueType, Type weightType) {
    DType dtype = Primitives.singleDtype("Concat.concatFactory", valueType);
    List<TensorType> leaves = Rotations.leaves(valueType);
    long total = 0;
    for (TensorType t : leaves) {
      total += Rotations.size(t);
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("Concat.concatFactory: " + valueType + " has " + total + " elements, more"
          + " than one tensor holds");
    }
    TensorType vector = TensorType.of(dtype, (int) total);
    AggregationProcess process = Processes.create(inner, vector, weightType);
    Computation concat = CONCAT.at(new FunctionType(valueType, vector), Struct.empty());
    Computation split = SPLIT.at(new FunctionType(vector, valueType), Struct.empty());
    Type state = process.initialize().typeSignature().result();
    FederatedType values = FederatedType.atClients(valueType);
    Computation next = weightType == null
        ? Computation.federated("concat_next", "state", state, "value", values,
            (s, v) -> output(process.next().apply(s, federatedMap(concat, v)), split))
        : Computation.federated("concat_next", "state", state, "value", values,
            "weight", FederatedType.atClients(weightType),
            (s, v, w) -> output(process.next().apply(s, federatedMap(concat, v), w), split));
    return new AggregationProcess(process.initialize(), next);
  }

  /** The vector of {@code valueType}'s elements: its one dtype, their number. */
  private static TensorType vectorOf(Type valueType) {
    DType dtype = Primitives.singleDtype("aggregators.concat", valueType);
    long total = 0;
    for (TensorType t : Rotations.leaves(valueType)) {
      total += Rotations.size(t);
    }
    return TensorType.of(dtype, (int) total);
  }

  /** The family {@code aggregators.concat}: {@code (V -> D[n])}, the tensors of {@code V} flattened, concatenated. */
  static final Processes.Family CONCAT = new Processes.Family("aggregators.concat", (type, p) -> {
    Processes.noParameters(p);
    return new FunctionType(type.parameter(), vectorOf(type.parameter()));
  }, (type, p) -> arg -> Tensor.concat(0, Processes.tensors(arg).stream().map(t -> t.reshape(t.size()))
      .toArray(Tensor[]::new)));

  /** The family {@code aggregators.unconcat}: {@code (D[n] -> V)}, the inverse of {@link #CONCAT}. */
  static final Processes.Family SPLIT = new Processes.Family("aggregators.unconcat", (type, p) -> {
    Processes.noParameters(p);
    return new FunctionType(vectorOf(type.result()), type.result());
  }, (type, p) -> {
    Type valueType = type.result();
    List<TensorType> leaves = Rotations.leaves(valueType);
    return arg -> {
      Tensor v = (Tensor) arg;
      List<Tensor> parts = new ArrayList<>(leaves.size());
      int offset = 0;
      for (TensorType t : leaves) {
        int n = (int) Rotations.size(t);
        parts.add(v.slice(new int[] {offset}, new int[] {n}).reshape(t.toShape().dims()));
        offset += n;
      }
      return DifferentiallyPrivateFactory.replaced(Rotations.zerosLike(valueType), parts);
    };
  });

  private static Object output(Value out, Computation split) {
    return Processes.output(out.get("state"), federatedMap(split, out.get("result")), out.get("measurements"));
  }
}
