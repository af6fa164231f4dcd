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
 * hash of the client's value, forked per tensor. {@link #scaled(UnweightedAggregationFactory, double, double, double,
 * long)} is TFF's conditional stochastic rounding ({@code beta > 0}; Kairouz, Liu, Steinke 2021, arXiv 2102.06387,
 * Sec. 4.1): a tensor's rounding is drawn again (try {@code t > 1} from the tensor's stream forked by {@code t}, at
 * most 1000 tries) while its L2 norm exceeds {@link #inflatedL2NormBound} of the prior norm bound (or, without one, of
 * the tensor's own norm), trading a little bias for a smaller norm.
 *
 * <p>With a distortion factory (TFF's {@code distortion_aggregation_factory}, step-size discretizations only), each
 * client also sends the mean squared error of its grid, {@code mean((step * grid - x)^2)} over all its elements
 * (float32), and the factory's process aggregates these into the measurement {@code distortion}, freshly initialized
 * each round as TFF does.
 *
 * <table>
 *   <caption>State and measurements</caption>
 *   <tr><th>scaled</th><td>{@code <scale_factor=float32,prior_norm_bound=float32,inner_agg_process=S[,key=<seed,
 *       round>]>} /
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
  private final UnweightedAggregationFactory distortion;
  private final float beta;
  private final float priorNormBound;

  private DiscretizationFactory(UnweightedAggregationFactory inner, String parameter, String measurement,
      double factor, boolean stochastic, long seed, UnweightedAggregationFactory distortion) {
    this(inner, parameter, measurement, factor, stochastic, seed, distortion, 0.0, 0.0);
  }

  private DiscretizationFactory(UnweightedAggregationFactory inner, String parameter, String measurement,
      double factor, boolean stochastic, long seed, UnweightedAggregationFactory distortion, double beta,
      double priorNormBound) {
    this.inner = Objects.requireNonNull(inner, "inner");
    this.distortion = distortion;
    if (!(beta >= 0 && beta < 1)) {
      throw new IllegalArgumentException("DiscretizationFactory: beta (" + beta + ") must be in [0, 1)");
    }
    if (!(priorNormBound >= 0) || !Float.isFinite((float) priorNormBound)) {
      throw new IllegalArgumentException("DiscretizationFactory: priorNormBound (" + priorNormBound + ") must be a"
          + " finite float32 >= 0 (0 for none)");
    }
    this.beta = (float) beta;
    this.priorNormBound = (float) priorNormBound;
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
    return new DiscretizationFactory(inner, "scale_factor", "discretize", scaleFactor, stochastic, seed, null);
  }

  /**
   * TFF's {@code DiscretizationFactory(inner, scale_factor, stochastic=True, beta, prior_norm_bound)}: stochastic
   * rounding, conditional when {@code beta > 0}.
   *
   * @param priorNormBound the global L2 norm bound of the values (e.g. their clipping norm), or 0 for none (TFF's
   *     {@code None}); only for tensor value types
   * @throws IllegalArgumentException if {@code beta} is not in {@code [0, 1)} or {@code priorNormBound} is negative
   *     or not a finite float32
   */
  public static DiscretizationFactory scaled(UnweightedAggregationFactory inner, double scaleFactor, double beta,
      double priorNormBound, long seed) {
    return new DiscretizationFactory(inner, "scale_factor", "discretize", scaleFactor, true, seed, null, beta,
        priorNormBound);
  }

  /**
   * TFF's {@code inflated_l2_norm_bound(l2_norm_bound, gamma, beta, dim)}: a bound, holding with probability at least
   * {@code 1 - beta} (Theorem 1 of arXiv 2102.06387), on the L2 norm of a {@code dim}-vector of norm at most
   * {@code norm} after stochastic rounding to the grid {@code gamma Z}: {@code min(norm + gamma sqrt(dim),
   * sqrt(norm^2 + gamma^2 dim / 4 + sqrt(2 ln(1 / beta)) gamma (norm + gamma sqrt(dim) / 2)))}, the first term alone
   * when {@code beta = 0}.
   */
  static double inflatedL2NormBound(double norm, double gamma, double beta, long dim) {
    double gammaSqrtDim = Math.sqrt(dim) * gamma;
    double bound1 = norm + gammaSqrtDim;
    if (beta == 0) {
      return bound1;
    }
    double squared = norm * norm + 0.25 * gammaSqrtDim * gammaSqrtDim
        + Math.sqrt(2 * Math.log(1 / beta)) * gamma * (norm + 0.5 * gammaSqrtDim);
    return Math.min(bound1, Math.sqrt(squared));
  }

  /** TFF's {@code DeterministicDiscretizationFactory(inner, step_size)}. */
  public static DiscretizationFactory deterministic(UnweightedAggregationFactory inner, double stepSize) {
    return new DiscretizationFactory(inner, "step_size", "deterministic_discretization", stepSize, false, 0, null);
  }

  /**
   * TFF's {@code DeterministicDiscretizationFactory(inner, step_size, distortion_aggregation_factory)}: also measures
   * {@code distortion}, the clients' mean squared rounding errors aggregated by {@code distortion} (over float32
   * scalars, e.g. an {@link UnweightedMeanFactory}).
   */
  public static DiscretizationFactory deterministic(UnweightedAggregationFactory inner, double stepSize,
      UnweightedAggregationFactory distortion) {
    return new DiscretizationFactory(inner, "step_size", "deterministic_discretization", stepSize, false, 0,
        Objects.requireNonNull(distortion, "distortion"));
  }

  /** TFF's {@code StochasticDiscretizationFactory(inner, step_size)}, its randomness keyed by {@code seed}. */
  public static DiscretizationFactory stochastic(UnweightedAggregationFactory inner, double stepSize, long seed) {
    return new DiscretizationFactory(inner, "step_size", "stochastic_discretization", stepSize, true, seed, null);
  }

  /**
   * TFF's {@code StochasticDiscretizationFactory(inner, step_size, distortion_aggregation_factory)}: also measures
   * {@code distortion} as {@link #deterministic(UnweightedAggregationFactory, double, UnweightedAggregationFactory)}
   * does, of the grid the client sends.
   */
  public static DiscretizationFactory stochastic(UnweightedAggregationFactory inner, double stepSize, long seed,
      UnweightedAggregationFactory distortion) {
    return new DiscretizationFactory(inner, "step_size", "stochastic_discretization", stepSize, true, seed,
        Objects.requireNonNull(distortion, "distortion"));
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
    if (priorNormBound > 0 && !(valueType instanceof TensorType)) {
      throw new IllegalArgumentException("DiscretizationFactory: a priorNormBound needs a tensor value type, found "
          + valueType);
    }
    Type gridType = Secure.withDtype(valueType, DType.INT32);
    AggregationProcess innerProcess = inner.create(gridType);
    boolean scale = parameter.equals("scale_factor");
    boolean random = stochastic;
    boolean measured = distortion != null;
    AggregationProcess distortionProcess = measured ? distortion.create(TensorType.FLOAT32) : null;
    Struct mode = Struct.named("scale", Tensor.scalar(scale), "stochastic", Tensor.scalar(random));
    Computation discretize = DISCRETIZE_FAMILY.at(discretizeType(valueType, random, measured),
        Struct.named("scale", Tensor.scalar(scale), "stochastic", Tensor.scalar(random),
            "distortion", Tensor.scalar(measured), "beta", Tensor.scalar(beta)));
    Computation undiscretize = UNDISCRETIZE.at(undiscretizeType(valueType), mode);
    Computation initialize = Computation.federated("discretization_initialize", () -> {
      Map<String, Object> state = Processes.named(parameter, federatedValue(Tensor.scalar(factor), Placement.SERVER));
      if (scale) {
        state.put("prior_norm_bound", federatedValue(Tensor.scalar(priorNormBound), Placement.SERVER));
      }
      state.put("inner_agg_process", innerProcess.initialize().apply());
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
          Value bound = scale ? federatedBroadcast(s.get("prior_norm_bound"))
              : federatedValue(Tensor.scalar(0f), Placement.CLIENTS);
          Value sent = federatedMap(discretize, List.of(value, federatedBroadcast(f), key, bound));
          Value agg = innerProcess.next().apply(s.get("inner_agg_process"), measured ? sent.get("value") : sent);
          Map<String, Object> state = Processes.named(parameter, f);
          if (scale) {
            state.put("prior_norm_bound", s.get("prior_norm_bound"));
          }
          state.put("inner_agg_process", agg.get("state"));
          if (random) {
            state.put("key", federatedMap(Rotations.advance(), s.get("key")));
          }
          return Processes.output(federatedZip(state),
              federatedMap(undiscretize, List.of(agg.get("result"), f)),
              federatedZip(measured ? Processes.named(measurement, agg.get("measurements"), "distortion",
                  distortionProcess.next().apply(distortionProcess.initialize().apply(), sent.get("distortion"))
                      .get("result"))
                  : Processes.named(measurement, agg.get("measurements"))));
        });
    return new AggregationProcess(initialize, Processes.streaming(next));
  }

  private static FunctionType discretizeType(Type valueType, boolean random, boolean measured) {
    Type grid = Secure.withDtype(valueType, DType.INT32);
    return new FunctionType(StructType.named("value", valueType, "factor", TensorType.FLOAT32,
        "key", random ? Rotations.KEY : StructType.EMPTY, "prior_norm_bound", TensorType.FLOAT32),
        measured ? StructType.named("value", grid, "distortion", TensorType.FLOAT32) : grid);
  }

  private static FunctionType undiscretizeType(Type valueType) {
    return new FunctionType(StructType.named("value", Secure.withDtype(valueType, DType.INT32),
        "factor", TensorType.FLOAT32), valueType);
  }

  /**
   * The family {@code aggregators.discretize}: {@code (<value=V,factor=float32,key=K,prior_norm_bound=float32> -> V')},
   * {@code V'} the int32 structure of float {@code V} and {@code K} the key {@code <seed,round>} when stochastic
   * ({@code <>} otherwise); parameters {@code <scale=bool,stochastic=bool,distortion=bool,beta=float32>} (multiply by
   * the factor, or divide by it; with {@code distortion} the result is {@code <value=V',distortion=float32>}, the
   * grid's mean squared error beside it; {@code beta > 0}: conditional stochastic rounding, scaled only).
   */
  static final Processes.Family DISCRETIZE_FAMILY = new Processes.Family("aggregators.discretize", (type, p) -> {
    Processes.checkParameters(p, "scale", DType.BOOL, "stochastic", DType.BOOL, "distortion", DType.BOOL,
        "beta", DType.FLOAT32);
    float b = Processes.parameter(p, "beta").floatValue();
    if (!(b >= 0 && b < 1) || (b > 0 && !(Processes.parameter(p, "scale").boolValue()
        && Processes.parameter(p, "stochastic").boolValue()))) {
      throw new IllegalArgumentException("expected beta in [0, 1), and 0 unless scaled and stochastic, found " + p);
    }
    Type valueType = Processes.part(type.parameter(), 0);
    Processes.requireFloats("aggregators.discretize", valueType);
    return discretizeType(valueType, Processes.parameter(p, "stochastic").boolValue(),
        Processes.parameter(p, "distortion").boolValue());
  }, (type, p) -> {
    boolean scale = Processes.parameter(p, "scale").boolValue();
    boolean random = Processes.parameter(p, "stochastic").boolValue();
    boolean measured = Processes.parameter(p, "distortion").boolValue();
    float beta = Processes.parameter(p, "beta").floatValue();
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
      float prior = ((Tensor) s.get(3)).floatValue();
      Object grid = Processes.mapTensors(s.get(0), t -> beta > 0 ? conditionalGrid(t, f, beta, prior, r0, index[0]++)
          : grid(t, scale, f, r0 == null ? null : r0.fork(index[0]++)));
      if (!measured) {
        return grid;
      }
      return Struct.named("value", grid, "distortion", Tensor.scalar(meanSquaredError(s.get(0), grid, scale, f)));
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

  /** The tries of conditional stochastic rounding before it fails, TFF's {@code max_tries}. */
  private static final int MAX_TRIES = 1000;

  /**
   * TFF's {@code _stochastic_rounding} with {@code beta > 0}: {@code t * f} rounded stochastically, again while its L2
   * norm exceeds the inflated bound of the scaled prior bound (or of its own norm when the prior is 0).
   */
  private static Tensor conditionalGrid(Tensor t, float f, float beta, float prior, RandomStream stream, int index) {
    double norm = 0;
    for (float x : t.floatData()) {
      float scaled = x * f;
      norm += (double) scaled * scaled;
    }
    double bound = prior > 0 ? (double) prior * f : Math.sqrt(norm);
    double threshold = inflatedL2NormBound(bound / f, 1.0 / f, beta, t.size()) * f;
    for (int tries = 1; tries <= MAX_TRIES; tries++) {
      Tensor g = grid(t, true, f, tries == 1 ? stream.fork(index) : stream.fork(index, tries));
      double sq = 0;
      for (int v : g.intData()) {
        sq += (double) v * v;
      }
      if (Math.sqrt(sq) <= threshold) {
        return g;
      }
    }
    throw new IllegalStateException("DiscretizationFactory: conditional stochastic rounding failed for " + MAX_TRIES
        + " tries (beta " + beta + ", threshold " + threshold + "); try beta 0");
  }

  /** {@code mean((undiscretize(grid) - x)^2)} over all elements of a client's value, as float32. */
  private static float meanSquaredError(Object value, Object grid, boolean scale, float f) {
    List<Tensor> xs = Processes.tensors(value);
    List<Tensor> gs = Processes.tensors(grid);
    double sum = 0;
    long n = 0;
    for (int i = 0; i < xs.size(); i++) {
      float[] x = xs.get(i).floatData();
      int[] g = gs.get(i).intData();
      for (int k = 0; k < x.length; k++) {
        float back = scale ? g[k] / f : g[k] * f;
        float e = back - x[k];
        sum += (double) e * e;
      }
      n += x.length;
    }
    return n == 0 ? 0f : (float) (sum / n);
  }

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
