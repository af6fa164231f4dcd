package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.Intrinsics.federatedZip;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT64;

import dev.cohort.core.Computation;
import dev.cohort.core.LocalFamily;
import dev.cohort.core.Value;
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

/**
 * DP-FTRL's noise: TF-Privacy's {@code TreeResidualSumQuery} (optionally with {@code QAdaClipTreeResSumQuery}'s
 * adaptive clip and a {@code RestartQuery}), as a {@link DifferentiallyPrivateFactory.Query}.
 *
 * <p>Step {@code t} (1-based within the current tree) returns {@code x_t + N_t - N_{t-1}}, where {@code N_t} is the
 * tree estimate of the cumulative noise: the sum of the estimates of the nodes of the dyadic decomposition of
 * {@code [1, t]}, one per set bit of {@code t}. The state keeps those estimates ({@code levels}, one per level, zero
 * where the bit is clear). Step {@code t} completes the node at level {@code k = trailing zeros of t}; it draws fresh
 * node noise {@code v_0..v_k} (the right spine of that node, {@code RandomStream.of(seed, NOISE, tree, t, level)}
 * forked per tensor), and the new node's estimate is {@code v_k} (plain tree) or, with Honaker's efficient
 * estimator, {@code e_j = a_j v_j + (1 - a_j)(levels[j-1] + e_{j-1})}, {@code e_0 = v_0},
 * {@code a_j = 1 / (2 - 2^-j)}: the minimum-variance combination, of variance {@code sigma^2 / (2 - 2^-j)}. The
 * residual is {@code e_k - sum_{j<k} levels[j]}; then {@code levels[j<k] = 0}, {@code levels[k] = e_k}.
 *
 * <p>With adaptive clipping the record is {@code <value,below>}: the below count has its own tree, of node standard
 * deviation {@code sigma_b} (clip 1/2, multiplier {@code 2 sigma_b}), whose residual noises the count of the quantile
 * estimate. The estimate moves every round; the clip (and the node noise {@code z_v C}) takes it only when the tree
 * restarts, so that every node of one tree has the same sensitivity.
 */
final class TreeQuery implements DifferentiallyPrivateFactory.Query {
  static final StructType EVENT = StructType.named("noise_multiplier", FLOAT32, "clipped_count_noise_multiplier",
      FLOAT32, "tree", INT64, "tree_step", INT64);

  /** The family of the server step, {@code aggregators.dp.tree}; {@link Tree} is its parameters. */
  private static final String FAMILY = "aggregators.dp.tree";

  private final Struct scalars;
  private final Tree tree;

  /**
   * The shape of a tree mechanism, all its server step needs beyond the query state: the family's parameters
   * {@code <adaptive=bool,efficient=bool,max_steps=int64,restart_period=int32,restart_warmup=int32>}.
   *
   * @param restartPeriod 0 for no restarts
   */
  record Tree(boolean adaptive, boolean efficient, long maxSteps, int restartPeriod, int restartWarmup) {
    private static final List<String> NAMES = List.of("adaptive", "efficient", "max_steps", "restart_period",
        "restart_warmup");

    Tree {
      if (maxSteps < 1 || restartPeriod < 0 || restartWarmup < 0) {
        throw new IllegalArgumentException("expected max_steps >= 1, restart_period >= 0 and restart_warmup >= 0,"
            + " found " + maxSteps + ", " + restartPeriod + " and " + restartWarmup);
      }
    }

    Struct parameters() {
      return Struct.of(NAMES, List.of(Tensor.scalar(adaptive), Tensor.scalar(efficient), Tensor.scalar(maxSteps),
          Tensor.scalar(restartPeriod), Tensor.scalar(restartWarmup)));
    }

    /**
     * The tree of a family member's parameters.
     *
     * @throws IllegalArgumentException if they are not {@link #parameters}' names and dtypes, or out of range
     */
    static Tree of(Struct p) {
      List<DType> dtypes = List.of(DType.BOOL, DType.BOOL, DType.INT64, DType.INT32, DType.INT32);
      boolean ok = p.names().equals(NAMES);
      for (int i = 0; ok && i < NAMES.size(); i++) {
        ok = p.get(i) instanceof Tensor t && t.rank() == 0 && t.dtype() == dtypes.get(i);
      }
      if (!ok) {
        throw new IllegalArgumentException("expected the parameters <adaptive=bool,efficient=bool,max_steps=int64,"
            + "restart_period=int32,restart_warmup=int32>, found " + p);
      }
      return new Tree(((Tensor) p.get(0)).boolValue(), ((Tensor) p.get(1)).boolValue(),
          ((Tensor) p.get(2)).longValue(), ((Tensor) p.get(3)).intValue(), ((Tensor) p.get(4)).intValue());
    }

