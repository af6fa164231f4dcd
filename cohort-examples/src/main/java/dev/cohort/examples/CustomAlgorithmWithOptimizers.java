package dev.cohort.examples;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedMean;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.examples.Notebook.cell;

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
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.Loss;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.models.ModelWorker;
import dev.cohort.learning.models.SequentialModel;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.nn.Models;
import dev.cohort.privacy.Numbers;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.Dataset;
import dev.cohort.simulation.datasets.LeafJson;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * TFF's "Custom Federated Algorithm with TFF Optimizers" in Cohort (tff.md §1.8): FedAvg of the FedAvg paper's CNN
 * ({@code Models.emnistCnn}, 10 digit classes, logits) written from Federated Core primitives with Cohort optimizers
 * at both ends: each client trains the broadcast weights with SGD at learning rate 0.01 over its batches and sends
 * {@code trained − server}; the server averages the deltas ({@code federated_mean}, unweighted) and applies their
 * negation as the gradient of SGD with momentum (learning rate 0.05, momentum 0.9), whose state is part of the server
 * state. The clients are the first 2 writers of the FEMNIST LEAF sample in sorted id order, their digits batched by
 * 16 as {@code <float32[?,28,28,1],int32[?]>}; 20 rounds; the "central test" is, as in the notebook, client 0's
 * training data.
 *
 * <p>The data is LEAF's 5% FEMNIST sample and the initial weights are Cohort's Glorot-uniform draw, so the accuracies
 * differ from the notebook's; the types are TFF's.
 */
