package dev.cohort.examples;

import static dev.cohort.examples.Notebook.cell;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.algorithms.FedAvg;
import dev.cohort.learning.algorithms.FedEval;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.Loss;
import dev.cohort.learning.models.Metric;
import dev.cohort.learning.models.SequentialModel;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.LearningProcess;
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

/**
 * TFF's "Federated Learning for Image Classification" in Cohort (tff.md §1.1) on the FEMNIST LEAF sample: the digits
 * of the first 10 writers in sorted id order, each client's data repeated 5 times, shuffled through a buffer of 100
 * (seeded), batched by 20 and flattened to {@code <x=float32[?,784],y=int32[?,1]>}; a zero-initialized
 * {@code Dense(10)} + softmax trained with weighted FedAvg (client SGD 0.02, server SGD 1.0) for 10 rounds; then
 * federated evaluation of the trained model on the same writers' train and test data.
 *
 * <p>The data is LEAF's 5% FEMNIST sample (73 writers), not TFF's federated EMNIST (3,383 writers), so the counts and
 * values differ from the notebook's; the types, the structures and the falling loss are the same.
 */
public final class ImageClassification implements Tutorial {
  static final int NUM_CLIENTS = 10;
  static final int NUM_EPOCHS = 5;
  static final int SHUFFLE_BUFFER = 100;
  static final long SHUFFLE_SEED = 1;
  static final int BATCH_SIZE = 20;
  static final int ROUNDS = 10;
  static final StructType BATCH_TYPE = StructType.named("x", TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, 784),
      "y", TensorType.of(DType.INT32, TensorType.UNKNOWN, 1));

  @Override
  public String name() {
    return "image-classification";
  }

  @Override
  public boolean readsData() {
    return true;
  }

  @Override
  public String summary() {
    return "FedAvg and federated evaluation of a softmax model on FEMNIST's digits (TFF's image classification;"
        + " --data DIR)";
  }

  /** Runs the tutorial on standard output; the optional argument is the data directory. */
  public static void main(String[] args) {
    new ImageClassification().run(System.out, args.length > 0 ? Path.of(args[0]) : null);
  }

  /** A client's digits, repeated, shuffled, batched and flattened as the notebook's {@code preprocess}. */
  static Dataset preprocess(Dataset examples, long clientKey) {
    return FemnistSample.digits(examples)
        .repeat(NUM_EPOCHS)
        .shuffle(SHUFFLE_BUFFER, SHUFFLE_SEED, clientKey)
        .batch(BATCH_SIZE)
        .map(BATCH_TYPE, b -> {
          Struct batch = (Struct) b;
          Tensor pixels = (Tensor) batch.get("pixels");
          Tensor labels = (Tensor) batch.get("label");
          int n = labels.shape().dim(0);
          return Struct.named("x", pixels.reshape(n, 784), "y", labels.reshape(n, 1));
        });
  }

  /** The preprocessed datasets of {@code ids}, as a CLIENTS value. */
  static FederatedValue federatedData(ClientData data, List<String> ids) {
    return FederatedValue.atClients(ids.size(), i -> preprocess(data.dataset(ids.get(i)), i));
  }

  /** The notebook's Keras model: {@code Dense(10, kernel_initializer='zeros')} and a softmax. */
  static FunctionalModel model() {
    return SequentialModel.of("tutorial.femnist_digits.linear", BATCH_TYPE,
        () -> Sequential.builder(Shape.of(784))
            .add(Layers.dense(10).withKernelInitializer(Initializer.zeros()))
            .add(Layers.activation(Activation.SOFTMAX)).build(),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.sparseCategoricalAccuracy());
  }

  @Override
  public void run(PrintStream out, Path dataDir) {
    ClientData.Split femnist = LeafJson.femnist(FemnistSample.locate(name(), dataDir));
    Notebook.inProcessContext(() -> tour(out, femnist));
  }

  private static void tour(PrintStream out, ClientData.Split femnist) {
    ClientData train = femnist.train();
    cell(out, "len(emnist_train.client_ids)");
    out.println(train.size());
    cell(out, "emnist_train.element_type_structure");
    out.println(train.elementType());
    List<String> ids = train.clientIds().subList(0, NUM_CLIENTS);
    FederatedValue trainData = federatedData(train, ids);
    cell(out, "len(federated_train_data)");
    out.println("Number of client datasets: " + ids.size());
    out.println("First dataset: " + preprocess(train.dataset(ids.get(0)), 0).type());

    FunctionalModel model = model();
    LearningProcess fedAvg = FedAvg.weighted(model, Optimizer.sgdm(0.02), Optimizer.sgdm(1.0));
    cell(out, "training_process.initialize.type_signature");
    out.println(fedAvg.initialize().typeSignature());
    cell(out, "training_process.next.type_signature");
    out.println(fedAvg.next().typeSignature());

    cell(out, "for round_num in range(1, NUM_ROUNDS + 1): result = training_process.next(train_state, data)");
    Object state = fedAvg.initialize().call();
    for (int round = 1; round <= ROUNDS; round++) {
      Struct result = (Struct) fedAvg.next().call(state, trainData);
      state = result.get("state");
      out.printf("round %2d, metrics=%s%n", round, ((FederatedValue) result.get("metrics")).value());
    }

    LearningProcess evaluation = FedEval.of(model);
    Object weights = fedAvg.getModelWeights().call(((FederatedValue) state).value());
    cell(out, "evaluation_process.next.type_signature");
    out.println(evaluation.next().typeSignature());
    cell(out, "evaluation on the training clients' train data");
    out.println("eval metrics=" + evaluate(evaluation, weights, trainData));
    cell(out, "evaluation on the same clients' test data");
    out.println("eval metrics=" + evaluate(evaluation, weights, federatedData(femnist.test(), ids)));
  }

  private static Object evaluate(LearningProcess evaluation, Object weights, FederatedValue data) {
    Object state = evaluation.setModelWeights().call(((FederatedValue) evaluation.initialize().call()).value(),
        weights);
    Struct result = (Struct) evaluation.next().call(FederatedValue.atServer(state), data);
    Struct metrics = (Struct) ((FederatedValue) result.get("metrics")).value();
    return ((Struct) ((Struct) metrics.get("client_work")).get("eval")).get("current_round_metrics");
  }
}
