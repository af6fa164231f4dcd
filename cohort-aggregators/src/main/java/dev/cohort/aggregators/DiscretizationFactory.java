package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.Intrinsics.federatedZip;

import dev.cohort.core.Computation;
import dev.cohort.core.types.FunctionType;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Rounds float values to an integer grid before an inner (integer) aggregation and maps the result back: TFF's
 * {@code DiscretizationFactory} ({@link #scaled}: {@code round(x * scale)}), {@code DeterministicDiscretizationFactory}
 * ({@link #deterministic}: {@code round(x / step)}) and {@code StochasticDiscretizationFactory} ({@link #stochastic}:
 * {@code floor(x / step)} plus 1 with probability the fractional part). Clients send int32 grids; the server divides
 * the aggregate back. Deterministic rounding (half to even, as TF's {@code round}) is off by at most half a step per
 * element and client; stochastic rounding is unbiased and off by less than one step.
 *
 * <p>Stochastic rounding of round {@code r} draws from {@code RandomStream.of(seed, r, DISCRETIZE, h)}, {@code h} a
 * hash of the client's value, forked per tensor. TFF's conditional rounding ({@code beta > 0},
 * {@code prior_norm_bound}) is not offered.
 *
 * <table>
 *   <caption>State and measurements</caption>
 *   <tr><th>scaled</th><td>{@code <scale_factor=float32,inner_agg_process=S[,key=<seed,round>]>} /
 *       {@code <discretize=M>}</td></tr>
 *   <tr><th>deterministic</th><td>{@code <step_size=float32,inner_agg_process=S>} /
 *       {@code <deterministic_discretization=M>}</td></tr>
 *   <tr><th>stochastic</th><td>{@code <step_size=float32,inner_agg_process=S,key=<seed,round>>} /
 *       {@code <stochastic_discretization=M>}</td></tr>
 * </table>
 */
public final class DiscretizationFactory implements UnweightedAggregationFactory {
  /** The purpose key of the rounding streams, "DISCRETE" in ASCII. */
  static final long DISCRETIZE = 0x4449_5343_5245_5445L;

  private final UnweightedAggregationFactory inner;
  private final String parameter;
  private final String measurement;
  private final float factor;
  private final boolean stochastic;
  private final long seed;

  private DiscretizationFactory(UnweightedAggregationFactory inner, String parameter, String measurement,
      double factor, boolean stochastic, long seed) {
    this.inner = Objects.requireNonNull(inner, "inner");
    if (!(factor > 0) || !Float.isFinite((float) factor) || (float) factor == 0f) {
      throw new IllegalArgumentException("DiscretizationFactory: " + parameter + " (" + factor + ") must be a"
          + " finite float32 > 0");
    }
    this.parameter = parameter;
    this.measurement = measurement;
    this.factor = (float) factor;
    this.stochastic = stochastic;
    this.seed = seed;
  }

  /** TFF's {@code DiscretizationFactory(inner, scale_factor, stochastic)} with {@code beta = 0}. */
  public static DiscretizationFactory scaled(UnweightedAggregationFactory inner, double scaleFactor,
      boolean stochastic, long seed) {
    return new DiscretizationFactory(inner, "scale_factor", "discretize", scaleFactor, stochastic, seed);
  }

  /** TFF's {@code DeterministicDiscretizationFactory(inner, step_size)}. */
  public static DiscretizationFactory deterministic(UnweightedAggregationFactory inner, double stepSize) {
    return new DiscretizationFactory(inner, "step_size", "deterministic_discretization", stepSize, false, 0);
  }

  /** TFF's {@code StochasticDiscretizationFactory(inner, step_size)}, its randomness keyed by {@code seed}. */
  public static DiscretizationFactory stochastic(UnweightedAggregationFactory inner, double stepSize, long seed) {
    return new DiscretizationFactory(inner, "step_size", "stochastic_discretization", stepSize, true, seed);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if {@code valueType} is not a float32 tensor type or a struct of them with fully
   *     known shapes
   */
  @Override
  public AggregationProcess create(Type valueType) {
    Processes.requireFloats("DiscretizationFactory", valueType);
    Type gridType = Secure.withDtype(valueType, DType.INT32);
    AggregationProcess innerProcess = inner.create(gridType);
    boolean scale = parameter.equals("scale_factor");
    boolean random = stochastic;
    Struct mode = Struct.named("scale", Tensor.scalar(scale), "stochastic", Tensor.scalar(random));
    Computation discretize = DISCRETIZE_FAMILY.at(discretizeType(valueType, random), mode);
    Computation undiscretize = UNDISCRETIZE.at(undiscretizeType(valueType), mode);
    Computation initialize = Computation.federated("discretization_initialize", () -> {
      Map<String, Object> state = Processes.named(parameter, federatedValue(Tensor.scalar(factor), Placement.SERVER),
          "inner_agg_process", innerProcess.initialize().apply());
      if (random) {
        state.put("key", federatedValue(Struct.named("seed", Tensor.scalar(seed), "round", Tensor.scalar(0L)),
            Placement.SERVER));
      }
      return federatedZip(state);
    });
    Computation next = Computation.federated("discretization_next", "state", initialize.typeSignature().result(),
        "value", FederatedType.atClients(valueType), (s, value) -> {
          Value f = s.get(parameter);
          Value key = random ? federatedBroadcast(s.get("key"))
              : federatedValue(Struct.empty(), Placement.CLIENTS);
          Value agg = innerProcess.next().apply(s.get("inner_agg_process"),
              federatedMap(discretize, List.of(value, federatedBroadcast(f), key)));
          Map<String, Object> state = Processes.named(parameter, f, "inner_agg_process", agg.get("state"));
          if (random) {
            state.put("key", federatedMap(Rotations.advance(), s.get("key")));
          }
          return Processes.output(federatedZip(state),
              federatedMap(undiscretize, List.of(agg.get("result"), f)),
              federatedZip(Processes.named(measurement, agg.get("measurements"))));
        });
    return new AggregationProcess(initialize, Processes.streaming(next));
  }

  private static FunctionType discretizeType(Type valueType, boolean random) {
    return new FunctionType(StructType.named("value", valueType, "factor", TensorType.FLOAT32,
        "key", random ? Rotations.KEY : StructType.EMPTY), Secure.withDtype(valueType, DType.INT32));
  }

  private static FunctionType undiscretizeType(Type valueType) {
    return new FunctionType(StructType.named("value", Secure.withDtype(valueType, DType.INT32),
        "factor", TensorType.FLOAT32), valueType);
  }

  /**
   * The family {@code aggregators.discretize}: {@code (<value=V,factor=float32,key=K> -> V')}, {@code V'} the int32
   * structure of float {@code V} and {@code K} the key {@code <seed,round>} when stochastic ({@code <>} otherwise);
   * parameters {@code <scale=bool,stochastic=bool>} (multiply by the factor, or divide by it).
   */
  static final Processes.Family DISCRETIZE_FAMILY = new Processes.Family("aggregators.discretize", (type, p) -> {
    Processes.checkParameters(p, "scale", DType.BOOL, "stochastic", DType.BOOL);
    Type valueType = Processes.part(type.parameter(), 0);
    Processes.requireFloats("aggregators.discretize", valueType);
    return discretizeType(valueType, Processes.parameter(p, "stochastic").boolValue());
  }, (type, p) -> {
    boolean scale = Processes.parameter(p, "scale").boolValue();
    boolean random = Processes.parameter(p, "stochastic").boolValue();
    return arg -> {
      Struct s = (Struct) arg;
      float f = ((Tensor) s.get(1)).floatValue();
      RandomStream stream = null;
      if (random) {
        Struct key = (Struct) s.get(2);
        stream = RandomStream.of(((Tensor) key.get(0)).longValue(), ((Tensor) key.get(1)).longValue(), DISCRETIZE,
            Rotations.contentHash(s.get(0)));
      }
      RandomStream r0 = stream;
      int[] index = {0};
      return Processes.mapTensors(s.get(0), t -> grid(t, scale, f, r0 == null ? null : r0.fork(index[0]++)));
    };
  });

  /** The family {@code aggregators.undiscretize}: {@code (<value=V',factor=float32> -> V)}, the grid mapped back. */
  static final Processes.Family UNDISCRETIZE = new Processes.Family("aggregators.undiscretize", (type, p) -> {
    Processes.checkParameters(p, "scale", DType.BOOL, "stochastic", DType.BOOL);
    Processes.requireFloats("aggregators.undiscretize", type.result());
    return undiscretizeType(type.result());
  }, (type, p) -> {
    boolean scale = Processes.parameter(p, "scale").boolValue();
    return arg -> {
      Struct s = (Struct) arg;
      float f = ((Tensor) s.get(1)).floatValue();
      return Processes.mapTensors(s.get(0), t -> {
        int[] d = t.intData();
        float[] out = new float[d.length];
        for (int k = 0; k < d.length; k++) {
          out[k] = scale ? d[k] / f : d[k] * f;
        }
        return Tensor.wrap(out, t.shape());
      });
    };
  });

  /** {@code t} times {@code f} (with {@code scale}) or divided by it, rounded to int32: to nearest (half to even) or stochastically. */
  static Tensor grid(Tensor t, boolean scale, float f, RandomStream r) {
    float[] d = t.floatData();
    int[] out = new int[d.length];
    for (int k = 0; k < d.length; k++) {
      float x = scale ? d[k] * f : d[k] / f;
      double q;
      if (r == null) {
        q = Math.rint(x);
      } else {
        double floor = Math.floor(x);
        q = r.nextDouble() < x - floor ? floor + 1 : floor;
      }
      if (q > Integer.MAX_VALUE || q < Integer.MIN_VALUE) {
        throw new IllegalArgumentException("DiscretizationFactory: " + d[k] + " on the grid is " + q
            + ", outside int32");
      }
      out[k] = (int) q;
    }
    return Tensor.wrap(out, t.shape());
  }
}
