package dev.cohort.aggregators;

import dev.cohort.core.Computation;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

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
