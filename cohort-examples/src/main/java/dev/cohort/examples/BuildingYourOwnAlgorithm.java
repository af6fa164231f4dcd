package dev.cohort.examples;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedEval;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedMean;
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
import dev.cohort.learning.models.BatchOutput;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.Loss;
import dev.cohort.learning.models.Metric;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.models.ModelWorker;
import dev.cohort.learning.models.SequentialModel;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.nn.Activation;
import dev.cohort.nn.Initializer;
import dev.cohort.nn.Layers;
import dev.cohort.nn.Sequential;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.Dataset;
import dev.cohort.simulation.datasets.LeafJson;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * TFF's "Building Your Own Federated Learning Algorithm" in Cohort (tff.md §1.6): Federated Averaging written from
 * Federated Core primitives. {@code initialize} is {@code federated_eval} of a server-side initializer; {@code next}
 * broadcasts the server's weights, maps a client update (local SGD at learning rate 0.01 over every batch of the
 * client's data, returning the trained weights) over the clients, averages the client weights with
 * {@code federated_mean} and maps a server update (which adopts the mean) at the server. The model is
 * {@code Dense(10)} with a Glorot-normal kernel (seed 0) and a softmax; the clients are the digits of the first 10
 * writers of the FEMNIST LEAF sample in sorted id order, batched by 20 and flattened to
 * {@code <float32[?,784],int32[?,1]>}, neither shuffled nor repeated; 15 rounds. The model is evaluated centrally
 * on the digits of every writer's test data before and after training.
 *
 * <p>The data is LEAF's 5% FEMNIST sample, not TFF's federated EMNIST, and Cohort draws its Glorot-normal kernel
 * from its own random streams, so the evaluation's numbers differ from the notebook's; the types are TFF's.
 */
