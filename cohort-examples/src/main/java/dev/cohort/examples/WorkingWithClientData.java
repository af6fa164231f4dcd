package dev.cohort.examples;

import static dev.cohort.examples.Notebook.cell;

import dev.cohort.core.Computation;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.Dataset;
import dev.cohort.simulation.datasets.DatasetComputation;
import dev.cohort.simulation.datasets.DatasetFormatException;
import dev.cohort.simulation.datasets.LeafFeatures;
import dev.cohort.simulation.datasets.LeafJson;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * TFF's "Working with TFF's ClientData" in Cohort (tff.md §1.13): a federated EMNIST ClientData, its element type,
 * preprocessing (batch, reshape to {@code x=float32[?,784]}, {@code y=int64[?,1]}, take), datasets of all clients
 * and of a few, a train/test split by clients, and datasets built from client ids by a computation
 * ({@code dataset_computation}, {@code (str -> T*)}), with and without the preprocessing.
 *
 * <p>The data is the FEMNIST LEAF sample (73 writers, 62 classes; {@code ../shared/data/femnist_leaf} or
 * {@code --data DIR} with {@code train/} and {@code test/}) rather than TFF's 3,383-writer federated EMNIST, so the
 * counts differ from the notebook's; the types are the same. The notebook's closing FedAvg training needs the
 * learning module, which this module does not use; its counterpart is the image-classification tutorial.
 */
public final class WorkingWithClientData implements Tutorial {
  static final Path SHARED = Path.of("..", "shared", "data", "femnist_leaf");
  static final int BATCH_SIZE = 5;
  static final int NUM_BATCHES = 5;
  static final StructType PREPROCESSED = StructType.named(
      "x", TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, 784),
      "y", TensorType.of(DType.INT64, TensorType.UNKNOWN, 1));

  @Override
  public String name() {
    return "working-with-client-data";
  }

  @Override
  public boolean readsData() {
    return true;
  }

  @Override
  public String summary() {
    return "ClientData, preprocessing and datasets built from client ids on the FEMNIST sample (--data DIR)";
  }

  /** Runs the tutorial on standard output; the optional argument is the data directory. */
  public static void main(String[] args) {
    new WorkingWithClientData().run(System.out, args.length > 0 ? Path.of(args[0]) : null);
  }

  /** The notebook's {@code preprocess_dataset}: batches of 5, flattened pixels and int64 labels, the first 5. */
  static Dataset preprocess(Dataset d) {
    return d.batch(BATCH_SIZE).map(PREPROCESSED, e -> {
      Struct s = (Struct) e;
      Tensor pixels = (Tensor) s.get("pixels");
      Tensor label = (Tensor) s.get("label");
      int n = pixels.shape().dim(0);
      return Struct.named("x", pixels.reshape(n, 784), "y", label.cast(DType.INT64).reshape(n, 1));
    }).take(NUM_BATCHES);
  }

  @Override
  public void run(PrintStream out, Path dataDir) {
    Path root = dataDir != null ? dataDir : SHARED;
    ClientData.Split emnist = load(dataDir, root);
    Notebook.inProcessContext(() -> tour(out, emnist, root));
  }

  private static ClientData.Split load(Path dataDir, Path root) {
    if (!Files.isDirectory(root.resolve("train")) || !Files.isDirectory(root.resolve("test"))) {
      throw new IllegalArgumentException((dataDir != null ? "--data " + dataDir : "the FEMNIST sample ("
          + root.toAbsolutePath().normalize() + ")") + ": expected train/ and test/ directories of LEAF JSON files"
          + " (*.json, *.json.gz), as LEAF's FEMNIST preprocessing writes them");
    }
    try {
      return LeafJson.femnist(root);
    } catch (DatasetFormatException e) {
      throw new DataFileException(e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new DataFileException(e.getMessage() + ": " + e.getCause().getMessage(), e);
    }
  }

  private static void tour(PrintStream out, ClientData.Split emnist, Path root) {
    ClientData train = emnist.train();
    cell(out, "len(emnist_train.client_ids)");
    out.println(train.size());
    cell(out, "emnist_train.element_type_structure");
    out.println(train.elementType());
    String first = train.clientIds().get(0);
    Dataset example = train.dataset(first);
    cell(out, "example_dataset = emnist_train.create_tf_dataset_for_client(emnist_train.client_ids[0]); "
        + "example_element = next(iter(example_dataset)); example_element['label'].numpy()");
    Struct element = (Struct) example.iterator().next();
    out.println(((Tensor) element.get("label")).intValue());

    cell(out, "preprocessed_example_dataset = preprocess_dataset(example_dataset); preprocessed_example_dataset"
        + ".element_spec");
    Dataset preprocessed = preprocess(example);
    out.println(preprocessed.elementType());
    cell(out, "[batch['x'].shape for batch in preprocessed_example_dataset]");
    List<String> shapes = new ArrayList<>();
    for (Object b : preprocessed) {
      shapes.add(((Tensor) ((Struct) b).get("x")).shape().toString());
    }
    out.println(shapes);

    cell(out, "preprocessed_and_shuffled = emnist_train.preprocess(lambda d: preprocess_dataset(d.shuffle(5)))");
    ClientData preprocessedTrain = train.preprocess(d -> preprocess(d.shuffle(5, 2026)));
    out.println(preprocessedTrain);

    cell(out, "selected_client_ids = emnist_train.client_ids[:3]; [len(list(emnist_train"
        + ".create_tf_dataset_for_client(c))) for c in selected_client_ids]");
    List<String> selected = train.clientIds().subList(0, 3);
    List<Long> sizes = new ArrayList<>();
    for (String id : selected) {
      sizes.add(train.dataset(id).count());
    }
    out.println(selected + " " + sizes);

    cell(out, "train, test = tff.simulation.datasets.ClientData.train_test_client_split(emnist_train, 10)");
    ClientData.Split split = train.trainTestClientSplit(10, 2026);
    out.println(split.train().size() + " " + split.test().size());

    cell(out, "str(emnist_train.dataset_computation.type_signature)");
    // A portable member of simulation.client_dataset: it reads the client's examples where it runs.
    Computation datasetComputation = DatasetComputation.local(
        DatasetComputation.leaf(root.resolve("train"), LeafFeatures.FEMNIST), DatasetComputation.Preprocessing.NONE);
    out.println(datasetComputation.typeSignature());
    cell(out, "str(preprocessed_and_shuffled.dataset_computation.type_signature)");
    Computation preprocessedComputation = Computation.local("client_data.preprocessed_dataset_computation",
        TensorType.STRING, SequenceType.of(preprocessedTrain.elementType()),
        id -> preprocessedTrain.dataset(((Tensor) id).stringValue()));
    out.println(preprocessedComputation.typeSignature());
    cell(out, "len(list(dataset_computation(emnist_train.client_ids[0])))");
    Object built = datasetComputation.call(first);
    long count = 0;
    for (Object ignored : (Iterable<?>) built) {
      count++;
    }
    out.println(count);
    out.flush();
  }
}