    /** One server step: the noised result, the query state one step on and the event. */
    Struct step(Struct arg) {
      Struct q = (Struct) arg.get(1);
      long seed = ((Tensor) q.get("noise_seed")).longValue();
      long round = ((Tensor) q.get("round")).longValue() + 1;
      long tree = ((Tensor) q.get("tree")).longValue();
      long t = ((Tensor) q.get("tree_step")).longValue() + 1;
      if (t > maxSteps) {
        throw new IllegalStateException(who() + ": step " + t + " of tree " + tree + " is beyond the " + maxSteps
            + " steps its state holds (maxRounds); restart the tree or build the factory with a larger maxRounds");
      }
      float stddev = DifferentiallyPrivateFactory.scalar(q, "stddev");
      float countStddev = DifferentiallyPrivateFactory.scalar(q, "clipped_count_stddev");
      List<Tensor> sums = Processes.tensors(arg.get(0));
      Struct levels = (Struct) q.get("levels");
      List<List<Tensor>> buffers = new ArrayList<>(levels.size());
      for (Object level : levels.values()) {
        buffers.add(Processes.tensors(level));
      }
      int k = Long.numberOfTrailingZeros(t);
      List<Tensor> noisy = new ArrayList<>(sums.size());
      for (int i = 0; i < sums.size(); i++) {
        float sigma = adaptive && i == sums.size() - 1 ? countStddev : stddev;
        Tensor estimate = null;
        for (int j = 0; j <= k; j++) {
          if (!efficient && j < k) {
            continue;
          }
          Tensor v = RandomStream.of(seed, DifferentiallyPrivateFactory.NOISE, tree, t, j).fork(i)
              .normal(sums.get(i).shape(), 0f, sigma);
          if (estimate == null) {
            estimate = v;
          } else {
            float a = (float) (1 / (2 - Math.pow(2, -j)));
            estimate = v.mul(a).add(buffers.get(j - 1).get(i).add(estimate).mul(1 - a));
          }
        }
        Tensor residual = estimate;
        for (int j = 0; j < k; j++) {
          residual = residual.sub(buffers.get(j).get(i));
          buffers.get(j).set(i, Tensor.zeros(residual.dtype(), residual.shape()));
        }
        buffers.get(k).set(i, estimate);
        noisy.add(sums.get(i).add(residual));
      }
      Tensor denominator = (Tensor) q.get("denominator");
      List<Object> fields = new ArrayList<>(q.values());
      List<String> names = q.names();
      float zv = DifferentiallyPrivateFactory.scalar(q, "noise_multiplier");
      List<Tensor> result = new ArrayList<>();
      for (int i = 0; i < (adaptive ? noisy.size() - 1 : noisy.size()); i++) {
        result.add(noisy.get(i).div(denominator));
      }
      if (adaptive) {
        float expected = DifferentiallyPrivateFactory.scalar(q, "expected_num_records");
        float below = Math.min(1f, Math.max(0f, noisy.get(noisy.size() - 1).floatValue() / expected + 0.5f));
        float lr = DifferentiallyPrivateFactory.scalar(q, "learning_rate");
        float target = DifferentiallyPrivateFactory.scalar(q, "target_unclipped_quantile");
        float estimate = DifferentiallyPrivateFactory.scalar(q, "estimate");
        fields.set(names.indexOf("estimate"), Tensor.scalar(estimate * (float) Math.exp(-(lr * (below - target)))));
      }
      boolean restart = restartPeriod > 0 && ((restartWarmup > 0 && round == restartWarmup)
          || (round > restartWarmup && (round - restartWarmup) % restartPeriod == 0));
      List<Object> newLevels = new ArrayList<>(buffers.size());
      Object recordTemplate = levels.get(0);
      for (List<Tensor> b : buffers) {
        newLevels.add(restart ? Processes.mapTensors(recordTemplate, x -> Tensor.zeros(x.dtype(), x.shape()))
            : DifferentiallyPrivateFactory.replaced(recordTemplate, b));
      }
      fields.set(names.indexOf("levels"), Struct.of(levels.names(), newLevels));
      fields.set(names.indexOf("round"), Tensor.scalar(round));
      fields.set(names.indexOf("tree"), Tensor.scalar(restart ? tree + 1 : tree));
      fields.set(names.indexOf("tree_step"), Tensor.scalar(restart ? 0L : t));
      if (restart && adaptive) {
        float clip = Math.max(0f, ((Tensor) fields.get(names.indexOf("estimate"))).floatValue());
        fields.set(names.indexOf("l2_norm_clip"), Tensor.scalar(clip));
        fields.set(names.indexOf("stddev"), Tensor.scalar(clip * zv));
      }
      Object value = adaptive ? ((Struct) arg.get(0)).get(0) : arg.get(0);
      Struct event = Struct.of(EVENT.names(), List.of(Tensor.scalar(zv), Tensor.scalar(countStddev / 0.5f),
          Tensor.scalar(tree), Tensor.scalar(t)));
      return Struct.of(List.of("result", "query", "dp_event"), List.of(DifferentiallyPrivateFactory.replaced(value,
          result), Struct.of(names, fields), event));
    }

