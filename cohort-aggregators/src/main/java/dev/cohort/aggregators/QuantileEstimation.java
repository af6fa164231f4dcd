package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.Intrinsics.federatedZip;
import static dev.cohort.core.Intrinsics.genericMultiply;
import static dev.cohort.core.Intrinsics.genericPlus;
import static dev.cohort.core.types.TensorType.FLOAT32;

import dev.cohort.core.Computation;
import dev.cohort.core.Value;
import dev.cohort.core.ast.LocalFunction;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Quantile estimation as an {@link EstimationProcess}: TFF's {@code PrivateQuantileEstimationProcess} over
 * TF-Privacy's quantile estimator queries (Andrew, Thakkar, McMahan, Ramaswamy 2021, "Differentially Private
 * Learning with Adaptive Clipping", arXiv 1905.03871). Each round, each client sends {@code 1[x <= C] - 1/2} and a
 * weight 1; the server forms the fraction below the estimate, {@code b = clamp(sum / count + 1/2, 0, 1)}, and moves
 * the estimate against it: {@code C <- C * exp(-lr * (b - q))} (geometric) or {@code C <- C - lr * (b - q)}
 * (arithmetic). The estimate settles where a fraction {@code q} of the values lies at or below it.
 *
 * <pre>
 * state:  &lt;&lt;current_estimate=float32,target_quantile=float32,learning_rate=float32&gt;,&lt;&gt;&gt;@SERVER
 *         (the query state, then the state of the sum of the records)
 * next:   (&lt;state=...,value={float32}@CLIENTS&gt; -&gt; state)
 * report: (state -&gt; float32@SERVER)            multiplier * C + increment
 * </pre>
 *
 * <p>These estimators add no noise, so they give no differential privacy. A round over no clients leaves the estimate
 * unchanged (TFF's would become NaN). Arithmetic is float32, as TensorFlow's kernels compute it.
 */
public final class QuantileEstimation {
  private QuantileEstimation() {}

  /** How the estimate moves each round. */
  public enum Update {
    /** {@code C <- C * exp(-lr * (b - q))}: for positive quantities such as norms, which may be large or tiny. */
    GEOMETRIC,
    /** {@code C <- C - lr * (b - q)}. */
    ARITHMETIC
  }

  private static final StructType QUERY_STATE = StructType.named("current_estimate", FLOAT32,
      "target_quantile", FLOAT32, "learning_rate", FLOAT32);
  private static final StructType RECORD = StructType.of(FLOAT32, FLOAT32);

  /**
   * TFF's {@code PrivateQuantileEstimationProcess.no_noise(initial_estimate, target_quantile, learning_rate)}:
   * geometric updates, reporting the estimate itself.
   *
   * @throws IllegalArgumentException if {@code initialEstimate} or {@code learningRate} is not a finite float32
   *     {@code > 0}, or {@code targetQuantile} is not in {@code [0, 1]}
   */
  public static EstimationProcess noNoise(double initialEstimate, double targetQuantile, double learningRate) {
    return noNoise(initialEstimate, targetQuantile, learningRate, 1.0, 0.0);
  }

  /**
   * TFF's {@code no_noise(initial_estimate, target_quantile, learning_rate, multiplier, increment)}: geometric updates,
   * reporting {@code multiplier * C + increment}. Zeroing uses this to zero values far above a quantile.
   *
   * @throws IllegalArgumentException as {@link #noNoise(double, double, double)}, or if {@code multiplier} is not a
   *     finite float32 {@code > 0} or {@code increment} not a finite float32 {@code >= 0}
   */
  public static EstimationProcess noNoise(double initialEstimate, double targetQuantile, double learningRate,
      double multiplier, double increment) {
    return noNoise(initialEstimate, targetQuantile, learningRate, multiplier, increment, false);
  }

  /**
   * TFF's {@code no_noise(initial_estimate, target_quantile, learning_rate, multiplier, increment,
   * secure_estimation)}: with {@code secureEstimation} the clients' records are summed by
   * {@code SecureSumFactory.floats(1.0)} (TFF's {@code SecureSumFactory(1.0)}), so the server sees only their
   * (32-bit quantised) sum, never a client's indicator.
   *
   * @throws IllegalArgumentException as {@link #noNoise(double, double, double, double, double)}
   */
  public static EstimationProcess noNoise(double initialEstimate, double targetQuantile, double learningRate,
      double multiplier, double increment, boolean secureEstimation) {
    String who = "QuantileEstimation.noNoise";
    positive(who, "initialEstimate", initialEstimate);
    check(who, "multiplier", multiplier, multiplier > 0, "a finite float32 > 0");
    check(who, "increment", increment, increment >= 0, "a finite float32 >= 0");
    return build(who, initialEstimate, targetQuantile, learningRate, Update.GEOMETRIC, (float) multiplier,
        (float) increment, secureEstimation);
  }

  /**
   * TF-Privacy's {@code NoPrivacyQuantileEstimatorQuery(initial_estimate, target_quantile, learning_rate,
   * geometric_update)} in a process: the exact fraction below the estimate, either update, reporting the estimate.
   *
   * @throws IllegalArgumentException if {@code initialEstimate} is not a finite float32 ({@code > 0} for geometric
   *     updates), {@code targetQuantile} is not in {@code [0, 1]}, or {@code learningRate} is not a finite float32
   *     {@code > 0}
   */
  public static EstimationProcess exact(double initialEstimate, double targetQuantile, double learningRate,
      Update update) {
    String who = "QuantileEstimation.exact";
    Objects.requireNonNull(update, "update");
    if (update == Update.GEOMETRIC) {
      positive(who, "initialEstimate", initialEstimate);
    } else {
      check(who, "initialEstimate", initialEstimate, true, "a finite float32");
    }
    return build(who, initialEstimate, targetQuantile, learningRate, update, 1f, 0f, false);
  }

  private static EstimationProcess build(String who, double initialEstimate, double targetQuantile,
      double learningRate, Update update, float multiplier, float increment, boolean secure) {
    check(who, "targetQuantile", targetQuantile, targetQuantile >= 0 && targetQuantile <= 1, "in [0, 1]");
    positive(who, "learningRate", learningRate);
    AggregationProcess recordSum = (secure ? SecureSumFactory.floats(1.0) : new SumFactory()).create(RECORD);
    Struct initialQuery = Struct.named("current_estimate", (float) initialEstimate,
        "target_quantile", (float) targetQuantile, "learning_rate", (float) learningRate);
    Computation initialize = Computation.federated("quantile_initialize", () -> federatedZip(List.of(
        federatedValue(initialQuery, Placement.SERVER), recordSum.initialize().apply())));
    Type state = initialize.typeSignature().result();
    Computation record = record();
    Computation serverUpdate = serverUpdate(update);
    Computation next = Computation.federated("quantile_next", "state", state,
        "value", FederatedType.atClients(FLOAT32), (s, value) -> {
          Value query = s.get(0);
          Value estimate = federatedBroadcast(query.get("current_estimate"));
          Value sum = recordSum.next().apply(s.get(1), federatedMap(record, List.of(value, estimate)));
          return federatedZip(List.of(federatedMap(serverUpdate, List.of(query, sum.get("result"))),
              sum.get("state")));
        });
    Computation affine = Computation.federated("quantile_affine", "estimate", FLOAT32,
        c -> genericPlus(genericMultiply(c, multiplier), increment));
    Computation report = Computation.federated("quantile_report", "state", state, s -> {
      Value estimate = s.get(0).get("current_estimate");
      return multiplier == 1f && increment == 0f ? estimate : federatedMap(affine, estimate);
    });
    return new EstimationProcess(initialize, next, report);
  }

  /** {@code (<value=float32,estimate=float32> -> <float32,float32>)}: {@code <1[value <= estimate] - 0.5, 1>}. */
  private static Computation record() {
    return RECORD_FAMILY.at(RECORD_TYPE);
  }

  /** {@link #record}'s family of one function. */
  private static final FunctionType RECORD_TYPE = new FunctionType(
      StructType.named("value", FLOAT32, "estimate", FLOAT32), RECORD);
  private static final Processes.Family RECORD_FAMILY = Processes.Family.single("aggregators.quantile_record",
      RECORD_TYPE, arg -> {
        Struct s = (Struct) arg;
        boolean below = ((Tensor) s.get(0)).floatValue() <= ((Tensor) s.get(1)).floatValue();
        return Struct.of(Tensor.scalar(below ? 0.5f : -0.5f), Tensor.scalar(1f));
      });

  /** Defines the families of the estimation processes ({@link AggregationProcess#defineLocalFamilies}). */
  static void defineLocalFamilies() {
    RECORD_FAMILY.define();
    SERVER_UPDATE.define();
  }

  /** {@code (<query=Q,sum=<float32,float32>> -> Q)}: the estimate moved against the fraction below it. */
  private static Computation serverUpdate(Update update) {
    return SERVER_UPDATE.at(SERVER_UPDATE_TYPE,
        Struct.named("update", Tensor.scalar(update.name().toLowerCase(Locale.ROOT))));
  }

  private static final FunctionType SERVER_UPDATE_TYPE =
      new FunctionType(StructType.named("query", QUERY_STATE, "sum", RECORD), QUERY_STATE);

  private static Update update(Struct parameters) {
    List<String> labels = new ArrayList<>();
    for (Update u : Update.values()) {
      labels.add(u.name().toLowerCase(Locale.ROOT));
    }
    return Update.values()[labels.indexOf(Processes.stringParameter(parameters, "update", labels))];
  }

  /** The family {@code aggregators.quantile_update}: {@link #SERVER_UPDATE_TYPE}, {@code <update=geometric|...>}. */
  private static final Processes.Family SERVER_UPDATE = new Processes.Family("aggregators.quantile_update",
      (type, parameters) -> {
        update(parameters);
        return SERVER_UPDATE_TYPE;
      }, (type, parameters) -> serverUpdateFunction(update(parameters)));

  private static LocalFunction serverUpdateFunction(Update update) {
    return arg -> {
      Struct query = (Struct) ((Struct) arg).get(0);
      Struct sum = (Struct) ((Struct) arg).get(1);
      float count = ((Tensor) sum.get(1)).floatValue();
      if (count == 0f) {
        return query;
      }
      float estimate = ((Tensor) query.get(0)).floatValue();
      float target = ((Tensor) query.get(1)).floatValue();
      float rate = ((Tensor) query.get(2)).floatValue();
      float below = Math.min(1f, Math.max(0f, ((Tensor) sum.get(0)).floatValue() / count + 0.5f));
      float step = rate * (below - target);
      float next = update == Update.GEOMETRIC ? estimate * (float) Math.exp(-step) : estimate - step;
      return Struct.of(query.names(), List.of(Tensor.scalar(next), query.get(1), query.get(2)));
    };
  }

  private static void positive(String who, String parameter, double value) {
    check(who, parameter, value, value > 0, "a finite float32 > 0");
  }

  private static void check(String who, String parameter, double value, boolean rule, String expected) {
    if (!rule || !Float.isFinite((float) value)) {
      throw new IllegalArgumentException(who + ": " + parameter + " (" + value + ") must be " + expected);
    }
  }
}
