package dev.cohort.aggregators;

import dev.cohort.core.Computation;
import dev.cohort.core.LocalFamily;
import dev.cohort.core.types.FunctionType;
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
 * Rotates values by a randomized discrete Fourier transform before an inner aggregation and back after it: TFF's
 * {@code tff.aggregators.DiscreteFourierTransformFactory}. Each tensor is flattened and zero-padded to an even length
 * {@code d = 2k}; {@code numRepeats} times, its halves become the real and imaginary parts of {@code k} complex numbers
 * {@code z_j = x_j + i x_(k+j)}, each is multiplied by a random phase {@code e^(i theta_j)} ({@code theta_j} uniform in
 * {@code [0, 2 pi)}), and the unitary DFT {@code Z_m = k^-1/2 sum_j z_j e^(-2 pi i j m / k)} is written back as
 * {@code [Re Z, Im Z]}. The inner factory aggregates the rotated {@code float32[d]} vectors; the server applies the
 * inverse (inverse DFT, conjugate phases) to the result and drops the padding. The rotation is orthogonal on
 * {@code R^d}, so it commutes with sums and keeps L2 norms, and it needs only even padding where the Hadamard
 * rotation ({@link HadamardTransformFactory}) pads to a power of two.
 *
 * <p>The phases of round {@code r} are shared by all clients and the server: {@code RandomStream.of(seed, r, DFT,
 * tensor, repeat)}. State {@code <key=<seed=int64,round=int64>,inner_agg=S>}; measurements {@code <dft=M>}. The DFT of
 * any length runs in {@code O(k log k)} (radix-2, or Bluestein's chirp-z convolution when {@code k} is not a power of
 * two) in double precision.
 *
 * @param inner aggregates the rotated values
 * @param numRepeats how many phase-and-transform rounds each rotation applies, {@code >= 1}
 * @param seed the key of the phases
 */
