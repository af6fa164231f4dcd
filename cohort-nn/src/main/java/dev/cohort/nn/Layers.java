package dev.cohort.nn;

import static dev.cohort.tensor.internal.Checks.checkArgument;

import dev.cohort.tensor.Padding;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in layers, as Keras defines them: each factory returns an immutable spec whose {@code with...}
 * methods change one setting. Kernels default to Glorot-uniform and biases to zeros, as in Keras.
 *
 * <pre>{@code
 * Sequential cnn = Sequential.builder(Shape.of(28, 28, 1)).seed(1)
 *     .add(Layers.conv2d(32, 5).withPadding(Padding.SAME).withActivation(Activation.RELU))
 *     .add(Layers.maxPool2d(2))
 *     .add(Layers.flatten())
 *     .add(Layers.dense(62))
 *     .build();
 * }</pre>
 */
public final class Layers {
  private Layers() {}

  /** A fully connected layer over the last axis: {@code activation(x W + b)}. */
  public static Dense dense(int units) {
    return new Dense(units, Activation.LINEAR, true, Initializer.glorotUniform(), Initializer.zeros());
  }

  /** A dense layer with an activation. */
  public static Dense dense(int units, Activation activation) {
    return dense(units).withActivation(activation);
  }

  /** A 2-D convolution (NHWC) with {@code filters} square {@code kernel x kernel} filters, stride 1, VALID padding. */
  public static Conv2D conv2d(int filters, int kernel) {
    return new Conv2D(filters, kernel, kernel, 1, 1, Padding.VALID, Activation.LINEAR, true, Initializer.glorotUniform(), Initializer.zeros());
  }

  /** 2-D max pooling with a square window; strides default to the window, padding VALID. */
  public static MaxPool2D maxPool2d(int size) {
    return new MaxPool2D(size, size, size, size, Padding.VALID);
  }

  /** Flattens each example to one dimension. */
  public static Flatten flatten() {
    return new Flatten();
  }

  /** Reshapes each example to {@code shape} (one entry may be -1). */
  public static Reshape reshape(int... shape) {
    return new Reshape(java.util.Arrays.stream(shape).boxed().toList());
  }

  /** Drops each input to zero with probability {@code rate} in training, scaling the rest by {@code 1/(1-rate)}. */
  public static Dropout dropout(double rate) {
    return new Dropout(rate);
  }

  /** Maps int32/int64 token ids in {@code [0, vocabulary)} to {@code dimension}-vectors (init U(-0.05, 0.05)). */
  public static Embedding embedding(int vocabulary, int dimension) {
    return new Embedding(vocabulary, dimension, Initializer.uniform(-0.05f, 0.05f));
  }

  /** A GRU over {@code [time, features]} (Keras v2 semantics, {@code reset_after=True}); last step out by default. */
  public static Gru gru(int units) {
    return new Gru(units, false, Initializer.glorotUniform(), Initializer.orthogonal(1f));
  }

  /** An LSTM over {@code [time, features]} (Keras semantics, {@code unit_forget_bias=True}); last step out by default. */
  public static Lstm lstm(int units) {
    return new Lstm(units, false, Initializer.glorotUniform(), Initializer.orthogonal(1f));
  }

  /** Applies an activation function. */
  public static ActivationLayer activation(Activation activation) {
    return new ActivationLayer(activation);
  }

  // ---------------------------------------------------------------- specs

