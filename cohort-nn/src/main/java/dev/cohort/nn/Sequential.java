package dev.cohort.nn;

import static dev.cohort.tensor.internal.Checks.checkArgument;

import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stack of layers applied in order, built like Keras' {@code Sequential}:
 *
 * <pre>{@code
 * Sequential mlp = Sequential.builder(Shape.of(784)).seed(42)
 *     .add(Layers.dense(200, Activation.RELU))
 *     .add(Layers.dense(200, Activation.RELU))
 *     .add(Layers.dense(10))
 *     .build();
 * Tape tape = new Tape();
 * Variable loss = Losses.sparseSoftmaxCrossEntropy(mlp.call(tape.constant(x), new ForwardPass(tape, true, null)), y);
 * tape.backward(loss); // gradients now in mlp.trainableParameters().get(i).grad()
 * }</pre>
 *
 * Shapes exclude the batch dimension. Parameters are named {@code layer/param} ({@code dense_1/kernel}), which
 * are also the entry names of the model's {@code .npz} weight files.
 */
public final class Sequential {
  private final Shape inputShape;
  private final List<Layer> layers;
  private final List<Parameter> parameters;

  private Sequential(Shape inputShape, List<Layer> layers) {
    this.inputShape = inputShape;
    this.layers = List.copyOf(layers);
    List<Parameter> ps = new ArrayList<>();
    for (Layer l : layers) {
      ps.addAll(l.parameters());
    }
    this.parameters = List.copyOf(ps);
  }

  /** Starts a model whose examples have shape {@code inputShape}. */
  public static Builder builder(Shape inputShape) {
    return new Builder(inputShape);
  }

  /** Builds a {@link Sequential}; layers are created (and initialized) as they are added. */
  public static final class Builder {
    private final Shape inputShape;
    private final List<LayerSpec> specs = new ArrayList<>();
    private long seed;

    private Builder(Shape inputShape) {
      this.inputShape = inputShape;
    }

    /** The seed of the initial weights (default 0): layer {@code i}'s parameters come from stream {@code (seed, i)}. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Appends a layer. */
    public Builder add(LayerSpec spec) {
      specs.add(spec);
      return this;
    }

    /** Builds the model, naming layers as Keras does ({@code dense}, {@code dense_1}, ...). */
    public Sequential build() {
      Map<String, Integer> counts = new HashMap<>();
      List<Layer> layers = new ArrayList<>();
      Shape shape = inputShape;
      RandomStream root = RandomStream.of(seed);
      for (int i = 0; i < specs.size(); i++) {
        LayerSpec spec = specs.get(i);
        int k = counts.merge(spec.kind(), 1, Integer::sum) - 1;
        String name = k == 0 ? spec.kind() : spec.kind() + "_" + k;
        Layer layer = spec.build(shape, name, i, root.fork(i));
        layers.add(layer);
        shape = layer.outputShape();
      }
      return new Sequential(inputShape, layers);
    }
  }

  /** Per-example input shape. */
  public Shape inputShape() {
    return inputShape;
  }

  /** Per-example output shape. */
  public Shape outputShape() {
    return layers.isEmpty() ? inputShape : layers.get(layers.size() - 1).outputShape();
  }

  /** The layers in order. */
  public List<Layer> layers() {
    return layers;
  }

  /** All parameters in layer order. */
  public List<Parameter> parameters() {
    return parameters;
  }

  /** The trainable parameters in layer order. */
  public List<Parameter> trainableParameters() {
    List<Parameter> t = new ArrayList<>();
    for (Parameter p : parameters) {
      if (p.trainable()) {
        t.add(p);
      }
    }
    return Collections.unmodifiableList(t);
  }

  /** Number of scalar parameters. */
  public long parameterCount() {
    long n = 0;
    for (Parameter p : parameters) {
      n += p.shape().size();
    }
    return n;
  }

  /** Applies the model to a batch; {@code x}'s shape must be {@code [batch] + inputShape()}. */
  public Variable call(Variable x, ForwardPass pass) {
    Shape s = x.shape();
    boolean ok = s.rank() == inputShape.rank() + 1;
    for (int i = 0; ok && i < inputShape.rank(); i++) {
      ok = s.dim(i + 1) == inputShape.dim(i);
    }
    checkArgument(ok, "model input has shape %s, expected [batch] + %s", s, inputShape);
    Variable h = x;
    for (Layer l : layers) {
      h = l.call(h, pass);
    }
    return h;
  }

  /** Inference on a batch (no dropout, no gradients). */
  public Tensor predict(Tensor x) {
    Tape tape = new Tape();
    return call(tape.constant(x), new ForwardPass(tape, false, null)).value();
  }

  /** A copy of every weight by name, in layer order. */
  public Map<String, Tensor> weights() {
    Map<String, Tensor> w = new LinkedHashMap<>();
    for (Parameter p : parameters) {
      w.put(p.name(), p.value().copy());
    }
    return w;
  }

  /**
   * Replaces every weight. {@code weights} must name exactly this model's parameters with matching shapes;
   * otherwise nothing is changed and the error lists every problem.
   */
  public void setWeights(Map<String, Tensor> weights) {
    setWeights(weights, "weights");
  }

  void setWeights(Map<String, Tensor> weights, String source) {
    List<String> problems = new ArrayList<>();
    for (Parameter p : parameters) {
      Tensor t = weights.get(p.name());
      if (t == null) {
        problems.add("missing entry '" + p.name() + "' (expected float32" + p.shape() + ")");
      } else if (t.dtype() != dev.cohort.tensor.DType.FLOAT32 || !t.shape().equals(p.shape())) {
        problems.add("entry '" + p.name() + "' is " + t.dtype() + t.shape() + ", expected float32" + p.shape());
      }
    }
    for (String name : weights.keySet()) {
      if (parameters.stream().noneMatch(p -> p.name().equals(name))) {
        problems.add("unexpected entry '" + name + "' (the model has no such parameter)");
      }
    }
    checkArgument(problems.isEmpty(), "%s does not match the model: %s", source, String.join("; ", problems));
    for (Parameter p : parameters) {
      p.set(weights.get(p.name()));
    }
  }

  /** Writes the weights to a NumPy {@code .npz} file (atomically: a temporary file renamed into place). */
  public void saveWeights(Path file) throws IOException {
    Npz.write(file, weights());
  }

  /** Loads weights from a {@code .npz} file; all or nothing (see {@link #setWeights}). */
  public void loadWeights(Path file) throws IOException {
    setWeights(Npz.read(file), file.toString());
  }

  /** A Keras-like table of layers, output shapes and parameter counts. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%-24s %-20s %10s%n", "Layer", "Output shape", "Params"));
    for (Layer l : layers) {
      long n = 0;
      for (Parameter p : l.parameters()) {
        n += p.shape().size();
      }
      String shape = l.outputShape().rank() == 0 ? "[?]" : "[?, " + l.outputShape().toString().substring(1);
      sb.append(String.format("%-24s %-20s %10d%n", l.name(), shape, n));
    }
    sb.append(String.format("Total params: %d%n", parameterCount()));
    return sb.toString();
  }
}
