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
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Tensor;
import java.util.List;

/**
 * Sums values that clients compress before upload: TFF's {@code tff.aggregators.EncodedSumFactory}, with the encoder
 * of {@link #quantizeAboveThreshold}. Each client encodes its value and the server sums the decoded values (uniform
 * quantisation with a per-client range does not commute with the sum, so decoding precedes it, as in TFF).
 *
 * <p>State {@code <seed=int64,round=int64>} (the keys of the rounding noise); measurements
 * {@code <client_bits=int64,uncompressed_client_bits=int64>}: the bits one client uploads encoded, and as float32.
 */
public final class EncodedSumFactory implements UnweightedAggregationFactory {
  /** The purpose key of the rounding streams, "QUANTIZE" in ASCII. */
  static final long QUANTIZE = 0x5155_414E_5449_5A45L;

  private final int bits;
  private final int threshold;
  private final long seed;

  private EncodedSumFactory(int bits, int threshold, long seed) {
    this.bits = bits;
    this.threshold = threshold;
    this.seed = seed;
  }

  /**
   * TFF's {@code quantize_above_threshold(quantization_bits, threshold)}: each tensor with more than
   * {@code threshold} elements is sent as {@code bits}-bit integers {@code floor((x - min) / (max - min) (2^bits - 1)
   * + u)}, {@code u} uniform in {@code [0, 1)} (stochastic rounding, so the decoded value is unbiased and each element
   * is off by less than one step {@code (max - min) / (2^bits - 1)}), plus its min and max as float32; smaller tensors
   * are sent as they are.
   *
   * <p>The rounding noise of round {@code r} comes from {@code RandomStream.of(seed, r, QUANTIZE, h)}, {@code h} a
   * hash of the client's value (clients have no identity in a federated computation), forked per tensor: the same
   * seed and values give the same result at any thread count.
   *
   * @param bits the bits per element, in {@code [1, 16]} (TFF's default 8)
   * @param threshold tensors with at most this many elements are not compressed (TFF's default 20000)
   * @param seed the key of the rounding noise
   * @throws IllegalArgumentException if {@code bits} is outside {@code [1, 16]} or {@code threshold < 0}
   */
  public static EncodedSumFactory quantizeAboveThreshold(int bits, int threshold, long seed) {
    if (bits < 1 || bits > 16) {
      throw new IllegalArgumentException("EncodedSumFactory.quantizeAboveThreshold: bits (" + bits
          + ") must be in [1, 16]");
    }
    if (threshold < 0) {
      throw new IllegalArgumentException("EncodedSumFactory.quantizeAboveThreshold: threshold (" + threshold
          + ") must be >= 0");
    }
    return new EncodedSumFactory(bits, threshold, seed);
  }

  /** TFF's defaults: 8 bits above 20000 elements. */
  public static EncodedSumFactory quantizeAboveThreshold(long seed) {
    return quantizeAboveThreshold(8, 20000, seed);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if {@code valueType} is not a float32 tensor type or a struct of them with fully
   *     known shapes
   */
  @Override
  public AggregationProcess create(Type valueType) {
    Processes.requireFloats("EncodedSumFactory", valueType);
    AggregationProcess sum = new SumFactory().create(valueType);
    long clientBits = 0;
    long uncompressed = 0;
    for (TensorType t : Rotations.leaves(valueType)) {
      long size = Rotations.size(t);
      clientBits += size > threshold ? size * bits + 64 : 32L * size;
      uncompressed += 32L * size;
    }
    Struct measurements = Struct.named("client_bits", Tensor.scalar(clientBits), "uncompressed_client_bits",
        Tensor.scalar(uncompressed));
    Computation encode = ENCODE.at(encodeType(valueType), Struct.named("bits", Tensor.scalar(bits),
        "threshold", Tensor.scalar(threshold)));
    Computation initialize = Computation.federated("encoded_sum_initialize", () -> federatedZip(Processes.named(
        "seed", federatedValue(Tensor.scalar(seed), Placement.SERVER),
        "round", federatedValue(Tensor.scalar(0L), Placement.SERVER))));
    Type state = initialize.typeSignature().result();
    Computation next = Computation.federated("encoded_sum_next", "state", state,
        "value", FederatedType.atClients(valueType), (s, value) -> {
          Value encoded = federatedMap(encode, List.of(value, federatedBroadcast(s)));
          Value out = sum.next().apply(sum.initialize().apply(), encoded);
          return Processes.output(federatedMap(Rotations.advance(), s), out.get("result"),
              federatedValue(measurements, Placement.SERVER));
        });
    return new AggregationProcess(initialize, Processes.streaming(next));
  }

  private static FunctionType encodeType(Type valueType) {
    return new FunctionType(StructType.named("value", valueType, "key", Rotations.KEY), valueType);
  }

  /**
   * The family {@code aggregators.quantize_above_threshold}: {@code (<value=V,key=<seed,round>> -> V)} for float
   * {@code V}, the tensors above the threshold quantised and decoded; parameters {@code <bits=int32,threshold=int32>}.
   */
  static final Processes.Family ENCODE = new Processes.Family("aggregators.quantize_above_threshold", (type, p) -> {
    Processes.checkParameters(p, "bits", DType.INT32, "threshold", DType.INT32);
    int bits = Processes.parameter(p, "bits").intValue();
    if (bits < 1 || bits > 16 || Processes.parameter(p, "threshold").intValue() < 0) {
      throw new IllegalArgumentException("expected bits in [1, 16] and threshold >= 0, found " + p);
    }
    Type valueType = Processes.part(type.parameter(), 0);
    Processes.requireFloats("aggregators.quantize_above_threshold", valueType);
    return encodeType(valueType);
  }, (type, p) -> {
    int bits = Processes.parameter(p, "bits").intValue();
    int threshold = Processes.parameter(p, "threshold").intValue();
    return arg -> {
      Struct s = (Struct) arg;
      Struct key = (Struct) s.get(1);
      RandomStream stream = RandomStream.of(((Tensor) key.get(0)).longValue(), ((Tensor) key.get(1)).longValue(),
          QUANTIZE, Rotations.contentHash(s.get(0)));
      int[] index = {0};
      return Processes.mapTensors(s.get(0), t -> {
        RandomStream r = stream.fork(index[0]++);
        return t.size() > threshold ? quantize(t, bits, r) : t;
      });
    };
  });

  /** Stochastic uniform quantisation of {@code t} to {@code bits} bits over its own range, decoded. */
  static Tensor quantize(Tensor t, int bits, RandomStream r) {
    float[] d = t.floatData();
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float x : d) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    if (!(max > min)) {
      return t;
    }
    double levels = (1 << bits) - 1;
    double step = ((double) max - min) / levels;
    float[] out = new float[d.length];
    for (int k = 0; k < d.length; k++) {
      double q = Math.floor((d[k] - (double) min) / step + r.nextDouble());
      out[k] = (float) (min + Math.min(Math.max(q, 0), levels) * step);
    }
    return Tensor.wrap(out, t.shape());
  }
}
