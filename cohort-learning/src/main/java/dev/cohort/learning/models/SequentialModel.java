package dev.cohort.learning.models;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.Nest;
import dev.cohort.nn.ForwardPass;
import dev.cohort.nn.Parameter;
import dev.cohort.nn.Sequential;
import dev.cohort.nn.Tape;
import dev.cohort.nn.Variable;
import dev.cohort.nn.Workspace;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A cohort-nn {@link Sequential} with a loss and metrics as a {@link FunctionalModel}: the counterpart of TFF's
 * {@code from_keras_model} / {@code functional_model_from_keras}.
 *
 * <pre>{@code
 * FunctionalModel model = SequentialModel.of("mnist.linear",
 *     StructType.named("x", TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, 784),
 *                      "y", TensorType.of(DType.INT32, TensorType.UNKNOWN, 1)),
 *     () -> Sequential.builder(Shape.of(784))
 *         .add(Layers.dense(10).withKernelInitializer(Initializer.zeros()))
 *         .add(Layers.activation(Activation.SOFTMAX)).build(),
 *     Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.sparseCategoricalAccuracy());
 * }</pre>
 *
 * <p>Trainable weights are the network's trainable parameters in layer order, non-trainable weights the others. The
 * metrics are the given ones followed by {@code loss}, {@code num_examples} and {@code num_batches}, as
 * {@code from_keras_model} adds them. {@code architecture} is called once for the initial weights and once per
 * {@link #newWorker() worker}; each worker starts from the initial weights, so only the architecture must be the
 * same on every call.
 */
public final class SequentialModel implements FunctionalModel {
  private final String name;
  private final StructType inputSpec;
  private final Supplier<Sequential> architecture;
  private final Loss loss;
  private final List<Metric> metrics;
  private final ModelWeights initialWeights;

  private SequentialModel(String name, StructType inputSpec, Supplier<Sequential> architecture, Loss loss,
      List<Metric> metrics) {
    this.name = name;
    this.inputSpec = inputSpec;
    this.architecture = architecture;
    this.loss = loss;
    this.metrics = metrics;
    Sequential first = architecture.get();
    checkFeatures(inputSpec, first.inputShape());
    this.initialWeights = weightsOf(first);
  }

  /**
   * The model {@code name} computing {@code architecture} on batches of type {@code inputSpec}, trained on
   * {@code loss}, with {@code metrics} followed by {@code loss}, {@code num_examples} and {@code num_batches}.
   *
   * @throws IllegalArgumentException if the name is not dotted identifiers, the input spec is not
   *     {@code <x=float32[?,...],y=...>} with the network's per-example input shape, or two metrics share a name
   */
  public static SequentialModel of(String name, StructType inputSpec, Supplier<Sequential> architecture, Loss loss,
      Metric... metrics) {
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(loss, "loss");
    if (name == null || !Arrays.stream(name.split("\\.", -1)).allMatch(StructType::isIdentifier)) {
      throw new IllegalArgumentException("model name '" + name + "' must be dotted identifiers, e.g. 'mnist.linear'");
    }
    List<Metric> all = new ArrayList<>(Arrays.asList(metrics));
    all.addAll(List.of(Metric.loss(), Metric.numExamples(), Metric.numBatches()));
    Set<String> names = new HashSet<>();
    for (Metric m : all) {
      if (!names.add(m.name())) {
        throw new IllegalArgumentException("two metrics are named '" + m.name() + "' (loss, num_examples and"
            + " num_batches are added to every model)");
      }
    }
    return new SequentialModel(name, inputSpec, architecture, loss, List.copyOf(all));
  }

  private static void checkFeatures(StructType spec, Shape exampleShape) {
    boolean ok = spec.size() == 2 && "x".equals(spec.name(0)) && "y".equals(spec.name(1))
        && spec.type(0) instanceof TensorType x && x.dtype() == DType.FLOAT32 && x.rank() == exampleShape.rank() + 1;
    for (int i = 0; ok && i < exampleShape.rank(); i++) {
      ok = ((TensorType) spec.type(0)).shape().get(i + 1) == exampleShape.dim(i);
    }
    if (!ok || !(spec.type(1) instanceof TensorType)) {
      throw new IllegalArgumentException("input spec " + spec + " must be <x=float32[?," + dims(exampleShape)
          + "],y=labels>: the network's examples have shape " + exampleShape);
    }
  }

  private static String dims(Shape s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.rank(); i++) {
      sb.append(i == 0 ? "" : ",").append(s.dim(i));
    }
    return sb.toString();
  }

  private static ModelWeights weightsOf(Sequential net) {
    List<Object> trainable = new ArrayList<>();
    List<Object> nonTrainable = new ArrayList<>();
    for (Parameter p : net.parameters()) {
      (p.trainable() ? trainable : nonTrainable).add(p.value().copy());
    }
    return new ModelWeights(Struct.of(trainable.toArray()), Struct.of(nonTrainable.toArray()));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ModelWeights initialWeights() {
    return initialWeights;
  }

  @Override
  public StructType inputSpec() {
    return inputSpec;
  }

  @Override
  public List<Metric> metrics() {
    return metrics;
  }

  @Override
  public ModelWorker newWorker() {
    Worker w = new Worker(architecture.get(), loss);
    w.setWeights(initialWeights);
    return w;
  }

  /** One thread's network; its parameters hold the weights and the gradient buffers. */
  private static final class Worker implements ModelWorker {
    private final Sequential net;
    private final Loss loss;
    private final List<Parameter> trainable = new ArrayList<>();
    private final List<Parameter> nonTrainable = new ArrayList<>();
    private final Struct gradients;
    private final Struct template;
    /** This worker's steps reuse one another's activation and gradient buffers. */
    private final Workspace workspace = new Workspace();

    Worker(Sequential net, Loss loss) {
      this.net = net;
      this.loss = loss;
      List<Object> grads = new ArrayList<>();
      for (Parameter p : net.parameters()) {
        (p.trainable() ? trainable : nonTrainable).add(p);
        if (p.trainable()) {
          grads.add(p.grad());
        }
      }
      this.gradients = Struct.of(grads.toArray());
      this.template = weightsOf(net).toValue();
    }

    @Override
    public void setWeights(ModelWeights weights) {
      Nest.checkSameStructure("the model's weights", template, "the weights to load",
          weights.toValue());
      List<Tensor> t = Nest.flatten(weights.trainable());
      for (int i = 0; i < trainable.size(); i++) {
        trainable.get(i).set(t.get(i));
      }
      List<Tensor> n = Nest.flatten(weights.nonTrainable());
      for (int i = 0; i < nonTrainable.size(); i++) {
        nonTrainable.get(i).set(n.get(i));
      }
    }

    @Override
    public ModelWeights weights() {
      return weightsOf(net);
    }

    @Override
    public BatchOutput forwardPass(Struct batch, boolean training, RandomStream random) {
      return pass(new Tape(workspace), batch, training, random).output;
    }

    @Override
    public BatchOutput lossAndGradients(Struct batch, RandomStream random) {
      Tape tape = new Tape(workspace);
      Pass p = pass(tape, batch, true, random);
      tape.backward(p.loss);
      return p.output;
    }

    /** In place, the update fused into the dense layers' weight-gradient products ({@link Tape#backward(Variable, float)}). */
    @Override
    public BatchOutput sgdStep(Struct batch, float learningRate, RandomStream random) {
      Tape tape = new Tape(workspace);
      Pass p = pass(tape, batch, true, random);
      tape.backward(p.loss, learningRate);
      return p.output;
    }

    private record Pass(Variable loss, BatchOutput output) {}

    private Pass pass(Tape tape, Struct batch, boolean training, RandomStream random) {
      Tensor x = (Tensor) batch.get(0);
      Tensor y = (Tensor) batch.get(1);
      Variable predictions = net.call(tape.constant(x), new ForwardPass(tape, training, random));
      Variable l = loss.apply(predictions, y);
      return new Pass(l, new BatchOutput(l.value(), predictions.value(), x.shape().dim(0)));
    }

    @Override
    public Struct gradients() {
      return gradients;
    }

    @Override
    public Tensor predict(Tensor x) {
      return net.predict(x);
    }
  }
}
