package dev.cohort.examples;

import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.examples.Notebook.cell;

import dev.cohort.aggregators.AggregationProcess;
import dev.cohort.aggregators.DifferentiallyPrivateFactory;
import dev.cohort.aggregators.EncodedSumFactory;
import dev.cohort.aggregators.MeanFactory;
import dev.cohort.aggregators.NormOrder;
import dev.cohort.aggregators.QuantileEstimation;
import dev.cohort.aggregators.Recommended;
import dev.cohort.aggregators.Robust;
import dev.cohort.aggregators.SecureSumFactory;
import dev.cohort.aggregators.SumFactory;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * TFF's "Tuning recommended aggregations for learning" in Cohort (tff.md §1.3): each recipe of the tutorial built by
 * hand from the factories, next to the recommended builder it reproduces. For each it prints the recipe's
 * {@code next} type signature and whether the hand-built process has the builder's type signature and gives the
 * builder's results and measurements over three rounds of the same client updates. (The notebook prints no numbers.)
 */
public final class TuningRecommendedAggregators implements Tutorial {
  private static final StructType UPDATE = StructType.of(TensorType.of(DType.FLOAT32, 3), FLOAT32);
  private static final List<Object> WEIGHTS = List.of(1f, 2f, 3f, 4f);

  @Override
  public String name() {
    return "tuning-recommended-aggregators";
  }

  @Override
  public boolean readsData() {
    return false;
  }

  @Override
  public String summary() {
    return "Tuning recommended aggregations: each recipe by hand equals its recommended builder (TFF's tutorial)";
  }

  /** Runs the tutorial on standard output. */
  public static void main(String[] args) {
    new TuningRecommendedAggregators().run(System.out, null);
  }

  @Override
  public void run(PrintStream out, Path dataDir) {
    Notebook.inProcessContext(() -> tour(out));
  }

  private static void tour(PrintStream out) {
    cell(out, "median estimator: no_noise(initial_estimate=1.0, target_quantile=0.5, learning_rate=0.2)");
    out.println(QuantileEstimation.noNoise(1.0, 0.5, 0.2).next().typeSignature());

    compare(out, "adaptive zeroing == robust_aggregator(clipping=False)",
        Robust.zeroing(QuantileEstimation.noNoise(10.0, 0.98, Math.log(10), 2.0, 1.0), NormOrder.LINF,
            new MeanFactory()).create(UPDATE, FLOAT32),
        Recommended.robust(true, false).create(UPDATE, FLOAT32), true);
    compare(out, "adaptive clipping == robust_aggregator(zeroing=False)",
        Robust.clipping(QuantileEstimation.noNoise(1.0, 0.8, 0.2), new MeanFactory()).create(UPDATE, FLOAT32),
        Recommended.robust(false, true).create(UPDATE, FLOAT32), true);
    compare(out, "gaussian_adaptive(0.1, 100) == dp_aggregator(0.1, 100, zeroing=False)",
        DifferentiallyPrivateFactory.gaussianAdaptive(0.1, 100, 7L).create(UPDATE),
        Recommended.dp(0.1, 100, false, 7L).create(UPDATE), false);
    compare(out, "MeanFactory(quantize_above_threshold(8, 20000)) == compression_aggregator(zeroing=False,"
            + " clipping=False)",
        new MeanFactory(EncodedSumFactory.quantizeAboveThreshold(8, 20000, 3L), new SumFactory(), false)
            .create(UPDATE, FLOAT32),
        Recommended.compression(false, false, 3L).create(UPDATE, FLOAT32), true);
    compare(out, "MeanFactory(SecureSumFactory(no_noise(50.0, 0.95, 1.0, multiplier=2.0,"
            + " secure_estimation=True))) == secure_aggregator(zeroing=False, clipping=False)",
        new MeanFactory(SecureSumFactory.estimated(QuantileEstimation.noNoise(50.0, 0.95, 1.0, 2.0, 0.0, true)),
            SecureSumFactory.floats(Recommended.MAX_SECURE_WEIGHT, 0.0), false).create(UPDATE, FLOAT32),
        Recommended.secure(false, false).create(UPDATE, FLOAT32), true);
    cell(out, "composition order: zeroing (outermost) -> clipping -> mean");
    out.println(Recommended.robust().create(UPDATE, FLOAT32).measurementsType());
  }

  private static List<Object> updates(int round) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < WEIGHTS.size(); i++) {
      float s = (i + 1) * (round + 1) * 0.7f;
      out.add(List.of(Tensor.vector(s, -2 * s, 0.5f), Tensor.scalar(s * s)));
    }
    return out;
  }

  private static void compare(PrintStream out, String recipe, AggregationProcess byHand,
      AggregationProcess builder, boolean weighted) {
    cell(out, recipe);
    out.println(byHand.next().typeSignature());
    boolean same = byHand.next().typeSignature().equals(builder.next().typeSignature())
        && byHand.initialize().typeSignature().equals(builder.initialize().typeSignature());
    Object a = byHand.initialize().call();
    Object b = builder.initialize().call();
    for (int round = 0; round < 3 && same; round++) {
      Struct x = (Struct) (weighted ? byHand.next().call(a, updates(round), WEIGHTS)
          : byHand.next().call(a, updates(round)));
      Struct y = (Struct) (weighted ? builder.next().call(b, updates(round), WEIGHTS)
          : builder.next().call(b, updates(round)));
      same = server(x, "result").equals(server(y, "result"))
          && server(x, "measurements").equals(server(y, "measurements"));
      a = x.get("state");
      b = y.get("state");
    }
    out.println("same type signature and results as the builder: " + (same ? "True" : "False"));
  }

  private static Object server(Struct output, String name) {
    return ((FederatedValue) output.get(name)).value();
  }
}
