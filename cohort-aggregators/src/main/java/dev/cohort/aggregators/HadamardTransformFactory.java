package dev.cohort.aggregators;

import dev.cohort.core.Computation;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
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
    Type rotatedType = rotatedType(valueType);
    AggregationProcess innerProcess = inner.create(rotatedType);
    Computation rotate = ROTATION.at(rotationType(valueType, false), Rotations.parameters(false, numRepeats));
    Computation unrotate = ROTATION.at(rotationType(valueType, true), Rotations.parameters(true, numRepeats));
    return Rotations.around("hadamard", "hd", seed, valueType, innerProcess, rotate, unrotate);
  }

  /** Each tensor of {@code valueType} as a {@code float32[d]}, {@code d} its size rounded up to a power of two. */
  private static Type rotatedType(Type valueType) {
    return Rotations.padded(valueType, HadamardTransformFactory::paddedSize);
  }

  private static int paddedSize(TensorType t) {
    long n = Math.max(1, Rotations.size(t));
    return (int) Long.highestOneBit(2 * n - 1);
  }

  /** {@code (<value=V,key> -> R)}, or with {@code inverse} {@code (<value=R,key> -> V)}. */
  private static FunctionType rotationType(Type valueType, boolean inverse) {
    Type rotated = rotatedType(valueType);
    return new FunctionType(StructType.named("value", inverse ? rotated : valueType, "key", Rotations.KEY),
        inverse ? valueType : rotated);
  }

  /**
   * The family {@code aggregators.hadamard}: the clients' rotation {@code (<value=V,key=<seed,round>> -> R)} or the
   * server's inverse {@code (<value=R,key> -> V)} for float {@code V}; parameters {@code <inverse=bool,
   * num_repeats=int32>}.
   */
  static final Processes.Family ROTATION = new Processes.Family("aggregators.hadamard", (type, p) -> {
    Processes.checkParameters(p, "inverse", DType.BOOL, "num_repeats", DType.INT32);
    if (Processes.parameter(p, "num_repeats").intValue() < 1) {
      throw new IllegalArgumentException("expected num_repeats >= 1, found " + p);
    }
    boolean inverse = Processes.parameter(p, "inverse").boolValue();
    Type valueType = inverse ? type.result() : Processes.part(type.parameter(), 0);
    Processes.requireFloats("aggregators.hadamard", valueType);
    return rotationType(valueType, inverse);
  }, (type, p) -> {
    boolean inverse = Processes.parameter(p, "inverse").boolValue();
    int repeats = Processes.parameter(p, "num_repeats").intValue();
    Type valueType = inverse ? type.result() : Processes.part(type.parameter(), 0);
    List<TensorType> leaves = Rotations.leaves(valueType);
    Type outType = inverse ? valueType : rotatedType(valueType);
    return arg -> {
      Struct s = (Struct) arg;
      Struct key = (Struct) s.get(1);
      List<Tensor> in = Processes.tensors(s.get(0));
      List<Tensor> out = new ArrayList<>(in.size());
      for (int i = 0; i < in.size(); i++) {
        int d = paddedSize(leaves.get(i));
        double[] x = new double[d];
        float[] f = in.get(i).floatData();
        for (int k = 0; k < f.length; k++) {
          x[k] = f[k];
        }
        int kept = inverse ? (int) Rotations.size(leaves.get(i)) : d;
        if (inverse) {
          for (int j = repeats - 1; j >= 0; j--) {
            orthonormalHadamard(x);
            applySigns(x, signs(key, i, j, d));
          }
        } else {
          for (int j = 0; j < repeats; j++) {
            applySigns(x, signs(key, i, j, d));
            orthonormalHadamard(x);
          }
        }
        float[] values = new float[kept];
        for (int k = 0; k < kept; k++) {
          values[k] = (float) x[k];
        }
        out.add(Tensor.wrap(values, inverse ? leaves.get(i).toShape() : Shape.of(d)));
      }
      return DifferentiallyPrivateFactory.replaced(Rotations.zerosLike(outType), out);
    };
  });

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
}
