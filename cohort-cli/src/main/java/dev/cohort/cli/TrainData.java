package dev.cohort.cli;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.Dataset;
import dev.cohort.simulation.datasets.LeafJson;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training task's data, held in memory: per client, train and test examples {@code <x=float32[28,28,1],y=int32>}.
 * The default job's sample (10,621 train and 1,216 test images) is 37 MB as float32, so each client's examples are
 * read from the LEAF files once and every round slices tensors instead of decompressing JSON again.
 *
 * @param source where the data came from, as the header prints it
 * @param train each client's training examples, clients in id order
 * @param test each client's test examples, the same clients
 * @param classes the number of classes
 */
record TrainData(String source, ClientData train, ClientData test, int classes) {
  /** The element type of both splits: images with a channel axis and their int32 labels. */
  static final StructType ELEMENT = StructType.named("x", TensorType.of(DType.FLOAT32, 28, 28, 1), "y",
      TensorType.INT32);

  /** The directory of the FEMNIST sample shipped with the project, found from the repository root. */
  static Path defaultFemnist() {
    String home = System.getProperty("cohort.home");
    if (home != null) {
      return Path.of(home, "data", "femnist_leaf");
    }
    // Without the launcher (tests, an IDE): the working directory or one of its parents holds data/.
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("data").resolve("femnist_leaf");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    return Path.of("data", "femnist_leaf");
  }

  /**
   * FEMNIST in LEAF JSON under {@code root} ({@code train/} and {@code test/}), clients restricted to those with
   * train examples.
   *
   * @throws IllegalArgumentException if the directories or their LEAF files are missing
   * @throws dev.cohort.simulation.datasets.DatasetFormatException if a file is malformed
   */
  static TrainData femnist(Path root) {
    ClientData.Split split = LeafJson.femnist(root);
    Map<String, Struct> train = materialize(split.train());
    Map<String, Struct> test = materialize(split.test());
    return new TrainData("LEAF JSON " + root, inMemory(train), inMemory(test), 62);
  }

  /** Number of examples of {@code clients} in {@code data}. */
  static long examples(ClientData data, List<String> clients) {
    long n = 0;
    for (String id : clients) {
      n += data.dataset(id).count();
    }
    return n;
  }

  private static Map<String, Struct> materialize(ClientData leaf) {
    Map<String, Struct> out = new LinkedHashMap<>();
    for (String id : leaf.clientIds()) {
      List<Tensor> pixels = new ArrayList<>();
      List<Tensor> labels = new ArrayList<>();
      for (Object batch : leaf.dataset(id).batch(1024)) {
        Struct b = (Struct) batch;
        pixels.add((Tensor) b.get("pixels"));
        labels.add((Tensor) b.get("label"));
      }
      Tensor x = concat(pixels, DType.FLOAT32);
      Tensor y = concat(labels, DType.INT32);
      out.put(id, Struct.named("x", x.reshape(x.shape().dim(0), 28, 28, 1), "y", y));
    }
    return out;
  }

  private static Tensor concat(List<Tensor> parts, DType dtype) {
    int rows = 0;
    for (Tensor t : parts) {
      rows += t.shape().dim(0);
    }
    int rowSize = 1;
    int[] dims = parts.isEmpty() ? new int[] {0} : parts.get(0).shape().dims().clone();
    for (int i = 1; i < dims.length; i++) {
      rowSize *= dims[i];
    }
    dims[0] = rows;
    if (dtype == DType.FLOAT32) {
      float[] all = new float[rows * rowSize];
      int at = 0;
      for (Tensor t : parts) {
        float[] f = t.floatData();
        System.arraycopy(f, 0, all, at, f.length);
        at += f.length;
      }
      return Tensor.of(all, dims);
    }
    int[] all = new int[rows * rowSize];
    int at = 0;
    for (Tensor t : parts) {
      int[] v = t.intData();
      System.arraycopy(v, 0, all, at, v.length);
      at += v.length;
    }
    return Tensor.ofInts(all, dims);
  }

  private static ClientData inMemory(Map<String, Struct> clients) {
    return ClientData.of(clients.keySet(), ELEMENT, id -> Dataset.fromTensorSlices(clients.get(id)));
  }
}
