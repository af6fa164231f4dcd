package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedZip;

import dev.cohort.core.Computation;
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeAnalysis;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.Objects;

/**
 * Wraps integer values into {@code [lower, upper)} before and after an inner sum: TFF's
 * {@code tff.aggregators.ModularClippingSumFactory}, {@code v -> lower + floorMod(v - lower, upper - lower)} (TFF's
 * example: {@code [20, 5, -15, 10]} in {@code [-5, 10)} gives {@code [5, 5, 0, -5]}). State: the inner state;
 * measurements {@code <modclip=M>}, and with {@code estimateStddev} TFF's {@code estimated_stddev} (float32): the
 * standard deviation of the wrapped aggregate's elements as a wrapped normal distribution centred in the range,
 * {@code sigma = sqrt(-2 ln R) w / (2 pi)} with {@code w = upper - lower} and {@code R = |mean_j e^(2 pi i s_j / w)|}
 * (the maximum-likelihood variant of arXiv 1912.00131 that TFF uses). It needs more than one element and is noisy
 * with 100 or fewer (a warning is logged).
 *
 * @param lower the inclusive lower end of the range
 * @param upper the exclusive upper end
 * @param inner aggregates the wrapped values
 * @param estimateStddev whether to measure {@code estimated_stddev}
 */
public record ModularClippingSumFactory(int lower, int upper, UnweightedAggregationFactory inner,
    boolean estimateStddev) implements UnweightedAggregationFactory {
  private static final System.Logger LOG = System.getLogger("dev.cohort.aggregators");

  /**
   * Checks the range.
   *
   * @throws IllegalArgumentException if {@code lower >= upper} or the width overflows int32
   */
  public ModularClippingSumFactory {
    Objects.requireNonNull(inner, "inner");
    if (lower >= upper) {
      throw new IllegalArgumentException("ModularClippingSumFactory: lower (" + lower + ") must be < upper ("
          + upper + ")");
    }
    if ((long) upper - lower > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("ModularClippingSumFactory: the width of [" + lower + ", " + upper
          + ") overflows int32");
    }
  }

  /** TFF's default: a {@link SumFactory} inside. */
  public ModularClippingSumFactory(int lower, int upper) {
    this(lower, upper, new SumFactory());
  }

  /** Without {@code estimated_stddev}, TFF's default. */
  public ModularClippingSumFactory(int lower, int upper, UnweightedAggregationFactory inner) {
    this(lower, upper, inner, false);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if {@code valueType} is not an integer tensor type or a struct of them, or has
   *     fewer than 2 elements with {@code estimateStddev}
   */
  @Override
  public AggregationProcess create(Type valueType) {
    Processes.requireStructure("ModularClippingSumFactory", "value", valueType, TypeAnalysis::isInteger,
        "an integer tensor type or a struct of integer tensor types");
    long elements = 0;
    for (TensorType t : Rotations.leaves(valueType)) {
      elements += Rotations.size(t);
    }
    if (estimateStddev && elements <= 1) {
      throw new IllegalArgumentException("ModularClippingSumFactory: estimating the standard deviation needs more"
          + " than 1 element, found " + valueType + " with " + elements);
    }
    if (estimateStddev && elements <= 100) {
      LOG.log(System.Logger.Level.WARNING, "ModularClippingSumFactory: " + valueType + " has only " + elements
          + " elements; the estimated standard deviation may be noisy");
    }
    AggregationProcess innerProcess = inner.create(valueType);
    Computation wrap = WRAP.at(new FunctionType(valueType, valueType), range());
    Computation next = Computation.federated("modular_clipping_next", "state",
        innerProcess.initialize().typeSignature().result(), "value", FederatedType.atClients(valueType),
        (s, value) -> {
          Value agg = innerProcess.next().apply(s, federatedMap(wrap, value));
          Value result = federatedMap(wrap, agg.get("result"));
          return Processes.output(agg.get("state"), result, federatedZip(estimateStddev
              ? Processes.named("modclip", agg.get("measurements"), "estimated_stddev", federatedMap(
                  STDDEV.at(new FunctionType(valueType, TensorType.FLOAT32), range()), result))
              : Processes.named("modclip", agg.get("measurements"))));
        });
    return new AggregationProcess(innerProcess.initialize(), Processes.streaming(next));
  }

  private Struct range() {
    return Struct.named("lower", Tensor.scalar(lower), "upper", Tensor.scalar(upper));
  }

  /**
   * The family {@code aggregators.wrapped_stddev}: {@code (V -> float32)} for integer {@code V}, the estimated
   * standard deviation of its elements as a wrapped normal distribution on {@code [lower, upper)}; parameters
   * {@code <lower=int32,upper=int32>}.
   */
  static final Processes.Family STDDEV = new Processes.Family("aggregators.wrapped_stddev", (type, p) -> {
    Processes.checkParameters(p, "lower", DType.INT32, "upper", DType.INT32);
    Processes.requireStructure("aggregators.wrapped_stddev", "value", type.parameter(), TypeAnalysis::isInteger,
        "an integer tensor type or a struct of integer tensor types");
    return new FunctionType(type.parameter(), TensorType.FLOAT32);
  }, (type, p) -> {
    double width = (double) Processes.parameter(p, "upper").intValue() - Processes.parameter(p, "lower").intValue();
    return arg -> {
      double re = 0;
      double im = 0;
      long n = 0;
      for (Tensor t : Processes.tensors(arg)) {
        for (int k = 0; k < t.size(); k++) {
          double s = t.dtype() == DType.INT32 ? t.intData()[k] : t.longData()[k];
          double theta = 2 * Math.PI * s / width;
          re += Math.cos(theta);
          im += Math.sin(theta);
          n++;
        }
      }
      double r = Math.hypot(re, im) / n;
      return Tensor.scalar((float) (Math.sqrt(-2 * Math.log(r)) / (2 * Math.PI) * width));
    };
  });

  /**
   * The family {@code aggregators.modular_clip}: {@code (V -> V)} for integer {@code V}, each element wrapped into
   * {@code [lower, upper)}; parameters {@code <lower=int32,upper=int32>}.
   */
  static final Processes.Family WRAP = new Processes.Family("aggregators.modular_clip", (type, p) -> {
    Processes.checkParameters(p, "lower", DType.INT32, "upper", DType.INT32);
    if (Processes.parameter(p, "lower").intValue() >= Processes.parameter(p, "upper").intValue()) {
      throw new IllegalArgumentException("expected lower < upper, found " + p);
    }
    Processes.requireStructure("aggregators.modular_clip", "value", type.parameter(), TypeAnalysis::isInteger,
        "an integer tensor type or a struct of integer tensor types");
    return new FunctionType(type.parameter(), type.parameter());
  }, (type, p) -> {
    long lo = Processes.parameter(p, "lower").intValue();
    long width = (long) Processes.parameter(p, "upper").intValue() - lo;
    return arg -> Processes.mapTensors(arg, t -> {
      if (t.dtype() == DType.INT32) {
        int[] d = t.intData().clone();
        for (int k = 0; k < d.length; k++) {
          d[k] = (int) (lo + Math.floorMod(d[k] - lo, width));
        }
        return Tensor.wrap(d, t.shape());
      }
      long[] d = t.longData().clone();
      for (int k = 0; k < d.length; k++) {
        d[k] = lo + Math.floorMod(d[k] - lo, width);
      }
      return Tensor.wrap(d, t.shape());
    });
  });
}
