package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.Intrinsics.federatedZip;

import dev.cohort.core.Computation;
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/** What the keyed transforms share (compression, rotation): the {@code <seed,round>} key in the state, leaf types. */
final class Rotations {
  /** The key of a round's randomness, held in the state and broadcast: {@code <seed=int64,round=int64>}. */
  static final StructType KEY = StructType.named("seed", TensorType.INT64, "round", TensorType.INT64);

  private Rotations() {}

  /** {@code (<seed,round> -> <seed,round+1>)}: the key of the next round. */
  static Computation advance() {
    return ADVANCE.at(new FunctionType(KEY, KEY));
  }

  private static final Processes.Family ADVANCE = Processes.Family.single("aggregators.advance_round",
      new FunctionType(KEY, KEY), arg -> {
    Struct s = (Struct) arg;
    return Struct.of(s.names(), List.of(s.get(0), Tensor.scalar(((Tensor) s.get(1)).longValue() + 1)));
  });

  /** Defines {@code aggregators.advance_round} ({@link AggregationProcess#defineLocalFamilies}). */
  static void defineLocalFamilies() {
    ADVANCE.define();
  }

  /**
   * The process of a keyed rotation around {@code innerProcess} (Hadamard, DFT): state {@code <key=<seed,round>,
   * inner_agg=S>} starting at round 0; each round the clients apply {@code rotate} {@code (<value=V,key> -> R)} under
   * the broadcast key, {@code innerProcess} aggregates the rotated values, the server applies {@code unrotate}
   * {@code (<value=R,key> -> V)} to its result, and the key advances. Measurements {@code <measurement=M>}; the
   * computations are named {@code name_initialize} and {@code name_next}.
   */
  static AggregationProcess around(String name, String measurement, long seed, Type valueType,
      AggregationProcess innerProcess, Computation rotate, Computation unrotate) {
    Computation initialize = Computation.federated(name + "_initialize", () -> federatedZip(Processes.named(
        "key", federatedValue(Struct.named("seed", Tensor.scalar(seed), "round", Tensor.scalar(0L)),
            Placement.SERVER),
        "inner_agg", innerProcess.initialize().apply())));
    Computation next = Computation.federated(name + "_next", "state", initialize.typeSignature().result(),
        "value", FederatedType.atClients(valueType), (s, value) -> {
          Value key = s.get("key");
          Value agg = innerProcess.next().apply(s.get("inner_agg"),
              federatedMap(rotate, List.of(value, federatedBroadcast(key))));
          return Processes.output(
              federatedZip(Processes.named("key", federatedMap(advance(), key), "inner_agg", agg.get("state"))),
              federatedMap(unrotate, List.of(agg.get("result"), key)),
              federatedZip(Processes.named(measurement, agg.get("measurements"))));
        });
    return new AggregationProcess(initialize, Processes.streaming(next));
  }

  /** A rotation family's parameters {@code <inverse=bool,num_repeats=int32>}. */
  static Struct parameters(boolean inverse, int numRepeats) {
    return Struct.named("inverse", Tensor.scalar(inverse), "num_repeats", Tensor.scalar(numRepeats));
  }

  /** Each tensor of {@code valueType} flattened to a {@code float32[paddedSize(t)]}; a struct of them for a struct. */
  static Type padded(Type valueType, ToIntFunction<TensorType> paddedSize) {
    List<Type> padded = new ArrayList<>();
    for (TensorType t : leaves(valueType)) {
      padded.add(TensorType.of(DType.FLOAT32, paddedSize.applyAsInt(t)));
    }
    return valueType instanceof TensorType ? padded.get(0) : StructType.of(padded.toArray(new Type[0]));
  }

  /** The tensor types of {@code type}, depth first. */
  static List<TensorType> leaves(Type type) {
    List<TensorType> out = new ArrayList<>();
    collect(type, out);
    return out;
  }

  private static void collect(Type type, List<TensorType> out) {
    if (type instanceof TensorType t) {
      out.add(t);
    } else {
      for (StructType.Field f : ((StructType) type).fields()) {
        collect(f.type(), out);
      }
    }
  }

  /** The number of elements of a fully known tensor type. */
  static long size(TensorType t) {
    long n = 1;
    for (int d : t.shape()) {
      n *= d;
    }
    return n;
  }

  /** A 64-bit hash of the float bits of a value's tensors, keying a client's randomness by what it holds. */
  static long contentHash(Object value) {
    long h = 0x9E37_79B9_7F4A_7C15L;
    for (Tensor t : Processes.tensors(value)) {
      for (float x : t.floatData()) {
        h = (h ^ Float.floatToIntBits(x)) * 0x100_0000_01B3L;
        h ^= h >>> 29;
      }
    }
    return h;
  }

  /** A runtime value of {@code type} (float32 tensors or a struct of them) holding zeros, to take the struct's names. */
  static Object zerosLike(Type type) {
    if (type instanceof TensorType t) {
      return Tensor.zeros(t.dtype(), t.toShape());
    }
    StructType s = (StructType) type;
    List<String> names = new ArrayList<>(s.size());
    List<Object> values = new ArrayList<>(s.size());
    for (StructType.Field f : s.fields()) {
      names.add(f.name());
      values.add(zerosLike(f.type()));
    }
    return Struct.of(names, values);
  }
}
