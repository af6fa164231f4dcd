package dev.cohort.learning.algorithms;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;

import dev.cohort.aggregators.AggregationProcess;
import dev.cohort.aggregators.UnweightedReservoirSamplingFactory;
import dev.cohort.core.Computation;
import dev.cohort.core.LocalFamily;
import dev.cohort.core.Value;
import dev.cohort.core.ast.LocalFactory;
import dev.cohort.core.ast.LocalFunction;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.Nest;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.Metric;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.models.ModelWorker;
import dev.cohort.learning.optimizers.Optimizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Personalization evaluation: TFF's {@code build_personalization_eval_computation}. The server's model weights are
 * broadcast; every client evaluates them on its test split (the baseline), then, for each personalization strategy,
 * starts again from the broadcast weights, fine-tunes on its train split and reports the strategy's metrics on its
 * test split. The per-client results of at most {@code maxNumClients} clients, sampled uniformly without replacement
 * (cohort-aggregators' {@link UnweightedReservoirSamplingFactory}, as TFF samples), come back to the server, each
 * metric as a list with one row per sampled client; rows at the same position come from the same client.
 *
 * <pre>
 * (&lt;model_weights=W@SERVER,client_data={&lt;train_data=B*,test_data=B*&gt;}@CLIENTS&gt;
 *     -&gt; &lt;baseline_metrics=&lt;m=T[?],...&gt;,strategy=&lt;...[?]&gt;,...&gt;@SERVER)
 * </pre>
 *
 * <pre>{@code
 * Computation p13n = PersonalizationEval.build("emnist.p13n", model, List.of(
 *     PersonalizationEval.fineTune("sgd", model, Optimizer.sgdm(0.02), 2),
 *     PersonalizationEval.fineTune("adam", model, Optimizer.adam(0.001), 2)), 100, seed);
 * Struct metrics = (Struct) ((FederatedValue) p13n.call(weights, clients)).value();
 * // <baseline_metrics=<sparse_categorical_accuracy=[...],loss=[...],num_examples=[...],num_batches=[...]>,
 * //  sgd=<epoch_1=<...>,epoch_2=<...>>,adam=<...>>
 * }</pre>
 *
 * <p>The baseline is the model's own metrics (finalized) after inference-mode forward passes over the test split,
 * where TFF takes a user's {@code baseline_evaluate_fn}. A client's splits are batched sequences of the model's input
 * spec (TFF passes unbatched datasets and leaves batching to each function; in Cohort batching belongs to the data
 * pipeline, e.g. simulation's {@code Dataset}). The client computation is the local family
 * {@code learning.personalization_eval.<name>}, bound to the model and the strategies: a JVM that loads a serialized
 * personalization computation builds the same one (with the same name, model and strategies) first. The sample is
 * keyed by {@code seed}; a computation samples the same clients for the same client order every time it is called.
 */
public final class PersonalizationEval {
  private PersonalizationEval() {}

  /** The key of the broadcast model's metrics in the result, reserved (TFF's {@code baseline_metrics}). */
  public static final String BASELINE = "baseline_metrics";

  /**
   * A personalization function: fine-tunes {@code worker}, which holds the broadcast model's weights, on a client's
   * train batches and returns metrics of the fine-tuned model on its test batches, of the strategy's metrics type.
   * It runs on the client's worker thread; it must not keep the worker or the sequences.
   */
  @FunctionalInterface
  public interface PersonalizeFn {
    /** The strategy's metrics for one client. */
    Struct personalize(ModelWorker worker, Sequence trainData, Sequence testData);
  }

  /**
   * A named personalization strategy.
   *
   * @param name the key of its metrics in the result (an identifier, not {@link #BASELINE})
   * @param metricsType the type of the metrics {@code fn} returns: a struct of numeric tensors of known shapes
   * @param fn the fine-tuning and evaluation
   */
  public record Strategy(String name, StructType metricsType, PersonalizeFn fn) {
    /** Checks the name and that the parts are present. */
    public Strategy {
      if (name == null || !StructType.isIdentifier(name) || name.equals(BASELINE)) {
        throw new IllegalArgumentException("strategy name '" + name + "' must be an identifier other than '"
            + BASELINE + "'");
      }
      Objects.requireNonNull(metricsType, "metricsType");
      Objects.requireNonNull(fn, "fn");
      Nest.zeros(metricsType);
    }
  }

  /**
   * The stock strategy of TFF's personalization tutorial: {@code epochs} passes of {@code optimizer} (its state
   * started fresh for each client) over the train batches, and after each pass the model's finalized metrics on the
   * test batches (inference mode): metrics {@code <epoch_1=M,...,epoch_<epochs>=M>}.
   *
   * @throws IllegalArgumentException if {@code epochs < 1} or the name is not allowed
   */
  public static Strategy fineTune(String name, FunctionalModel model, Optimizer optimizer, int epochs) {
    Objects.requireNonNull(optimizer, "optimizer");
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs (" + epochs + ") must be >= 1");
    }
    List<Metric> metrics = model.metrics();
    StructType finalized = finalizedType(metrics);
    List<StructType.Field> fields = new ArrayList<>();
    for (int e = 1; e <= epochs; e++) {
      fields.add(new StructType.Field("epoch_" + e, finalized));
    }
    StructType trainableType = model.initialWeights().trainableType();
    return new Strategy(name, new StructType(fields), (worker, train, test) -> {
      ModelWeights start = worker.weights();
      Struct state = optimizer.initialize(trainableType);
      Struct trainable = start.trainable();
      List<Object> perEpoch = new ArrayList<>();
      for (int e = 0; e < epochs; e++) {
        for (Object element : train) {
          worker.lossAndGradients((Struct) element, null);
          Optimizer.Step step = optimizer.next(state, trainable, worker.gradients());
          state = step.state();
          trainable = (Struct) step.weights();
          worker.setWeights(new ModelWeights(trainable, start.nonTrainable()));
        }
        perEpoch.add(Metric.finalizeAll(metrics, Metric.evaluate(metrics, worker, test)));
      }
      List<String> names = new ArrayList<>();
      for (StructType.Field f : fields) {
        names.add(f.name());
      }
      return Struct.of(names, perEpoch);
    });
  }

  /**
   * The personalization evaluation of {@code model} with {@code strategies} under the stable {@code name} (dotted
   * identifiers), collecting the results of at most {@code maxNumClients} clients sampled with {@code seed}.
   *
   * @throws IllegalArgumentException if {@code maxNumClients < 1}, there are no strategies, two share a name, the name
   *     is not dotted identifiers, or the model's metrics are not numeric tensors
   * @throws IllegalStateException if {@code name} names another personalization computation in this JVM
   */
  public static Computation build(String name, FunctionalModel model, List<Strategy> strategies, int maxNumClients,
      long seed) {
    if (maxNumClients < 1) {
      throw new IllegalArgumentException("max_num_clients (" + maxNumClients + ") must be >= 1");
    }
    if (name == null || !Arrays.stream(name.split("\\.", -1)).allMatch(StructType::isIdentifier)) {
      throw new IllegalArgumentException("personalization name '" + name + "' must be dotted identifiers");
    }
    if (strategies.isEmpty()) {
      throw new IllegalArgumentException("personalization evaluation needs at least one strategy");
    }
    Set<String> names = new HashSet<>();
    for (Strategy s : strategies) {
      if (!names.add(s.name())) {
        throw new IllegalArgumentException("two strategies are named '" + s.name() + "'");
      }
    }
    ClientFamily family = new ClientFamily(model, List.copyOf(strategies));
    Computation client = LocalFamily.define("learning.personalization_eval." + name, family).at(family.type());
    AggregationProcess sample = new UnweightedReservoirSamplingFactory(maxNumClients, seed).create(
        family.type().result());
    StructType weightsType = model.initialWeights().type();
    return Computation.federated("personalization_eval", "model_weights", FederatedType.atServer(weightsType),
        "client_data", FederatedType.atClients(family.clientDataType()), (weights, data) -> {
          Value results = federatedMap(client, List.of(federatedBroadcast(weights), data));
          return sample.next().apply(sample.initialize().apply(), results).get("result");
        });
  }

  private static StructType finalizedType(List<Metric> metrics) {
    List<StructType.Field> fields = new ArrayList<>();
    for (Metric m : metrics) {
      fields.add(new StructType.Field(m.name(), m.resultType()));
    }
    return new StructType(fields);
  }

  /**
   * The client computation's factory, {@code (<W,<train_data=B*,test_data=B*>> -> <baseline_metrics=M,s=T,...>)}:
   * equal to another for the same model (name, input spec, weights type) and strategies (names and types), so building
   * the same computation again defines nothing new.
   */
  private static final class ClientFamily implements LocalFactory {
    private final FunctionalModel model;
    private final List<Strategy> strategies;
    private final List<Object> identity;
    private final FunctionType type;
    private final StructType clientDataType;

    ClientFamily(FunctionalModel model, List<Strategy> strategies) {
      this.model = model;
      this.strategies = strategies;
      List<Object> id = new ArrayList<>(List.of(model.name(), model.inputSpec(), model.initialWeights().type()));
      List<StructType.Field> fields = new ArrayList<>();
      fields.add(new StructType.Field(BASELINE, finalizedType(model.metrics())));
      for (Strategy s : strategies) {
        fields.add(new StructType.Field(s.name(), s.metricsType()));
        id.add(s.name());
        id.add(s.metricsType());
      }
      this.identity = List.copyOf(id);
      SequenceType batches = SequenceType.of(model.inputSpec());
      this.clientDataType = StructType.named("train_data", batches, "test_data", batches);
      this.type = new FunctionType(StructType.named("model_weights", model.initialWeights().type(), "client_data",
          clientDataType), new StructType(fields));
    }

    FunctionType type() {
      return type;
    }

    StructType clientDataType() {
      return clientDataType;
    }

    @Override
    public LocalFunction create(FunctionType requested, Struct parameters) {
      if (parameters.size() != 0) {
        throw new IllegalArgumentException("takes no parameters, found " + parameters);
      }
      if (!type.equals(requested)) {
        throw new TypeMismatchException("expected " + type + " for model '" + model.name() + "'", type, requested);
      }
      ThreadLocal<ModelWorker> workers = ThreadLocal.withInitial(model::newWorker);
      List<Metric> metrics = model.metrics();
      StructType result = (StructType) type.result();
      List<String> names = new ArrayList<>();
      for (StructType.Field f : result.fields()) {
        names.add(f.name());
      }
      List<Object> templates = new ArrayList<>();
      for (Strategy s : strategies) {
        templates.add(Nest.zeros(s.metricsType()));
      }
      return arg -> {
        Struct a = (Struct) arg;
        ModelWeights initial = ModelWeights.fromValue(a.get(0));
        Struct splits = (Struct) a.get(1);
        Sequence train = (Sequence) splits.get(0);
        Sequence test = (Sequence) splits.get(1);
        ModelWorker worker = workers.get();
        worker.setWeights(initial);
        List<Object> values = new ArrayList<>();
        values.add(Metric.finalizeAll(metrics, Metric.evaluate(metrics, worker, test)));
        for (int i = 0; i < strategies.size(); i++) {
          Strategy s = strategies.get(i);
          worker.setWeights(initial);
          Struct out = s.fn().personalize(worker, train, test);
          Nest.checkSameStructure("strategy '" + s.name() + "': its metrics type", templates.get(i),
              "what it returned", out);
          values.add(out);
        }
        return Struct.of(names, values);
      };
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ClientFamily f && f.identity.equals(identity);
    }

    @Override
    public int hashCode() {
      return identity.hashCode();
    }

    @Override
    public String toString() {
      return "the personalization evaluation of model '" + model.name() + "' " + identity.subList(3,
          identity.size());
    }
  }
}
