package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.Intrinsics.federatedZip;

import dev.cohort.core.Computation;
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Rotates values before an inner aggregation and back after it: TFF's {@code tff.aggregators.HadamardTransformFactory}.
 * Each tensor is flattened, zero-padded to the next power of two {@code d}, and {@code numRepeats} times multiplied by
 * random signs and transformed by the orthonormal Walsh–Hadamard matrix {@code H / sqrt(d)}; the inner factory
 * aggregates the rotated {@code float32[d]} vectors, and the server applies the inverse to the result. The rotation
 * spreads a value's mass over all coordinates (what discretization and modular clipping inside it need) and, being
 * linear and orthonormal, commutes with sums and keeps L2 norms.
 *
 * <p>The signs of round {@code r} are shared by all clients and the server: {@code RandomStream.of(seed, r, HADAMARD,
 * tensor, repeat)}. State {@code <key=<seed=int64,round=int64>,inner_agg=S>}; measurements {@code <hd=M>}.
 *
 * @param inner aggregates the rotated values
 * @param numRepeats how many sign-and-transform rounds each rotation applies, {@code >= 1}
 * @param seed the key of the signs
 */
public record HadamardTransformFactory(UnweightedAggregationFactory inner, int numRepeats, long seed)
    implements UnweightedAggregationFactory {
  /** The purpose key of the sign streams, "HADAMARD" in ASCII. */
  static final long HADAMARD = 0x4841_4441_4D41_5244L;

  /**
   * Checks the arguments.
   *
   * @throws IllegalArgumentException if {@code numRepeats < 1}
   */
  public HadamardTransformFactory {
    Objects.requireNonNull(inner, "inner");
    if (numRepeats < 1) {
      throw new IllegalArgumentException("HadamardTransformFactory: numRepeats (" + numRepeats + ") must be >= 1");
    }
  }

  /** TFF's {@code HadamardTransformFactory()}: a {@link SumFactory} inside, one repeat. */
  public HadamardTransformFactory(long seed) {
    this(new SumFactory(), 1, seed);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if {@code valueType} is not a float32 tensor type or a struct of them with fully
   *     known shapes
   */
  @Override
  public AggregationProcess create(Type valueType) {
    Processes.requireFloats("HadamardTransformFactory", valueType);
    List<TensorType> leaves = Rotations.leaves(valueType);
    List<TensorType> padded = new ArrayList<>();
    for (TensorType t : leaves) {
      long n = Math.max(1, Rotations.size(t));
      padded.add(TensorType.of(DType.FLOAT32, (int) Long.highestOneBit(2 * n - 1)));
    }
    Type rotatedType = valueType instanceof TensorType ? padded.get(0)
        : StructType.of(padded.toArray(new Type[0]));
    AggregationProcess innerProcess = inner.create(rotatedType);
    int repeats = numRepeats;
    Computation rotate = Computation.local(Processes.localName("hadamard_" + repeats, valueType),
        StructType.named("value", valueType, "key", Rotations.KEY), rotatedType, arg -> {
          Struct s = (Struct) arg;
          List<Tensor> in = Processes.tensors(s.get(0));
          List<Tensor> out = new ArrayList<>(in.size());
          for (int i = 0; i < in.size(); i++) {
            int d = padded.get(i).shape().get(0);
            double[] x = new double[d];
            float[] f = in.get(i).floatData();
            for (int k = 0; k < f.length; k++) {
              x[k] = f[k];
            }
            for (int j = 0; j < repeats; j++) {
              applySigns(x, signs((Struct) s.get(1), i, j, d));
              orthonormalHadamard(x);
            }
            out.add(toTensor(x, d));
          }
          return valueType instanceof TensorType ? out.get(0) : Struct.of(out.toArray());
        });
    Computation unrotate = Computation.local(Processes.localName("inverse_hadamard_" + repeats, valueType),
        StructType.named("value", rotatedType, "key", Rotations.KEY), valueType, arg -> {
          Struct s = (Struct) arg;
          List<Tensor> in = Processes.tensors(s.get(0));
          List<Tensor> out = new ArrayList<>(in.size());
          for (int i = 0; i < in.size(); i++) {
            int d = padded.get(i).shape().get(0);
            float[] f = in.get(i).floatData();
            double[] x = new double[d];
            for (int k = 0; k < d; k++) {
              x[k] = f[k];
            }
            for (int j = repeats - 1; j >= 0; j--) {
              orthonormalHadamard(x);
              applySigns(x, signs((Struct) s.get(1), i, j, d));
            }
            float[] kept = new float[(int) Rotations.size(leaves.get(i))];
            for (int k = 0; k < kept.length; k++) {
              kept[k] = (float) x[k];
            }
            out.add(Tensor.wrap(kept, leaves.get(i).toShape()));
          }
          return DifferentiallyPrivateFactory.replaced(Rotations.zerosLike(valueType), out);
        });
    Computation initialize = Computation.federated("hadamard_initialize", () -> federatedZip(Processes.named(
        "key", federatedValue(Struct.named("seed", Tensor.scalar(seed), "round", Tensor.scalar(0L)),
            Placement.SERVER),
        "inner_agg", innerProcess.initialize().apply())));
    Computation next = Computation.federated("hadamard_next", "state", initialize.typeSignature().result(),
        "value", FederatedType.atClients(valueType), (s, value) -> {
          Value key = s.get("key");
          Value agg = innerProcess.next().apply(s.get("inner_agg"),
              federatedMap(rotate, List.of(value, federatedBroadcast(key))));
          return Processes.output(
              federatedZip(Processes.named("key", federatedMap(Rotations.advance(), key),
                  "inner_agg", agg.get("state"))),
              federatedMap(unrotate, List.of(agg.get("result"), key)),
              federatedZip(Processes.named("hd", agg.get("measurements"))));
        });
    return new AggregationProcess(initialize, Processes.streaming(next));
  }

  private static boolean[] signs(Struct key, int tensor, int repeat, int d) {
    RandomStream r = RandomStream.of(((Tensor) key.get(0)).longValue(), ((Tensor) key.get(1)).longValue(), HADAMARD,
        tensor, repeat);
    boolean[] negative = new boolean[d];
    for (int k = 0; k < d; k++) {
      negative[k] = r.nextDouble() < 0.5;
    }
    return negative;
  }

  private static void applySigns(double[] x, boolean[] negative) {
    for (int k = 0; k < x.length; k++) {
      if (negative[k]) {
        x[k] = -x[k];
      }
    }
  }

  /** The fast Walsh–Hadamard transform scaled by {@code 1 / sqrt(d)}, in place ({@code d} a power of two). */
  static void orthonormalHadamard(double[] x) {
    for (int h = 1; h < x.length; h *= 2) {
      for (int i = 0; i < x.length; i += 2 * h) {
        for (int k = i; k < i + h; k++) {
          double a = x[k];
          double b = x[k + h];
          x[k] = a + b;
          x[k + h] = a - b;
        }
      }
    }
    double scale = 1 / Math.sqrt(x.length);
    for (int k = 0; k < x.length; k++) {
      x[k] *= scale;
    }
  }

  private static Tensor toTensor(double[] x, int d) {
    float[] f = new float[d];
    for (int k = 0; k < d; k++) {
      f[k] = (float) x[k];
    }
    return Tensor.of(f, d);
  }
}
