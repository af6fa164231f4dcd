package dev.cohort.examples;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedMean;
import static dev.cohort.core.Intrinsics.sequenceReduce;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.examples.Notebook.cell;

import dev.cohort.core.Computation;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.privacy.Numbers;
import dev.cohort.simulation.datasets.Idx;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * TFF's "Custom Federated Algorithms, Part 2: Implementing Federated Averaging" in Cohort: a softmax-regression model
 * trained with FedAvg written from the Federated Core's primitives (tff.md §1.10). Client {@code d} holds the first
 * 1,000 examples of class {@code d} in 10 batches of 100; the model starts at zero; each round trains locally with
 * SGD (learning rate 0.1, decayed by 0.9 per round) and averages the models.
 *
 * <p>The data is the Fashion-MNIST test split rather than MNIST's training split, so the trained losses differ from
 * TFF's published ones; the zero model's losses (2.3025851, 23.025854, 23.025852) and every type are the same. The
 * split is all used for training, so nothing is held out and the notebook's closing test-set losses
 * ({@code initial_model test loss}, {@code trained_model test loss}) are not printed.
 */
public final class CustomFederatedAlgorithms2 implements Tutorial {
  static final int NUM_EXAMPLES_PER_USER = 1000;
  static final int BATCH_SIZE = 100;

