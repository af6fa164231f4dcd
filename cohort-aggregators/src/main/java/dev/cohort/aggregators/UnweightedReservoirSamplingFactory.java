package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedAggregate;
import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedSum;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.Intrinsics.federatedZip;
import static dev.cohort.core.types.TensorType.INT32;
import static dev.cohort.core.types.TensorType.INT64;

import dev.cohort.core.Computation;
import dev.cohort.core.LocalFamily;
import dev.cohort.core.Value;
import dev.cohort.core.ast.LocalFunction;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A uniform sample of at most {@code sampleSize} client values, by streaming reservoir sampling: TFF's
 * {@code tff.aggregators.UnweightedReservoirSamplingFactory}. The server folds the clients one at a time into a
 * reservoir of {@code sampleSize} slots: the {@code i}-th client (in the runtime's client order) draws the random
 * priority {@code RandomStream.of(seed, round, RESERVOIR, i)}, and the reservoir keeps the values of the largest
 * priorities seen so far. The priorities are independent and uniform, so the kept set is a uniform sample without
 * replacement of {@code min(sampleSize, n)} of the {@code n} clients (every client is in it with probability
 * {@code min(1, sampleSize / n)}); with {@code n <= sampleSize} it holds every client, in client order. Aggregating
 * holds at most {@code sampleSize} client values, never {@code n}. The in-process runtime folds every client into one
 * reservoir; {@code merge}, for runtimes that fold partial reservoirs, keeps the largest priorities of both, which is a
 * uniform sample of the union only when the partials' priorities are independent (they are keyed by the position in
 * each partial's fold).
 *
 * <p>The result has each tensor of the value type with a leading dimension of unknown size (TFF's {@code [None, ...]}):
 * {@code float32[3]} values give {@code float32[?,3]}, in slot order. Measurements, as TFF's: for each tensor of the
 * value, the number of clients whose tensor holds a NaN or an infinity ({@code int64}; before sampling). Where Cohort
 * differs: the state is the key {@code <seed=int64,round=int64>} of the priorities (TFF's state is {@code <>} and its
 * seed a timestamp), so a run is reproducible. With {@code returnSamplingMetadata} (TFF's
 * {@code return_sampling_metadata}) the result is {@code <random_values=int64[?],samples=...>}: the kept clients'
 * priorities beside their values (TFF's reservoir also returns its seed, here the state).
 *
 * @param sampleSize the most client values kept, {@code >= 1}
 * @param returnSamplingMetadata whether the result carries the priorities
 * @param seed the key of the priorities
 */
public record UnweightedReservoirSamplingFactory(int sampleSize, boolean returnSamplingMetadata, long seed)
    implements UnweightedAggregationFactory {
  /** The purpose key of the priority streams, "RESERVOI" in ASCII. */
  static final long RESERVOIR = 0x5245_5345_5256_4F49L;

  private static final String FAMILY = "aggregators.reservoir";
  private static final List<String> ROLES = List.of("accumulate", "merge", "report", "report_metadata",
      "non_finite");

  /**
   * Checks the arguments.
   *
   * @throws IllegalArgumentException if {@code sampleSize < 1}
   */
  public UnweightedReservoirSamplingFactory {
    if (sampleSize < 1) {
      throw new IllegalArgumentException("UnweightedReservoirSamplingFactory: sampleSize (" + sampleSize
          + ") must be >= 1");
    }
  }

  /** TFF's {@code UnweightedReservoirSamplingFactory(sample_size)}: the result is the samples. */
  public UnweightedReservoirSamplingFactory(int sampleSize, long seed) {
    this(sampleSize, false, seed);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if {@code valueType} is not a numeric tensor type or a struct of them with fully
   *     known shapes
   */
  @Override
  public AggregationProcess create(Type valueType) {
    Processes.requireNumeric("UnweightedReservoirSamplingFactory", valueType);
    Computation accumulate = FACTORY.at(accumulateType(valueType, sampleSize), parameters("accumulate"));
    Computation merge = FACTORY.at(mergeType(valueType, sampleSize), parameters("merge"));
    String reportRole = returnSamplingMetadata ? "report_metadata" : "report";
    Computation report = FACTORY.at(reportType(valueType, sampleSize, returnSamplingMetadata),
        parameters(reportRole));
    Computation nonFinite = FACTORY.at(nonFiniteType(valueType), parameters("non_finite"));
    Struct zero = emptyReservoir(valueType, sampleSize);
    Computation initialize = Computation.federated("reservoir_initialize", () -> federatedValue(
        Struct.named("seed", Tensor.scalar(seed), "round", Tensor.scalar(0L)), Placement.SERVER));
    Computation next = Computation.federated("reservoir_next", "state", initialize.typeSignature().result(),
        "value", FederatedType.atClients(valueType), (key, value) -> {
          Value records = federatedZip(Processes.named("value", value, "key", federatedBroadcast(key)));
          Value samples = federatedAggregate(records, zero, accumulate, merge, report);
          return Processes.output(federatedMap(Rotations.advance(), key), samples,
              federatedSum(federatedMap(nonFinite, value)));
        });
    return new AggregationProcess(initialize, Processes.streaming(next));
  }

  /** Defines {@code aggregators.reservoir} ({@link AggregationProcess#defineLocalFamilies}). */
  static LocalFamily defineLocalFamily() {
    return FACTORY.define();
  }

  private Struct parameters(String role) {
    return Struct.named("role", Tensor.scalar(role), "sample_size", Tensor.scalar(sampleSize));
  }

  /**
   * The reservoir: {@code <seen=int64,count=int32,priorities=int64[k],slots=<V,...,V>>}, {@code k} slots of which the
   * first {@code count} are filled.
   */
  static StructType reservoirType(Type valueType, int k) {
    return StructType.named("seen", INT64, "count", INT32, "priorities", TensorType.of(DType.INT64, k),
        "slots", StructType.of(Collections.nCopies(k, valueType).toArray(new Type[0])));
  }

  private static FunctionType accumulateType(Type valueType, int k) {
    StructType reservoir = reservoirType(valueType, k);
    return new FunctionType(StructType.of(reservoir, StructType.named("value", valueType, "key", Rotations.KEY)),
        reservoir);
  }

  private static FunctionType mergeType(Type valueType, int k) {
    StructType reservoir = reservoirType(valueType, k);
    return new FunctionType(StructType.of(reservoir, reservoir), reservoir);
  }

  private static FunctionType reportType(Type valueType, int k, boolean metadata) {
    Type samples = sampleType(valueType);
    return new FunctionType(reservoirType(valueType, k), metadata
        ? StructType.named("random_values", TensorType.of(DType.INT64, TensorType.UNKNOWN), "samples", samples)
        : samples);
  }

  /** The result: each tensor type of {@code valueType} with a leading unknown dimension. */
  static Type sampleType(Type valueType) {
    if (valueType instanceof TensorType t) {
      int[] dims = new int[t.shape().size() + 1];
      dims[0] = TensorType.UNKNOWN;
      for (int i = 0; i < t.shape().size(); i++) {
        dims[i + 1] = t.shape().get(i);
      }
      return TensorType.of(t.dtype(), dims);
    }
    StructType s = (StructType) valueType;
    List<StructType.Field> fields = new ArrayList<>(s.size());
    for (StructType.Field f : s.fields()) {
      fields.add(new StructType.Field(f.name(), sampleType(f.type())));
    }
    return StructType.of(fields.toArray(new StructType.Field[0]));
  }

  /** {@code (V -> C)}: per tensor of the value, 1 (int64) if it holds a NaN or an infinity, else 0. */
  private static FunctionType nonFiniteType(Type valueType) {
    return new FunctionType(valueType, countsType(valueType));
  }

  private static Type countsType(Type valueType) {
    if (valueType instanceof TensorType) {
      return INT64;
    }
    StructType s = (StructType) valueType;
    List<StructType.Field> fields = new ArrayList<>(s.size());
    for (StructType.Field f : s.fields()) {
      fields.add(new StructType.Field(f.name(), countsType(f.type())));
    }
    return StructType.of(fields.toArray(new StructType.Field[0]));
  }

  private static Struct emptyReservoir(Type valueType, int k) {
    Object zero = Rotations.zerosLike(valueType);
    return Struct.named("seen", Tensor.scalar(0L), "count", Tensor.scalar(0),
        "priorities", Tensor.ofLongs(new long[k], k), "slots", Struct.of(Collections.nCopies(k, zero).toArray()));
  }

  /**
   * The family {@code aggregators.reservoir}: {@code <role=accumulate|merge|report|report_metadata|non_finite,
   * sample_size=int32>}, at
   * the types {@link #create} builds for any numeric value type {@code V}.
   */
  private static final Processes.Family FACTORY = new Processes.Family(FAMILY, (type, parameters) -> {
    String role = role(parameters);
    int k = Processes.parameter(parameters, "sample_size").intValue();
    Type valueType = valueTypeOf(role, type);
    Processes.requireNumeric(FAMILY, valueType);
    return switch (role) {
      case "accumulate" -> accumulateType(valueType, k);
      case "merge" -> mergeType(valueType, k);
      case "report" -> reportType(valueType, k, false);
      case "report_metadata" -> reportType(valueType, k, true);
      default -> nonFiniteType(valueType);
    };
  }, (type, parameters) -> {
    String role = role(parameters);
    int k = Processes.parameter(parameters, "sample_size").intValue();
    Type valueType = valueTypeOf(role, type);
    return switch (role) {
      case "accumulate" -> ReservoirFunctions::accumulate;
      case "merge" -> arg -> ReservoirFunctions.merge((Struct) ((Struct) arg).get(0), (Struct) ((Struct) arg).get(1),
          k);
      case "report" -> arg -> ReservoirFunctions.report((Struct) arg, valueType);
      case "report_metadata" -> arg -> {
        Struct reservoir = (Struct) arg;
        int count = ((Tensor) reservoir.get(1)).intValue();
        long[] priorities = java.util.Arrays.copyOf(((Tensor) reservoir.get(2)).longData(), count);
        return Struct.named("random_values", Tensor.ofLongs(priorities, count),
            "samples", ReservoirFunctions.report(reservoir, valueType));
      };
      default -> nonFiniteFunction();
    };
  });

  /**
   * The role of a member, its parameters checked.
   *
   * @throws IllegalArgumentException unless they are {@code <role=accumulate|merge|report|report_metadata|non_finite,
   *     sample_size=int32 >= 1>}
   */
  private static String role(Struct parameters) {
    Processes.checkParameters(parameters, "role", DType.STRING, "sample_size", DType.INT32);
    String role = Processes.parameter(parameters, "role").stringValue();
    if (!ROLES.contains(role) || Processes.parameter(parameters, "sample_size").intValue() < 1) {
      throw new IllegalArgumentException("expected the parameters <role=one of " + ROLES
          + ",sample_size=int32 >= 1>, found " + parameters);
    }
    return role;
  }

  /** The value type a member's requested type names: the record's value, or a reservoir's first slot. */
  private static Type valueTypeOf(String role, FunctionType type) {
    return switch (role) {
      case "non_finite" -> type.parameter();
      case "report", "report_metadata" -> Processes.part(Processes.part(type.parameter(), 3), 0);
      case "accumulate" -> Processes.part(Processes.part(type.parameter(), 1), 0);
      default -> Processes.part(Processes.part(Processes.part(type.parameter(), 1), 3), 0);
    };
  }

  private static LocalFunction nonFiniteFunction() {
    return value -> Processes.mapTensors(value, t -> {
      if (t.dtype() == DType.FLOAT32) {
        for (float x : t.floatData()) {
          if (!Float.isFinite(x)) {
            return Tensor.scalar(1L);
          }
        }
      }
      return Tensor.scalar(0L);
    });
  }

  /** The reservoir's functions: values are immutable, so a new reservoir shares the slots it keeps. */
  private static final class ReservoirFunctions {
    private ReservoirFunctions() {}

    static Object accumulate(Object arg) {
      Struct reservoir = (Struct) ((Struct) arg).get(0);
      Struct record = (Struct) ((Struct) arg).get(1);
      Struct key = (Struct) record.get(1);
      long seen = ((Tensor) reservoir.get(0)).longValue();
      long priority = RandomStream.of(((Tensor) key.get(0)).longValue(), ((Tensor) key.get(1)).longValue(), RESERVOIR,
          seen).nextLong();
      return offer(reservoir, seen + 1, priority, record.get(0));
    }

    /** The reservoir with {@code value} of {@code priority} offered: put in a free slot, or over the lowest priority. */
    private static Struct offer(Struct reservoir, long seen, long priority, Object value) {
      int count = ((Tensor) reservoir.get(1)).intValue();
      long[] priorities = ((Tensor) reservoir.get(2)).longData().clone();
      Struct slots = (Struct) reservoir.get(3);
      int k = priorities.length;
      int slot = count;
      if (count == k) {
        slot = 0;
        for (int i = 1; i < k; i++) {
          if (priorities[i] < priorities[slot]) {
            slot = i;
          }
        }
        if (priorities[slot] >= priority) {
          return withSeen(reservoir, seen);
        }
      } else {
        count++;
      }
      priorities[slot] = priority;
      List<Object> newSlots = new ArrayList<>(slots.values());
      newSlots.set(slot, value);
      return Struct.of(reservoir.names(), List.of(Tensor.scalar(seen), Tensor.scalar(count),
          Tensor.ofLongs(priorities, k), Struct.of(newSlots.toArray())));
    }

    private static Struct withSeen(Struct reservoir, long seen) {
      return Struct.of(reservoir.names(), List.of(Tensor.scalar(seen), reservoir.get(1), reservoir.get(2),
          reservoir.get(3)));
    }

    static Object merge(Struct a, Struct b, int k) {
      long seen = ((Tensor) a.get(0)).longValue() + ((Tensor) b.get(0)).longValue();
      Struct merged = withSeen(a, seen);
      int count = ((Tensor) b.get(1)).intValue();
      long[] priorities = ((Tensor) b.get(2)).longData();
      Struct slots = (Struct) b.get(3);
      for (int i = 0; i < count; i++) {
        merged = offer(merged, seen, priorities[i], slots.get(i));
      }
      return merged;
    }

    static Object report(Struct reservoir, Type valueType) {
      int count = ((Tensor) reservoir.get(1)).intValue();
      Struct slots = (Struct) reservoir.get(3);
      List<List<Tensor>> byLeaf = new ArrayList<>();
      List<TensorType> leaves = Rotations.leaves(valueType);
      for (int l = 0; l < leaves.size(); l++) {
        byLeaf.add(new ArrayList<>(count));
      }
      for (int i = 0; i < count; i++) {
        List<Tensor> tensors = Processes.tensors(slots.get(i));
        for (int l = 0; l < leaves.size(); l++) {
          byLeaf.get(l).add(tensors.get(l));
        }
      }
      List<Tensor> stacked = new ArrayList<>(leaves.size());
      for (int l = 0; l < leaves.size(); l++) {
        TensorType t = leaves.get(l);
        if (count == 0) {
          int[] dims = new int[t.shape().size() + 1];
          for (int i = 0; i < t.shape().size(); i++) {
            dims[i + 1] = t.shape().get(i);
          }
          stacked.add(Tensor.zeros(t.dtype(), Shape.of(dims)));
        } else {
          stacked.add(Tensor.stack(0, byLeaf.get(l).toArray(new Tensor[0])));
        }
      }
      return DifferentiallyPrivateFactory.replaced(Rotations.zerosLike(valueType), stacked);
    }
  }
}