    String who() {
      return adaptive ? "DifferentiallyPrivateFactory.treeAdaptive" : "DifferentiallyPrivateFactory.treeAggregation";
    }
  }

  /**
   * @param scalars the scalar fields of the initial query state, in {@link #scalarFields} order
   */
  TreeQuery(Struct scalars, Tree tree) {
    this.scalars = scalars;
    this.tree = tree;
  }

  /** Defines the family {@code aggregators.dp.tree}. */
  static LocalFamily defineLocalFamily() {
    return STEP.define();
  }

  /** The family {@code aggregators.dp.tree}: any float value type, the parameters of a {@link Tree}. */
  private static final Processes.Family STEP = new Processes.Family(FAMILY, (type, parameters) -> {
    Tree tree = Tree.of(parameters);
    Type valueType = Processes.part(type.result(), 0);
    Processes.requireFloats(FAMILY, valueType);
    Type record = tree.adaptive() ? StructType.named("value", valueType, "below", FLOAT32) : valueType;
    return DifferentiallyPrivateFactory.noisedType(valueType, record, queryType(record, tree.maxSteps()), EVENT);
  }, (type, parameters) -> {
    Tree tree = Tree.of(parameters);
    return arg -> tree.step((Struct) arg);
  });

  /** The query state's type: {@link #scalarFields} and {@code levels=<level_0=R,...>}. */
  private static StructType queryType(Type recordType, long maxSteps) {
    List<StructType.Field> levels = new ArrayList<>();
    for (int l = 0; l < levels(maxSteps); l++) {
      levels.add(new StructType.Field("level_" + l, recordType));
    }
    List<StructType.Field> fields = new ArrayList<>(scalarFields().fields());
    fields.add(new StructType.Field("levels", StructType.of(levels.toArray(new StructType.Field[0]))));
    return StructType.of(fields.toArray(new StructType.Field[0]));
  }


  /** The scalar fields of the query state (the levels follow). */
  static StructType scalarFields() {
    return StructType.named("l2_norm_clip", FLOAT32, "stddev", FLOAT32, "noise_multiplier", FLOAT32,
        "denominator", FLOAT32, "noise_seed", INT64, "round", INT64, "tree", INT64, "tree_step", INT64,
        "estimate", FLOAT32, "target_unclipped_quantile", FLOAT32, "learning_rate", FLOAT32,
        "clipped_count_stddev", FLOAT32, "expected_num_records", FLOAT32);
  }

  /** The number of levels a tree of {@code steps} steps needs: {@code floor(log2 steps) + 1}. */
  static int levels(long steps) {
    return 64 - Long.numberOfLeadingZeros(steps);
  }

  @Override
  public Struct initialState(Type valueType) {
    Type record = recordType(valueType);
    List<String> names = new ArrayList<>(scalars.names());
    List<Object> values = new ArrayList<>(scalars.values());
    List<String> levelNames = new ArrayList<>();
    List<Object> levelValues = new ArrayList<>();
    for (int l = 0; l < levels(tree.maxSteps()); l++) {
      levelNames.add("level_" + l);
      levelValues.add(zeros(record));
    }
    names.add("levels");
    values.add(Struct.of(levelNames, levelValues));
    return Struct.of(names, values);
  }

  private static Object zeros(Type type) {
    if (type instanceof TensorType t) {
      return Tensor.zeros(t.dtype(), t.toShape());
    }
    StructType s = (StructType) type;
    List<Object> out = new ArrayList<>(s.size());
    for (int i = 0; i < s.size(); i++) {
      out.add(zeros(s.type(i)));
    }
    return Struct.of(s.names(), out);
  }

  @Override
  public Struct initialEvent() {
    return Struct.of(EVENT.names(), List.of(Tensor.scalar(0f), Tensor.scalar(0f), Tensor.scalar(0L),
        Tensor.scalar(0L)));
  }

  @Override
  public Type recordType(Type valueType) {
    return tree.adaptive() ? StructType.named("value", valueType, "below", FLOAT32) : valueType;
  }

  @Override
  public Value records(Value value, Value clip, Type valueType) {
    return tree.adaptive() ? DifferentiallyPrivateFactory.adaptiveRecords(value, clip, valueType)
        : DifferentiallyPrivateFactory.clippedValues(value, clip, valueType);
  }

  @Override
  public Computation noised(Type valueType, Type recordType, StructType queryType) {
    return defineLocalFamily().at(DifferentiallyPrivateFactory.noisedType(valueType, recordType, queryType, EVENT),
        tree.parameters());
  }

  @Override
  public Value metrics(Value newQuery) {
    if (!tree.adaptive()) {
      return federatedValue(Struct.empty(), Placement.SERVER);
    }
    return federatedZip(Processes.named("current_clip", newQuery.get("l2_norm_clip"),
        "estimate_clip", newQuery.get("estimate")));
  }
}