public final class CustomAlgorithmWithOptimizers implements Tutorial {
  static final int NUM_CLIENTS = 2;
  static final int BATCH_SIZE = 16;
  static final int ROUNDS = 20;
  static final long SEED = 0;
  static final Optimizer CLIENT_OPTIMIZER = Optimizer.sgdm(0.01);
  static final Optimizer SERVER_OPTIMIZER = Optimizer.sgdm(0.05, 0.9);
  /** The notebook's batches: {@code (x, y)} tuples of images with a channel axis and their labels. */
  static final StructType BATCH_TYPE = StructType.of(TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, 28, 28, 1),
      TensorType.of(DType.INT32, TensorType.UNKNOWN));

  @Override
  public String name() {
    return "custom-algorithm-with-optimizers";
  }

  @Override
  public String summary() {
    return "FedAvg of TFF's CNN with client SGD and server SGD with momentum, from Federated Core primitives"
        + " (TFF's custom federated algorithm with TFF optimizers; --data DIR)";
  }

  @Override
  public boolean readsData() {
    return true;
  }

  /** Runs the tutorial on standard output; the optional argument is the data directory. */
  public static void main(String[] args) {
    new CustomAlgorithmWithOptimizers().run(System.out, args.length > 0 ? Path.of(args[0]) : null);
  }

  /** The FedAvg paper's CNN for the 10 digits, trained on the cross-entropy of its logits. */
  static FunctionalModel model() {
    return SequentialModel.of("tutorial.custom_algorithm_with_optimizers.cnn",
        StructType.named("x", BATCH_TYPE.type(0), "y", BATCH_TYPE.type(1)), () -> Models.emnistCnn(true, SEED),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY_FROM_LOGITS);
  }

  /** A client's digits batched by 16 as {@code (x=float32[?,28,28,1], y=int32[?])} tuples. */
  static Dataset preprocess(Dataset examples) {
    return FemnistSample.digits(examples).batch(BATCH_SIZE).map(BATCH_TYPE, b -> {
      Struct batch = (Struct) b;
      Tensor labels = (Tensor) batch.get("label");
      int n = labels.shape().dim(0);
      return Struct.of(((Tensor) batch.get("pixels")).reshape(n, 28, 28, 1), labels);
    });
  }

  /**
   * The algorithm's {@code initialize} and {@code next}.
   *
   * @param initialize {@code ( -> S@SERVER)}, {@code S = <trainable_weights=T,optimizer_state=O>}
   * @param next {@code (<server_state=S@SERVER,federated_dataset={B*}@CLIENTS> -> S@SERVER)}
   */
  record Algorithm(Computation initialize, Computation next) {}

  /** Builds the notebook's {@code initialize_fn} and {@code next_fn}. */
  static Algorithm build(FunctionalModel model, Optimizer clientOptimizer, Optimizer serverOptimizer) {
    ModelWeights initial = model.initialWeights();
    StructType trainableType = initial.trainableType();
    Struct initialState = Struct.named("trainable_weights", initial.trainable(), "optimizer_state",
        serverOptimizer.initialize(trainableType));
    StructType serverStateType = (StructType) Nest.typeOf(initialState);
    SequenceType datasetType = SequenceType.of(BATCH_TYPE);
    Computation initialize = Computation.federated("initialize_fn",
        () -> federatedValue(initialState, Placement.SERVER));

    // Each worker thread trains with its own instance of the model, reused from client to client.
    ThreadLocal<ModelWorker> workers = ThreadLocal.withInitial(model::newWorker);
    Computation clientUpdate = Computation.local("tutorial.custom_algorithm_with_optimizers.client_update",
        StructType.named("tf_dataset", datasetType, "server_weights", trainableType), trainableType, arg -> {
          Struct a = (Struct) arg;
          return clientDelta(workers.get(), clientOptimizer, (Sequence) a.get(0),
              new ModelWeights((Struct) a.get(1), initial.nonTrainable()));
        });
    Computation serverUpdate = Computation.local("tutorial.custom_algorithm_with_optimizers.server_update",
        StructType.named("server_state", serverStateType, "mean_delta", trainableType), serverStateType, arg -> {
          Struct a = (Struct) arg;
          Struct state = (Struct) a.get(0);
          Object gradient = Nest.map(a.get(1), Tensor::neg);
          Optimizer.Step step = serverOptimizer.next((Struct) state.get(1), state.get(0), gradient);
          return Struct.named("trainable_weights", step.weights(), "optimizer_state", step.state());
        });
    Computation next = Computation.federated("next_fn", "server_state", FederatedType.atServer(serverStateType),
        "federated_dataset", FederatedType.atClients(datasetType), (serverState, federatedDataset) -> {
          var serverWeightsAtClient = federatedBroadcast(serverState.get("trainable_weights"));
          var clientDeltas = federatedMap(clientUpdate, List.of(federatedDataset, serverWeightsAtClient));
          var meanDelta = federatedMean(clientDeltas);
          return federatedMap(serverUpdate, List.of(serverState, meanDelta));
        });
    return new Algorithm(initialize, next);
  }

  /** The notebook's {@code client_update}: the client optimizer over the batches; returns trained − server. */
  static Struct clientDelta(ModelWorker worker, Optimizer optimizer, Sequence dataset, ModelWeights server) {
    ModelWeights trained = BuildingYourOwnAlgorithm.clientUpdate(worker, optimizer, dataset, server);
    return (Struct) Nest.subtract(trained.trainable(), server.trainable());
  }

  @Override
  public void run(PrintStream out, Path dataDir) {
    ClientData.Split femnist = LeafJson.femnist(FemnistSample.locate(name(), dataDir));
    Notebook.inProcessContext(() -> tour(out, femnist));
  }

  private static void tour(PrintStream out, ClientData.Split femnist) {
    List<String> ids = femnist.train().clientIds().subList(0, NUM_CLIENTS);
    FederatedValue federatedTrainData = FederatedValue.atClients(ids.size(),
        i -> preprocess(femnist.train().dataset(ids.get(i))));
    Dataset centralTest = preprocess(femnist.train().dataset(ids.get(0)));
    FunctionalModel model = model();
    Algorithm fedAvg = build(model, CLIENT_OPTIMIZER, SERVER_OPTIMIZER);

    cell(out, "str(server_state_type)");
    out.println(((FederatedType) fedAvg.initialize().typeSignature().result()).member());
    cell(out, "str(tf_dataset_type)");
    out.println(SequenceType.of(BATCH_TYPE));
    cell(out, "str(run_one_round.type_signature)");
    out.println(fedAvg.next().typeSignature());

    ModelWorker evaluator = model.newWorker();
    Object serverState = fedAvg.initialize().call();
    cell(out, "evaluate(server_state)");
    out.println("Initial test accuracy " + accuracy(evaluator, model, serverState, centralTest));
    for (int round = 0; round < ROUNDS; round++) {
      serverState = fedAvg.next().call(serverState, federatedTrainData);
    }
    cell(out, "evaluate(server_state)  # after " + ROUNDS + " rounds");
    out.println("Test accuracy " + accuracy(evaluator, model, serverState, centralTest));
  }

  /** The accuracy of the server's model on {@code test}, a float32 as Keras prints it. */
  static String accuracy(ModelWorker worker, FunctionalModel model, Object serverState, Dataset test) {
    Struct state = (Struct) ((FederatedValue) serverState).value();
    worker.setWeights(new ModelWeights((Struct) state.get("trainable_weights"), model.initialWeights().nonTrainable()));
    BuildingYourOwnAlgorithm.Evaluation e = BuildingYourOwnAlgorithm.Evaluation.of(worker, test);
    return Numbers.float32((float) e.correct() / e.examples());
  }
}
