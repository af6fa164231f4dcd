package dev.cohort.examples;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.examples.Notebook.cell;

import dev.cohort.aggregators.AggregationProcess;
import dev.cohort.aggregators.MeanFactory;
import dev.cohort.core.Computation;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.Nest;
import dev.cohort.learning.models.BatchOutput;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.models.ModelWorker;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.ClientWorkProcess;
import dev.cohort.learning.templates.DistributionProcess;
import dev.cohort.learning.templates.FinalizerProcess;
import dev.cohort.learning.templates.LearningProcess;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.Dataset;
import dev.cohort.simulation.datasets.LeafJson;
import dev.cohort.tensor.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TFF's "Composing Learning Algorithms" in Cohort (tff.md §1.7): a FedAvg variant whose clients clip their gradients,
 * built from the learning templates. The custom part is the client work: per batch, a gradient whose global L2 norm
 * exceeds 1 is divided by its norm before the client optimizer (SGD 0.01) applies it; the client sends
 * {@code update = initial − trained} weighted by its number of examples. It is composed with the stock parts: the
 * broadcast distributor, {@code MeanFactory}'s weighted mean and the finalizer applying server SGD at learning rate 1.
 * The data and model are those of {@link BuildingYourOwnAlgorithm}; one round is run, and the model is evaluated
 * centrally before and after it.
 *
 * <p>TFF's notebook has its client work send {@code trained − initial}, the opposite of its own
 * {@code build_model_delta_client_work} and of what the stock finalizer expects (it subtracts the update); this
 * follows the stock convention, so the finalizer moves the model towards the clients'.
 */
public final class ComposingLearningAlgorithms implements Tutorial {
  static final double CLIENT_LEARNING_RATE = 0.01;
  static final double SERVER_LEARNING_RATE = 1.0;
  static final float CLIP_NORM = 1f;

  @Override
  public String name() {
    return "composing-learning-algorithms";
  }

  @Override
  public String summary() {
    return "FedAvg with client gradient clipping composed from a custom client work and the stock distributor,"
        + " aggregator and finalizer (TFF's composing learning algorithms; --data DIR)";
  }

  @Override
  public boolean readsData() {
    return true;
  }

  /** Runs the tutorial on standard output; the optional argument is the data directory. */
  public static void main(String[] args) {
    new ComposingLearningAlgorithms().run(System.out, args.length > 0 ? Path.of(args[0]) : null);
  }

  /**
   * The notebook's {@code build_gradient_clipping_client_work}: state {@code <>}, measurements {@code <>}, each
   * client training with {@code optimizer} on gradients clipped to global norm 1.
   */
  static ClientWorkProcess gradientClippingClientWork(FunctionalModel model, Optimizer optimizer,
      SequenceType datasetType) {
    ModelWeights initial = model.initialWeights();
    StructType weightsType = initial.type();
    StructType resultType = StructType.named("update", initial.trainableType(), "update_weight", TensorType.FLOAT32);
    ThreadLocal<ModelWorker> workers = ThreadLocal.withInitial(model::newWorker);
    Computation clientUpdate = Computation.local("tutorial.composing.client_update",
        StructType.named("weights", weightsType, "dataset", datasetType), resultType, arg -> {
          Struct a = (Struct) arg;
          return clippedUpdate(workers.get(), optimizer, ModelWeights.fromValue(a.get(0)), (Sequence) a.get(1));
        });
    Computation initialize = Computation.federated("initialize_fn",
        () -> federatedValue(Struct.empty(), Placement.SERVER));
    Computation next = Computation.federated("next_fn", "state", FederatedType.atServer(StructType.EMPTY),
        "weights", FederatedType.atClients(weightsType), "client_data", FederatedType.atClients(datasetType),
        (state, weights, clientData) -> {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("state", state);
          out.put("result", federatedMap(clientUpdate, List.of(weights, clientData)));
          out.put("measurements", federatedValue(Struct.empty(), Placement.SERVER));
          return out;
        });
    return new ClientWorkProcess(initialize, next);
  }