  /** Spec of a dense layer. */
  public record Dense(int units, Activation activation, boolean useBias, Initializer kernelInitializer, Initializer biasInitializer)
      implements LayerSpec {
    /** Validates the settings. */
    public Dense {
      checkArgument(units > 0, "dense: units (%s) must be > 0", units);
    }

    /** With another activation. */
    public Dense withActivation(Activation a) {
      return new Dense(units, a, useBias, kernelInitializer, biasInitializer);
    }

    /** With or without a bias. */
    public Dense withBias(boolean b) {
      return new Dense(units, activation, b, kernelInitializer, biasInitializer);
    }

    /** With another kernel initializer. */
    public Dense withKernelInitializer(Initializer i) {
      return new Dense(units, activation, useBias, i, biasInitializer);
    }

    @Override
    public String kind() {
      return "dense";
    }

    @Override
    public Layer build(Shape input, String name, int index, RandomStream init) {
      checkArgument(input.rank() >= 1, "%s: input shape %s must have at least one dimension", name, input);
      int in = input.dim(-1);
      Parameter kernel = new Parameter(name + "/kernel", kernelInitializer.initialize(Shape.of(in, units), init.fork(0)), true);
      Parameter bias = useBias ? new Parameter(name + "/bias", biasInitializer.initialize(Shape.of(units), init.fork(1)), true) : null;
      int[] out = input.dims();
      out[out.length - 1] = units;
      Shape outShape = Shape.of(out);
      List<Parameter> params = bias == null ? List.of(kernel) : List.of(kernel, bias);
      return new Built(name, outShape, params, (x, pass) ->
          NnOps.linear(x, pass.bind(kernel), bias == null ? null : pass.bind(bias), activation));
    }
  }

  /** Spec of a 2-D convolution. */
  public record Conv2D(int filters, int kernelH, int kernelW, int strideH, int strideW, Padding padding, Activation activation,
      boolean useBias, Initializer kernelInitializer, Initializer biasInitializer) implements LayerSpec {
    /** Validates the settings. */
    public Conv2D {
      checkArgument(filters > 0 && kernelH > 0 && kernelW > 0, "conv2d: filters (%s) and kernel (%sx%s) must be > 0", filters, kernelH, kernelW);
      checkArgument(strideH > 0 && strideW > 0, "conv2d: strides (%s, %s) must be > 0", strideH, strideW);
      checkArgument(activation != Activation.SOFTMAX, "conv2d: softmax activation is not supported; add Layers.activation(SOFTMAX)");
    }

    /** With padding. */
    public Conv2D withPadding(Padding p) {
      return new Conv2D(filters, kernelH, kernelW, strideH, strideW, p, activation, useBias, kernelInitializer, biasInitializer);
    }

    /** With strides. */
    public Conv2D withStrides(int sh, int sw) {
      return new Conv2D(filters, kernelH, kernelW, sh, sw, padding, activation, useBias, kernelInitializer, biasInitializer);
    }

    /** With an activation. */
    public Conv2D withActivation(Activation a) {
      return new Conv2D(filters, kernelH, kernelW, strideH, strideW, padding, a, useBias, kernelInitializer, biasInitializer);
    }

    /** With or without a bias. */
    public Conv2D withBias(boolean b) {
      return new Conv2D(filters, kernelH, kernelW, strideH, strideW, padding, activation, b, kernelInitializer, biasInitializer);
    }

    /** With another kernel initializer. */
    public Conv2D withKernelInitializer(Initializer i) {
      return new Conv2D(filters, kernelH, kernelW, strideH, strideW, padding, activation, useBias, i, biasInitializer);
    }

    @Override
    public String kind() {
      return "conv2d";
    }

    @Override
    public Layer build(Shape input, String name, int index, RandomStream init) {
      checkArgument(input.rank() == 3, "%s: input shape %s must be [height, width, channels]", name, input);
      int c = input.dim(2);
      Shape ks = Shape.of(kernelH, kernelW, c, filters);
      Parameter kernel = new Parameter(name + "/kernel", kernelInitializer.initialize(ks, init.fork(0)), true);
      Parameter bias = useBias ? new Parameter(name + "/bias", biasInitializer.initialize(Shape.of(filters), init.fork(1)), true) : null;
      checkArgument(padding == Padding.SAME || (kernelH <= input.dim(0) && kernelW <= input.dim(1)),
          "%s: VALID %sx%s kernel is larger than the input %s", name, kernelH, kernelW, input);
      Shape out = Shape.of(padding.outputSize(input.dim(0), kernelH, strideH), padding.outputSize(input.dim(1), kernelW, strideW), filters);
      List<Parameter> params = bias == null ? List.of(kernel) : List.of(kernel, bias);
      return new Built(name, out, params, (x, pass) ->
          NnOps.conv2d(x, pass.bind(kernel), bias == null ? null : pass.bind(bias), strideH, strideW, padding, activation));
    }
  }

