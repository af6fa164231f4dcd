package dev.cohort.cli;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.examples.FemnistSample;
import dev.cohort.learning.models.Metric;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.Dataset;
import dev.cohort.simulation.datasets.LeafJson;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training task's data, held in memory or read lazily from memory: per client, train and test examples
 * {@code <x=float32[inputShape],y=...>}, {@code y} an int32 class, or with {@code multiLabel} a float32 multi-hot
 * vector of {@code classes} labels ({@link TaskData} reads each task's files into one). FEMNIST's images are read
 * from the LEAF files once (the default job's sample is 37 MB as float32) and every round slices tensors instead of
 * decompressing JSON again.
 *
 * @param source where the data came from, as the header prints it
 * @param train each client's training examples, clients in id order
 * @param test each client's test examples, the same clients
 * @param inputShape the shape of one example's {@code x}
 * @param classes the number of classes (or labels, with {@code multiLabel})
 * @param multiLabel whether an example has a set of labels (a multi-hot {@code y}) rather than one class
 */
record TrainData(String source, ClientData train, ClientData test, Shape inputShape, int classes,
    boolean multiLabel) {
  /** FEMNIST's and the IDX tasks' images: 28x28 with a channel axis. */
  static final Shape IMAGE = Shape.of(28, 28, 1);

  /** The element type of examples of shape {@code input}: {@code y} int32, or float32[classes] if multi-label. */
  static StructType element(Shape input, boolean multiLabel, int classes) {
    return StructType.named("x", TensorType.of(DType.FLOAT32, input), "y",
        multiLabel ? TensorType.of(DType.FLOAT32, classes) : TensorType.INT32);
  }

  /** The type of a batch, as the model takes it: {@code <x=float32[?,inputShape],y=int32[?]>} or multi-hot. */
  StructType batchType() {
    int[] x = new int[inputShape.rank() + 1];
    x[0] = TensorType.UNKNOWN;
    System.arraycopy(inputShape.dims(), 0, x, 1, inputShape.rank());
    return StructType.named("x", TensorType.of(DType.FLOAT32, x), "y", multiLabel
        ? TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, classes) : TensorType.of(DType.INT32, TensorType.UNKNOWN));
  }

  /**
   * Examples of a batch {@code predictions} gets right: the arg-max is the label, or with {@code multiLabel} one of
   * the example's labels (precision at 1).
   */
  long hits(Tensor predictions, Tensor y) {
    long[] predicted = predictions.argmax(1).longData();
    long hits = 0;
    if (multiLabel) {
      float[] labels = y.floatData();
      for (int i = 0; i < predicted.length; i++) {
        hits += labels[i * classes + (int) predicted[i]] > 0 ? 1 : 0;
      }
    } else {
      int[] labels = y.intData();
      for (int i = 0; i < predicted.length; i++) {
        hits += predicted[i] == labels[i] ? 1 : 0;
      }
    }
    return hits;
  }

  /** The model metric {@link #hits} counts, as the training reports it: accuracy, or precision at 1. */
  Metric accuracyMetric() {
    return multiLabel ? PRECISION_AT_1 : Metric.sparseCategoricalAccuracy();
  }

  /** {@code precision_at_1}: the fraction of examples whose highest-scoring label is one of theirs. */
  private static final Metric PRECISION_AT_1 = new Metric("precision_at_1",
      StructType.of(TensorType.FLOAT32, TensorType.FLOAT32), TensorType.FLOAT32, (state, out, labels) -> {
        long[] predicted = out.predictions().argmax(1).longData();
        int width = out.predictions().shape().dim(1);
        float[] y = labels.floatData();
        int hit = 0;
        for (int i = 0; i < predicted.length; i++) {
          hit += y[i * width + (int) predicted[i]] > 0 ? 1 : 0;
        }
        Struct s = (Struct) state;
        return Struct.of(Tensor.scalar(((Tensor) s.get(0)).floatValue() + hit),
            Tensor.scalar(((Tensor) s.get(1)).floatValue() + predicted.length));
      }, state -> {
        Struct s = (Struct) state;
        float n = ((Tensor) s.get(1)).floatValue();
        return Tensor.scalar(n == 0 ? 0f : ((Tensor) s.get(0)).floatValue() / n);
      });

  /** The directory of the FEMNIST sample shipped with the project (the tutorials' {@link FemnistSample#shipped}). */
  static Path defaultFemnist() {
    return FemnistSample.shipped();
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
    return new TrainData("LEAF JSON " + root, images(split.train()), images(split.test()), IMAGE, 62, false);
  }

  /** FEMNIST's {@code <label=int32,pixels=float32[28,28]>} clients in memory as {@code <x=[28,28,1],y>}. */
  static ClientData images(ClientData femnist) {
    return inMemory(materialize(femnist));
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
    return ClientData.of(clients.keySet(), element(IMAGE, false, 0), id -> Dataset.fromTensorSlices(clients.get(id)));
  }
}