  /** One client's training with clipped gradients: {@code <update=initial − trained,update_weight=examples>}. */
  static Struct clippedUpdate(ModelWorker worker, Optimizer optimizer, ModelWeights initial, Sequence dataset) {
    worker.setWeights(initial);
    Struct state = optimizer.initialize(initial.trainableType());
    Struct trainable = initial.trainable();
    long examples = 0;
    for (Object element : dataset) {
      Struct batch = (Struct) element;
      BatchOutput output = worker.lossAndGradients(Struct.named("x", batch.get(0), "y", batch.get(1)), null);
      Object gradients = worker.gradients();
      float norm = globalNorm(gradients);
      if (norm > CLIP_NORM) {
        gradients = Nest.map(gradients, g -> g.mul(1f / norm));
      }
      Optimizer.Step step = optimizer.next(state, trainable, gradients);
      state = step.state();
      trainable = (Struct) step.weights();
      worker.setWeights(new ModelWeights(trainable, initial.nonTrainable()));
      examples += output.numExamples();
    }
    return Struct.named("update", Nest.subtract(initial.trainable(), trainable), "update_weight",
        Tensor.scalar((float) examples));
  }

  /** {@code tf.linalg.global_norm}: the L2 norm of all the tensors' elements together. */
  static float globalNorm(Object tensors) {
    float sumOfSquares = 0;
    for (Tensor t : Nest.flatten(tensors)) {
      sumOfSquares += t.square().sum().floatValue();
    }
    return (float) Math.sqrt(sumOfSquares);
  }

  /** The notebook's {@code fed_avg_with_clipping}: the custom client work between the stock parts. */
  static LearningProcess fedAvgWithClipping(FunctionalModel model) {
    ModelWeights initial = model.initialWeights();
    StructType modelWeightsType = initial.type();
    DistributionProcess distributor = DistributionProcess.broadcast(modelWeightsType);
    ClientWorkProcess clientWork = gradientClippingClientWork(model, Optimizer.sgdm(CLIENT_LEARNING_RATE),
        SequenceType.of(BuildingYourOwnAlgorithm.BATCH_TYPE));
    AggregationProcess aggregator = new MeanFactory().create(initial.trainableType(), TensorType.FLOAT32);
    FinalizerProcess finalizer = FinalizerProcess.applyOptimizer(Optimizer.sgdm(SERVER_LEARNING_RATE),
        modelWeightsType);
    return LearningProcess.composeLearningProcess(initial, distributor, clientWork, aggregator, finalizer);
  }

  @Override
  public void run(PrintStream out, Path dataDir) {
    ClientData.Split femnist = LeafJson.femnist(FemnistSample.locate(name(), dataDir));
    Notebook.inProcessContext(() -> tour(out, femnist));
  }

  private static void tour(PrintStream out, ClientData.Split femnist) {
    List<String> ids = femnist.train().clientIds().subList(0, BuildingYourOwnAlgorithm.NUM_CLIENTS);
    FederatedValue federatedTrainData = FederatedValue.atClients(ids.size(),
        i -> BuildingYourOwnAlgorithm.preprocess(femnist.train().dataset(ids.get(i))));
    Dataset centralTest = BuildingYourOwnAlgorithm.preprocess(femnist.test().datasetFromAllClients());
    FunctionalModel model = BuildingYourOwnAlgorithm.model();
    LearningProcess fedAvgWithClipping = fedAvgWithClipping(model);
    ModelWorker evaluator = model.newWorker();

    cell(out, "str(fed_avg_with_clipping.next.type_signature)");
    out.println("'" + fedAvgWithClipping.next().typeSignature() + "'");
    Struct state = (Struct) ((FederatedValue) fedAvgWithClipping.initialize().call()).value();
    cell(out, "state.client_work");
    out.println(state.get("client_work"));
    cell(out, "state.finalizer");
    out.println(state.get("finalizer"));
    cell(out, "evaluate(fed_avg_with_clipping.get_model_weights(state))  # before training");
    out.println(evaluate(fedAvgWithClipping, evaluator, state, centralTest));

    cell(out, "learning_process_output = fed_avg_with_clipping.next(state, federated_train_data)");
    Struct output = (Struct) fedAvgWithClipping.next().call(FederatedValue.atServer(state), federatedTrainData);
    state = (Struct) ((FederatedValue) output.get("state")).value();
    cell(out, "state.finalizer");
    out.println(state.get("finalizer"));
    cell(out, "learning_process_output.metrics");
    out.println(((FederatedValue) output.get("metrics")).value());
    cell(out, "evaluate(fed_avg_with_clipping.get_model_weights(state))  # after one round");
    out.println(evaluate(fedAvgWithClipping, evaluator, state, centralTest));
  }

  private static String evaluate(LearningProcess process, ModelWorker evaluator, Struct state, Dataset test) {
    Object weights = process.getModelWeights().call(state);
    return BuildingYourOwnAlgorithm.evaluate(evaluator, FederatedValue.atServer(
        weights instanceof FederatedValue f ? f.value() : weights), test);
  }
}