  /** Spec of 2-D max pooling. */
  public record MaxPool2D(int poolH, int poolW, int strideH, int strideW, Padding padding) implements LayerSpec {
    /** Validates the settings. */
    public MaxPool2D {
      checkArgument(poolH > 0 && poolW > 0 && strideH > 0 && strideW > 0, "maxPool2d: pool (%sx%s) and strides (%s, %s) must be > 0",
          poolH, poolW, strideH, strideW);
    }

    /** With strides. */
    public MaxPool2D withStrides(int sh, int sw) {
      return new MaxPool2D(poolH, poolW, sh, sw, padding);
    }

    /** With padding. */
    public MaxPool2D withPadding(Padding p) {
      return new MaxPool2D(poolH, poolW, strideH, strideW, p);
    }

    @Override
    public String kind() {
      return "max_pooling2d";
    }

    @Override
    public Layer build(Shape input, String name, int index, RandomStream init) {
      checkArgument(input.rank() == 3, "%s: input shape %s must be [height, width, channels]", name, input);
      Shape out = Shape.of(padding.outputSize(input.dim(0), poolH, strideH), padding.outputSize(input.dim(1), poolW, strideW), input.dim(2));
      return new Built(name, out, List.of(), (x, pass) -> x.maxPool(poolH, poolW, strideH, strideW, padding));
    }
  }

  /** Spec of a flatten layer. */
  public record Flatten() implements LayerSpec {
    @Override
    public String kind() {
      return "flatten";
    }

    @Override
    public Layer build(Shape input, String name, int index, RandomStream init) {
      int n = input.size();
      return new Built(name, Shape.of(n), List.of(), (x, pass) -> x.reshape(x.shape().dim(0), n));
    }
  }

  /** Spec of a reshape layer; {@code shape} is per example, one entry may be -1. */
  public record Reshape(List<Integer> shape) implements LayerSpec {
    /** Copies the shape. */
    public Reshape {
      shape = List.copyOf(shape);
    }

    @Override
    public String kind() {
      return "reshape";
    }

    @Override
    public Layer build(Shape input, String name, int index, RandomStream init) {
      int[] target = shape.stream().mapToInt(Integer::intValue).toArray();
      Shape out = Tensor.zeros(dev.cohort.tensor.DType.BOOL, input).reshape(target).shape();
      return new Built(name, out, List.of(), (x, pass) -> {
        int[] dims = new int[out.rank() + 1];
        dims[0] = x.shape().dim(0);
        System.arraycopy(out.dims(), 0, dims, 1, out.rank());
        return x.reshape(dims);
      });
    }
  }

  /** Spec of a dropout layer. */
  public record Dropout(double rate) implements LayerSpec {
    /** Validates the rate. */
    public Dropout {
      checkArgument(rate >= 0 && rate < 1, "dropout: rate (%s) must be in [0, 1)", rate);
    }

    @Override
    public String kind() {
      return "dropout";
    }

    @Override
    public Layer build(Shape input, String name, int index, RandomStream init) {
      return new Built(name, input, List.of(), (x, pass) -> {
        if (!pass.training() || rate == 0) {
          return x;
        }
        Tensor keep = pass.random(index, name).bernoulli(x.shape(), 1 - rate).cast(dev.cohort.tensor.DType.FLOAT32);
        return x.mul(pass.tape().constant(keep.mul((float) (1 / (1 - rate)))));
      });
    }
  }

  /** Spec of an embedding layer. */
  public record Embedding(int vocabulary, int dimension, Initializer initializer) implements LayerSpec {
    /** Validates the sizes. */
    public Embedding {
      checkArgument(vocabulary > 0 && dimension > 0, "embedding: vocabulary (%s) and dimension (%s) must be > 0", vocabulary, dimension);
    }

    @Override
    public String kind() {
      return "embedding";
    }

    @Override
    public Layer build(Shape input, String name, int index, RandomStream init) {
      Parameter table = new Parameter(name + "/embeddings", initializer.initialize(Shape.of(vocabulary, dimension), init.fork(0)), true);
      int[] out = java.util.Arrays.copyOf(input.dims(), input.rank() + 1);
      out[input.rank()] = dimension;
      return new Built(name, Shape.of(out), List.of(table), (x, pass) -> pass.bind(table).gather(x.value(), 0));
    }
  }