public record DiscreteFourierTransformFactory(UnweightedAggregationFactory inner, int numRepeats, long seed)
    implements UnweightedAggregationFactory {
  /** The purpose key of the phase streams, "DFTPHASE" in ASCII. */
  static final long DFT = 0x4446_5450_4841_5345L;

  private static final String FAMILY = "aggregators.dft";

  /**
   * Checks the arguments.
   *
   * @throws IllegalArgumentException if {@code numRepeats < 1}
   */
  public DiscreteFourierTransformFactory {
    Objects.requireNonNull(inner, "inner");
    if (numRepeats < 1) {
      throw new IllegalArgumentException("DiscreteFourierTransformFactory: numRepeats (" + numRepeats
          + ") must be >= 1");
    }
  }

  /** TFF's {@code DiscreteFourierTransformFactory()}: a {@link SumFactory} inside, one repeat. */
  public DiscreteFourierTransformFactory(long seed) {
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
    Processes.requireFloats("DiscreteFourierTransformFactory", valueType);
    Type rotatedType = rotatedType(valueType);
    AggregationProcess innerProcess = inner.create(rotatedType);
    Computation rotate = TRANSFORM.at(forwardType(valueType), Rotations.parameters(false, numRepeats));
    Computation unrotate = TRANSFORM.at(inverseType(valueType), Rotations.parameters(true, numRepeats));
    return Rotations.around("dft", "dft", seed, valueType, innerProcess, rotate, unrotate);
  }

  /** Defines {@code aggregators.dft} ({@link AggregationProcess#defineLocalFamilies}). */
  static LocalFamily defineLocalFamily() {
    return TRANSFORM.define();
  }

  /** The rotated type: each tensor of {@code valueType} as a {@code float32[d]}, {@code d} its size rounded up to even. */
  static Type rotatedType(Type valueType) {
    return Rotations.padded(valueType, DiscreteFourierTransformFactory::paddedSize);
  }

  private static int paddedSize(TensorType t) {
    long n = Math.max(1, Rotations.size(t));
    return (int) (n + (n & 1));
  }

  /** {@code (<value=V,key=<seed,round>> -> R)}: the clients' rotation. */
  private static FunctionType forwardType(Type valueType) {
    return new FunctionType(StructType.named("value", valueType, "key", Rotations.KEY), rotatedType(valueType));
  }

  /** {@code (<value=R,key=<seed,round>> -> V)}: the server's inverse. */
  private static FunctionType inverseType(Type valueType) {
    return new FunctionType(StructType.named("value", rotatedType(valueType), "key", Rotations.KEY), valueType);
  }

  /**
   * The family {@code aggregators.dft}: the clients' rotation {@code (<value=V,key> -> R)} or the server's inverse
   * {@code (<value=R,key> -> V)} for float {@code V}; parameters {@code <inverse=bool,num_repeats=int32>}.
   */
  private static final Processes.Family TRANSFORM = new Processes.Family(FAMILY, (type, parameters) -> {
    Processes.checkParameters(parameters, "inverse", DType.BOOL, "num_repeats", DType.INT32);
    if (Processes.parameter(parameters, "num_repeats").intValue() < 1) {
      throw new IllegalArgumentException("expected num_repeats >= 1, found " + parameters);
    }
    boolean inverse = Processes.parameter(parameters, "inverse").boolValue();
    Type valueType = inverse ? type.result() : Processes.part(type.parameter(), 0);
    Processes.requireFloats(FAMILY, valueType);
    return inverse ? inverseType(valueType) : forwardType(valueType);
  }, (type, parameters) -> {
    boolean inverse = Processes.parameter(parameters, "inverse").boolValue();
    int repeats = Processes.parameter(parameters, "num_repeats").intValue();
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
        if (inverse) {
          for (int j = repeats - 1; j >= 0; j--) {
            inverse(x, phases(key, i, j, d / 2));
          }
          float[] kept = new float[(int) Rotations.size(leaves.get(i))];
          for (int k = 0; k < kept.length; k++) {
            kept[k] = (float) x[k];
          }
          out.add(Tensor.wrap(kept, leaves.get(i).toShape()));
        } else {
          for (int j = 0; j < repeats; j++) {
            forward(x, phases(key, i, j, d / 2));
          }
          float[] rotated = new float[d];
          for (int k = 0; k < d; k++) {
            rotated[k] = (float) x[k];
          }
          out.add(Tensor.of(rotated, d));
        }
      }
      return DifferentiallyPrivateFactory.replaced(Rotations.zerosLike(outType), out);
    };
  });

  /** The phases {@code theta_j = 2 pi u_j} of one tensor and repeat, as unit complex numbers (cos, sin). */
  private static double[][] phases(Struct key, int tensor, int repeat, int k) {
    RandomStream r = RandomStream.of(((Tensor) key.get(0)).longValue(), ((Tensor) key.get(1)).longValue(), DFT,
        tensor, repeat);
    double[] cos = new double[k];
    double[] sin = new double[k];
    for (int j = 0; j < k; j++) {
      double theta = 2 * Math.PI * r.nextDouble();
      cos[j] = Math.cos(theta);
      sin[j] = Math.sin(theta);
    }
    return new double[][] {cos, sin};
  }

  /** One forward repeat in place on {@code x} (length {@code 2k}): phases, then the unitary DFT. */
  static void forward(double[] x, double[][] phase) {
    int k = x.length / 2;
    double[] re = new double[k];
    double[] im = new double[k];
    for (int j = 0; j < k; j++) {
      re[j] = x[j] * phase[0][j] - x[k + j] * phase[1][j];
      im[j] = x[j] * phase[1][j] + x[k + j] * phase[0][j];
    }
    Fft.transform(re, im, false);
    double scale = 1 / Math.sqrt(k);
    for (int j = 0; j < k; j++) {
      x[j] = re[j] * scale;
      x[k + j] = im[j] * scale;
    }
  }

  /** One inverse repeat in place: the unitary inverse DFT, then the conjugate phases. */
  static void inverse(double[] x, double[][] phase) {
    int k = x.length / 2;
    double[] re = new double[k];
    double[] im = new double[k];
    System.arraycopy(x, 0, re, 0, k);
    System.arraycopy(x, k, im, 0, k);
    Fft.transform(re, im, true);
    double scale = 1 / Math.sqrt(k);
    for (int j = 0; j < k; j++) {
      double a = re[j] * scale;
      double b = im[j] * scale;
      x[j] = a * phase[0][j] + b * phase[1][j];
      x[k + j] = b * phase[0][j] - a * phase[1][j];
    }
  }
}