public final class BuildingYourOwnAlgorithm implements Tutorial {
  static final int NUM_CLIENTS = 10;
  static final int BATCH_SIZE = 20;
  static final int ROUNDS = 15;
  static final double CLIENT_LEARNING_RATE = 0.01;
  static final long SEED = 0;
  /** The notebook's batches: {@code (x, y)} tuples, unnamed. */
  static final StructType BATCH_TYPE = StructType.of(TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, 784),
      TensorType.of(DType.INT32, TensorType.UNKNOWN, 1));

  @Override
  public String name() {
    return "building-your-own-algorithm";
  }

  @Override
  public String summary() {
    return "FedAvg written from Federated Core primitives, on FEMNIST's digits (TFF's building your own federated"
        + " learning algorithm; --data DIR)";
  }

  @Override
  public boolean readsData() {
    return true;
  }

  /** Runs the tutorial on standard output; the optional argument is the data directory. */
  public static void main(String[] args) {
    new BuildingYourOwnAlgorithm().run(System.out, args.length > 0 ? Path.of(args[0]) : null);
  }

  /** The notebook's model: {@code Dense(10, kernel_initializer=GlorotNormal(seed=0))} and a softmax. */
  static FunctionalModel model() {
    return SequentialModel.of("tutorial.building_your_own.linear",
        StructType.named("x", BATCH_TYPE.type(0), "y", BATCH_TYPE.type(1)),
        () -> Sequential.builder(Shape.of(784)).seed(SEED)
            .add(Layers.dense(10).withKernelInitializer(Initializer.glorotNormal()))
            .add(Layers.activation(Activation.SOFTMAX)).build(),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.sparseCategoricalAccuracy());
  }

  /** A client's digits batched by 20 as {@code (x=float32[?,784], y=int32[?,1])} tuples: the notebook's preprocess. */
  static Dataset preprocess(Dataset examples) {
    return FemnistSample.digits(examples).batch(BATCH_SIZE).map(BATCH_TYPE, b -> {
      Struct batch = (Struct) b;
      Tensor labels = (Tensor) batch.get("label");
      int n = labels.shape().dim(0);
      return Struct.of(((Tensor) batch.get("pixels")).reshape(n, 784), labels.reshape(n, 1));
    });
  }

  /**
   * The federated algorithm: {@code initialize} and {@code next}, built from the model and the client optimizer.
   *
   * @param initialize {@code ( -> W@SERVER)}
   * @param next {@code (<server_weights=W@SERVER,federated_dataset={B*}@CLIENTS> -> W@SERVER)}
   */
  record FedAvgFromPrimitives(Computation initialize, Computation next) {}

  /** Builds the notebook's {@code initialize_fn} and {@code next_fn}. */
  static FedAvgFromPrimitives build(FunctionalModel model, Optimizer clientOptimizer) {
    ModelWeights initial = model.initialWeights();
    StructType modelWeightsType = initial.type();
    SequenceType datasetType = SequenceType.of(BATCH_TYPE);
    Computation serverInit = Computation.local("tutorial.building_your_own.server_init", null, modelWeightsType,
        arg -> initial.toValue());
    Computation initialize = Computation.federated("initialize_fn",
        () -> federatedEval(serverInit, Placement.SERVER));

    // Each worker thread trains with its own instance of the model, reused from client to client.
    ThreadLocal<ModelWorker> workers = ThreadLocal.withInitial(model::newWorker);
    Computation clientUpdate = Computation.local("tutorial.building_your_own.client_update",
        StructType.named("tf_dataset", datasetType, "server_weights", modelWeightsType), modelWeightsType, arg -> {
          Struct a = (Struct) arg;
          return clientUpdate(workers.get(), clientOptimizer, (Sequence) a.get(0), ModelWeights.fromValue(a.get(1)))
              .toValue();
        });
    Computation serverUpdate = Computation.local("tutorial.building_your_own.server_update", modelWeightsType,
        modelWeightsType, meanClientWeights -> meanClientWeights);
    Computation next = Computation.federated("next_fn", "server_weights", FederatedType.atServer(modelWeightsType),
        "federated_dataset", FederatedType.atClients(datasetType), (serverWeights, federatedDataset) -> {
          var serverWeightsAtClient = federatedBroadcast(serverWeights);
          var clientWeights = federatedMap(clientUpdate, List.of(federatedDataset, serverWeightsAtClient));
          var meanClientWeights = federatedMean(clientWeights);
          return federatedMap(serverUpdate, meanClientWeights);
        });
    return new FedAvgFromPrimitives(initialize, next);
  }

  /** The notebook's {@code client_update}: one pass of the client optimizer over the batches, from the server's weights. */
  static ModelWeights clientUpdate(ModelWorker worker, Optimizer optimizer, Sequence dataset, ModelWeights server) {
    worker.setWeights(server);
    Struct state = optimizer.initialize(server.trainableType());
    Struct trainable = server.trainable();
    for (Object element : dataset) {
      Struct batch = (Struct) element;
      worker.lossAndGradients(Struct.named("x", batch.get(0), "y", batch.get(1)), null);
      Optimizer.Step step = optimizer.next(state, trainable, worker.gradients());
      state = step.state();
      trainable = (Struct) step.weights();
      worker.setWeights(new ModelWeights(trainable, server.nonTrainable()));
    }
    return new ModelWeights(trainable, server.nonTrainable());
  }

  @Override
  public void run(PrintStream out, Path dataDir) {
    ClientData.Split femnist = LeafJson.femnist(FemnistSample.locate(name(), dataDir));
    Notebook.inProcessContext(() -> tour(out, femnist));
  }

  private void tour(PrintStream out, ClientData.Split femnist) {
    List<String> ids = femnist.train().clientIds().subList(0, NUM_CLIENTS);
    FederatedValue federatedTrainData = FederatedValue.atClients(ids.size(),
        i -> preprocess(femnist.train().dataset(ids.get(i))));
    Dataset centralTest = preprocess(femnist.test().datasetFromAllClients());
    FunctionalModel model = model();
    FedAvgFromPrimitives fedAvg = build(model, Optimizer.sgdm(CLIENT_LEARNING_RATE));

    cell(out, "str(tf_dataset_type)");
    out.println("'" + SequenceType.of(BATCH_TYPE) + "'");
    cell(out, "str(model_weights_type)");
    out.println("'" + model.initialWeights().type() + "'");
    cell(out, "str(fed_avg.initialize.type_signature)");
    out.println("'" + fedAvg.initialize().typeSignature() + "'");
    cell(out, "str(fed_avg.next.type_signature)");
    out.println("'" + fedAvg.next().typeSignature() + "'");

    ModelWorker evaluator = model.newWorker();
    Object serverState = fedAvg.initialize().call();
    cell(out, "evaluate(server_state)  # before training");
    out.println(evaluate(evaluator, serverState, centralTest));
    for (int round = 0; round < ROUNDS; round++) {
      serverState = fedAvg.next().call(serverState, federatedTrainData);
    }
    cell(out, "evaluate(server_state)  # after " + ROUNDS + " rounds");
    out.println(evaluate(evaluator, serverState, centralTest));
  }

  /**
   * Keras' {@code evaluate} of the server's model on the central test set: the example-weighted mean loss and the
   * accuracy, as {@code steps/steps - loss: L - sparse_categorical_accuracy: A}.
   */
  static String evaluate(ModelWorker worker, Object serverState, Dataset test) {
    worker.setWeights(ModelWeights.fromValue(((FederatedValue) serverState).value()));
    Evaluation e = Evaluation.of(worker, test);
    return String.format(Locale.ROOT, "%d/%d - %d examples - loss: %.4f - sparse_categorical_accuracy: %.4f",
        e.steps(), e.steps(), e.examples(), e.lossSum() / e.examples(), (double) e.correct() / e.examples());
  }

  /**
   * One pass of a worker's model over {@code (x, y)} batches: the batches, the examples, the correctly predicted
   * ones and the sum over examples of the loss.
   */
  record Evaluation(long steps, long examples, long correct, double lossSum) {
    static Evaluation of(ModelWorker worker, Dataset test) {
      double lossSum = 0;
      long correct = 0;
      long examples = 0;
      long steps = 0;
      for (Object element : test) {
        Struct batch = (Struct) element;
        BatchOutput output = worker.forwardPass(Struct.named("x", batch.get(0), "y", batch.get(1)), false, null);
        long[] predicted = output.predictions().argmax(1).longData();
        int[] labels = ((Tensor) batch.get(1)).intData();
        for (int i = 0; i < labels.length; i++) {
          correct += predicted[i] == labels[i] ? 1 : 0;
        }
        lossSum += (double) output.loss().floatValue() * output.numExamples();
        examples += output.numExamples();
        steps++;
      }
      return new Evaluation(steps, examples, correct, lossSum);
    }
  }
}