  /** Spec of a GRU layer. */
  public record Gru(int units, boolean returnSequences, Initializer kernelInitializer, Initializer recurrentInitializer)
      implements LayerSpec {
    /** Validates the size. */
    public Gru {
      checkArgument(units > 0, "gru: units (%s) must be > 0", units);
    }

    /** Returning every step's output ({@code [time, units]}) instead of the last. */
    public Gru withReturnSequences(boolean r) {
      return new Gru(units, r, kernelInitializer, recurrentInitializer);
    }

    @Override
    public String kind() {
      return "gru";
    }

    @Override
    public Layer build(Shape input, String name, int index, RandomStream init) {
      checkArgument(input.rank() == 2, "%s: input shape %s must be [time, features]", name, input);
      int in = input.dim(1);
      Parameter kernel = new Parameter(name + "/kernel", kernelInitializer.initialize(Shape.of(in, 3 * units), init.fork(0)), true);
      Parameter recurrent = new Parameter(name + "/recurrent_kernel",
          recurrentInitializer.initialize(Shape.of(units, 3 * units), init.fork(1)), true);
      Parameter bias = new Parameter(name + "/bias", Tensor.zeros(2, 3 * units), true);
      Shape out = returnSequences ? Shape.of(input.dim(0), units) : Shape.of(units);
      return new Built(name, out, List.of(kernel, recurrent, bias), (x, pass) ->
          Recurrent.gru(x, pass.bind(kernel), pass.bind(recurrent), pass.bind(bias), units, returnSequences));
    }
  }

  /** Spec of an LSTM layer. */
  public record Lstm(int units, boolean returnSequences, Initializer kernelInitializer, Initializer recurrentInitializer)
      implements LayerSpec {
    /** Validates the size. */
    public Lstm {
      checkArgument(units > 0, "lstm: units (%s) must be > 0", units);
    }

    /** Returning every step's output ({@code [time, units]}) instead of the last. */
    public Lstm withReturnSequences(boolean r) {
      return new Lstm(units, r, kernelInitializer, recurrentInitializer);
    }

    @Override
    public String kind() {
      return "lstm";
    }

    @Override
    public Layer build(Shape input, String name, int index, RandomStream init) {
      checkArgument(input.rank() == 2, "%s: input shape %s must be [time, features]", name, input);
      int in = input.dim(1);
      Parameter kernel = new Parameter(name + "/kernel", kernelInitializer.initialize(Shape.of(in, 4 * units), init.fork(0)), true);
      Parameter recurrent = new Parameter(name + "/recurrent_kernel",
          recurrentInitializer.initialize(Shape.of(units, 4 * units), init.fork(1)), true);
      float[] b = new float[4 * units];
      java.util.Arrays.fill(b, units, 2 * units, 1f); // unit_forget_bias
      Parameter bias = new Parameter(name + "/bias", Tensor.of(b, 4 * units), true);
      Shape out = returnSequences ? Shape.of(input.dim(0), units) : Shape.of(units);
      return new Built(name, out, List.of(kernel, recurrent, bias), (x, pass) ->
          Recurrent.lstm(x, pass.bind(kernel), pass.bind(recurrent), pass.bind(bias), units, returnSequences));
    }
  }

  /** Spec of an activation layer. */
  public record ActivationLayer(Activation activation) implements LayerSpec {
    @Override
    public String kind() {
      return "activation";
    }

    @Override
    public Layer build(Shape input, String name, int index, RandomStream init) {
      return new Built(name, input, List.of(), (x, pass) -> activation.apply(x));
    }
  }

  // ---------------------------------------------------------------- built layers

  @FunctionalInterface
  interface Forward {
    Variable apply(Variable x, ForwardPass pass);
  }

  /** A built layer: name, output shape, parameters and its forward function. */
  record Built(String name, Shape outputShape, List<Parameter> parameters, Forward forward) implements Layer {
    Built {
      parameters = List.copyOf(new ArrayList<>(parameters));
    }

    @Override
    public Variable call(Variable x, ForwardPass pass) {
      return forward.apply(x, pass);
    }
  }
}