  static final StructType BATCH_TYPE = StructType.named(
      "x", TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, 784),
      "y", TensorType.of(DType.INT32, TensorType.UNKNOWN));
  static final StructType MODEL_TYPE = StructType.named(
      "weights", TensorType.of(DType.FLOAT32, 784, 10),
      "bias", TensorType.of(DType.FLOAT32, 10));
  static final SequenceType LOCAL_DATA_TYPE = SequenceType.of(BATCH_TYPE);

  @Override
  public String name() {
    return "custom-federated-algorithms-2";
  }

  @Override
  public boolean readsData() {
    return true;
  }

  @Override
  public String summary() {
    return "Federated Averaging from Federated Core primitives on Fashion-MNIST (TFF's part 2; --data DIR)";
  }

  /** Runs the tutorial on standard output; the optional argument is the data directory. */
  public static void main(String[] args) {
    new CustomFederatedAlgorithms2().run(System.out, args.length > 0 ? Path.of(args[0]) : null);
  }

  @Override
  public void run(PrintStream out, Path dataDir) {
    Idx.Examples data = FashionMnist.read(FashionMnist.locate(dataDir));
    Notebook.inProcessContext(() -> tour(out, data));
  }

  private static void tour(PrintStream out, Idx.Examples data) {
    cell(out, "[(x.dtype, x.shape) for x in the IDX split]");
    out.println("[(dtype('uint8'), (" + data.count() + ", " + data.rows() + ", " + data.columns()
        + ")), (dtype('uint8'), (" + data.count() + ",))]");
    List<Sequence> federatedTrainData = federatedTrainData(data);
    List<Object> client5 = federatedTrainData.get(5).toList();
    Struct sampleBatch = (Struct) client5.get(client5.size() - 1);
    cell(out, "federated_train_data[5][-1]['y']");
    out.println(NumpyFormat.intArray(((Tensor) sampleBatch.get("y")).intData(), "int32"));

    cell(out, "str(BATCH_TYPE)");
    out.println("'" + BATCH_TYPE + "'");
    cell(out, "print(MODEL_TYPE)");
    out.println(MODEL_TYPE);

    Computation batchLoss = Computation.local("cfa2.batch_loss",
        StructType.named("model", MODEL_TYPE, "batch", BATCH_TYPE), FLOAT32,
        arg -> forwardPass((Struct) ((Struct) arg).get("model"), (Struct) ((Struct) arg).get("batch")));
    cell(out, "str(batch_loss.type_signature)");
    out.println("'" + batchLoss.typeSignature() + "'");
    Struct initialModel = Struct.named("weights", Tensor.zeros(784, 10), "bias", Tensor.zeros(10));
    cell(out, "batch_loss(initial_model, sample_batch)");
    out.println(float32(batchLoss.call(initialModel, sampleBatch)));

    Computation batchTrain = Computation.local("cfa2.batch_train",
        StructType.named("initial_model", MODEL_TYPE, "batch", BATCH_TYPE, "learning_rate", FLOAT32), MODEL_TYPE,
        arg -> {
          Struct a = (Struct) arg;
          return trainOnBatch((Struct) a.get("initial_model"), (Struct) a.get("batch"),
              ((Tensor) a.get("learning_rate")).floatValue());
        });
    cell(out, "str(batch_train.type_signature)");
    out.println("'" + batchTrain.typeSignature() + "'");
    Object model = initialModel;
    List<String> losses = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      model = batchTrain.call(model, sampleBatch, 0.1);
      losses.add(float32(batchLoss.call(model, sampleBatch)));
    }
    cell(out, "losses (five batch_train steps on the sample batch)");
    out.println(losses);

    Computation localTrain = Computation.federated("local_train",
        "initial_model", MODEL_TYPE, "learning_rate", FLOAT32, "all_batches", LOCAL_DATA_TYPE,
        (initial, learningRate, allBatches) -> {
          Computation batchFn = Computation.federated("batch_fn",
              "model_with_lr", StructType.of(MODEL_TYPE, FLOAT32), "batch", BATCH_TYPE,
              (modelWithLr, batch) -> List.of(batchTrain.apply(modelWithLr.get(0), batch, modelWithLr.get(1)),
                  modelWithLr.get(1)));
          return sequenceReduce(allBatches, List.of(initial, learningRate), batchFn).get(0);
        });
    cell(out, "str(local_train.type_signature)");
    out.println("'" + localTrain.typeSignature() + "'");
    Object locallyTrainedModel = localTrain.call(initialModel, 0.1, federatedTrainData.get(5));

    Computation accumulateEvaluation = Computation.local("cfa2.accumulate_evaluation",
        StructType.named("model_and_accumulator", StructType.of(MODEL_TYPE, FLOAT32), "batch", BATCH_TYPE),
        StructType.of(MODEL_TYPE, FLOAT32), arg -> {
          Struct a = (Struct) arg;
          Struct modelAndAccumulator = (Struct) a.get("model_and_accumulator");
          Struct m = (Struct) modelAndAccumulator.get(0);
          Tensor accumulator = (Tensor) modelAndAccumulator.get(1);
          return Struct.of(m, accumulator.add(forwardPass(m, (Struct) a.get("batch"))));
        });
    Computation localEval = Computation.federated("local_eval", "model", MODEL_TYPE, "all_batches",
        LOCAL_DATA_TYPE, (m, allBatches) -> sequenceReduce(allBatches, List.of(m, 0.0), accumulateEvaluation).get(1));
    cell(out, "str(local_eval.type_signature)");
    out.println("'" + localEval.typeSignature() + "'");
    cell(out, "local_eval on client 5's data");
    out.println("initial_model loss = " + float32(localEval.call(initialModel, federatedTrainData.get(5))));
    out.println("locally_trained_model loss = "
        + float32(localEval.call(locallyTrainedModel, federatedTrainData.get(5))));
    cell(out, "local_eval on client 0's data");
    out.println("initial_model loss = " + float32(localEval.call(initialModel, federatedTrainData.get(0))));
    out.println("locally_trained_model loss = "
        + float32(localEval.call(locallyTrainedModel, federatedTrainData.get(0))));

    FederatedType serverModelType = FederatedType.atServer(MODEL_TYPE);
    FederatedType clientDataType = FederatedType.atClients(LOCAL_DATA_TYPE);
    Computation federatedEval = Computation.federated("federated_eval", "model", serverModelType, "data",
        clientDataType, (m, d) -> federatedMean(federatedMap(localEval, List.of(federatedBroadcast(m), d))));
    cell(out, "federated_eval over all 10 clients");
    out.println("initial_model loss = " + float32(federatedEval.call(initialModel, federatedTrainData)));
    out.println("locally_trained_model loss = "
        + float32(federatedEval.call(locallyTrainedModel, federatedTrainData)));

    FederatedType serverFloatType = FederatedType.atServer(FLOAT32);
    Computation federatedTrain = Computation.federated("federated_train", "model", serverModelType,
        "learning_rate", serverFloatType, "data", clientDataType,
        (m, learningRate, d) -> federatedMean(federatedMap(localTrain,
            List.of(federatedBroadcast(m), federatedBroadcast(learningRate), d))));
    cell(out, "five rounds of federated averaging (learning rate 0.1, decayed by 0.9 per round)");
    model = initialModel;
    double learningRate = 0.1;
    for (int round = 0; round < 5; round++) {
      model = federatedTrain.call(model, learningRate, federatedTrainData);
      learningRate = learningRate * 0.9;
      float loss = scalar(federatedEval.call(model, federatedTrainData));
      out.println("round " + round + ", loss=" + Numbers.float64(loss));
    }
  }

  /**
   * The ten clients, client {@code d} holding the examples labelled {@code d}: TFF's
   * {@code [get_data_for_digit(mnist_train, d) for d in range(10)]}.
   *
   * @throws IllegalArgumentException naming the file if the images are not 28x28 (the model's 784 inputs), if a
   *     label is outside 0..9, or if a digit has no examples: the tutorial's clients are the ten digits, and a
   *     client without data would have no batch to show, nothing to train on, and a loss of 0 in every average
   */
  static List<Sequence> federatedTrainData(Idx.Examples data) {
    if (data.rows() * data.columns() != 784) {
      throw new DataFileException(data.imagesFile() + ": images of " + data.rows() + "x" + data.columns()
          + " pixels; the tutorial's model takes 28x28 (784 inputs)");
    }
    int[] perDigit = new int[10];
    for (int i = 0; i < data.count(); i++) {
      int label = data.label(i);
      if (label > 9) {
        throw new DataFileException(data.labelsFile() + ": example " + i + " has label " + label
            + "; the tutorial's clients are the ten digits, labels 0..9");
      }
      perDigit[label]++;
    }
    List<Integer> missing = new ArrayList<>();
    for (int d = 0; d < 10; d++) {
      if (perDigit[d] == 0) {
        missing.add(d);
      }
    }
    if (!missing.isEmpty()) {
      throw new DataFileException(data.labelsFile() + ": no examples of digit" + (missing.size() == 1 ? " " : "s ")
          + missing.stream().map(String::valueOf).collect(Collectors.joining(", ")) + " among its " + data.count() + " labels; the tutorial's"
          + " clients are the ten digits (client d trains on the examples labelled d), so each needs at least one"
          + " (examples per digit: " + Arrays.toString(perDigit) + ")");
    }
    List<Sequence> clients = new ArrayList<>();
    for (int d = 0; d < 10; d++) {
      clients.add(getDataForDigit(data, d));
    }
    return clients;
  }

  /**
   * Client {@code digit}'s data: the first 1,000 examples labelled {@code digit}, in batches of 100, pixels divided by
   * 255 (in float64, then rounded to float32, as NumPy does).
   */
  static Sequence getDataForDigit(Idx.Examples source, int digit) {
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < source.count(); i++) {
      if (source.label(i) == digit) {
        all.add(i);
      }
    }
    int pixels = source.rows() * source.columns();
    List<Object> batches = new ArrayList<>();
    for (int start = 0; start < Math.min(all.size(), NUM_EXAMPLES_PER_USER); start += BATCH_SIZE) {
      List<Integer> samples = all.subList(start, Math.min(start + BATCH_SIZE, all.size()));
      float[] x = new float[samples.size() * pixels];
      int[] y = new int[samples.size()];
      for (int b = 0; b < samples.size(); b++) {
        int i = samples.get(b);
        for (int p = 0; p < pixels; p++) {
          x[b * pixels + p] = (float) (source.pixel(i, p) / 255.0);
        }
        y[b] = source.label(i);
      }
      batches.add(Struct.named("x", Tensor.wrap(x, Shape.of(samples.size(), pixels)), "y",
          Tensor.wrap(y, Shape.of(samples.size()))));
    }
    return Sequence.of(batches);
  }

  /** Mean cross-entropy of softmax(x·W + b) against the labels: TFF's {@code forward_pass}. */
  static Tensor forwardPass(Struct model, Struct batch) {
    Tensor predicted = logits(model, batch).softmax(1);
    Tensor y = (Tensor) batch.get("y");
    return Tensor.oneHot(y, 10).mul(predicted.log()).sum(false, 1).mean().neg();
  }

  private static Tensor logits(Struct model, Struct batch) {
    return ((Tensor) batch.get("x")).matmul((Tensor) model.get("weights")).add((Tensor) model.get("bias"));
  }

  /**
   * One SGD step on the batch loss, with the gradient in closed form: d(loss)/d(logits) = (softmax - onehot) / n,
   * so dW = xᵀ·dlogits and db = the column sums of dlogits; then {@code w - lr * grad}, as Keras's SGD applies it.
   */
  static Struct trainOnBatch(Struct model, Struct batch, float learningRate) {
    Tensor x = (Tensor) batch.get("x");
    Tensor y = (Tensor) batch.get("y");
    Tensor dLogits = logits(model, batch).softmax(1).sub(Tensor.oneHot(y, 10)).mul(1f / x.shape().dim(0));
    Tensor dWeights = x.transpose().matmul(dLogits);
    Tensor dBias = dLogits.sum(false, 0);
    Tensor weights = ((Tensor) model.get("weights")).sub(dWeights.mul(learningRate));
    Tensor bias = ((Tensor) model.get("bias")).sub(dBias.mul(learningRate));
    return Struct.named("weights", weights, "bias", bias);
  }

  private static float scalar(Object result) {
    Object v = result instanceof FederatedValue f ? f.value() : result;
    return ((Tensor) v).floatValue();
  }

  private static String float32(Object result) {
    return Numbers.float32(scalar(result));
  }
}
