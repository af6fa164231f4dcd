package dev.cohort.nn;

import dev.cohort.tensor.Padding;
import dev.cohort.tensor.Shape;

/**
 * A catalogue of the standard models of federated-learning papers and tutorials, each built exactly as its
 * reference defines it, so that benchmarks, tests and the learning algorithms train the same network (the
 * counterpart of fedjax's {@code models/emnist.py} and TFF's {@code simulation/models}).
 */
public final class Models {
  private Models() {}

  /**
   * The EMNIST CNN of the FedAvg paper (McMahan et al. 2017, "Communication-Efficient Learning of Deep Networks
   * from Decentralized Data", arXiv:1602.05629), as TFF builds it ({@code create_original_fedavg_cnn_model}) and
   * its tutorials train it: on {@code [28, 28, 1]} images,
   *
   * <pre>
   * conv2d     32 filters 5x5, SAME padding, ReLU    [?, 28, 28, 32]       832
   * max pool   2x2                                   [?, 14, 14, 32]
   * conv2d_1   64 filters 5x5, SAME padding, ReLU    [?, 14, 14, 64]    51,264
   * max pool   2x2                                   [?,  7,  7, 64]
   * flatten                                          [?, 3136]
   * dense      512 units, ReLU                       [?, 512]        1,606,144
   * dense_1    10 or 62 units, logits                [?, 10 | 62]        5,130 | 31,806
   * </pre>
   *
   * <p>1,663,370 parameters for the 10 digits, 1,690,046 for all 62 classes (digits and both cases of letters).
   * Kernels start Glorot-uniform and biases at zero, as Keras initialises them; the output is logits, for
   * {@link Losses#sparseSoftmaxCrossEntropy}. (TFF pools with SAME padding; on 28 and 14 pixels that equals
   * VALID, which this uses.)
   *
   * @param onlyDigits true for EMNIST's 10 digit classes, false for its 62 classes
   * @param seed the seed of the initial weights ({@code RandomStream.of(seed)}, forked per layer)
   */
  public static Sequential emnistCnn(boolean onlyDigits, long seed) {
    return Sequential.builder(Shape.of(28, 28, 1)).seed(seed)
        .add(Layers.conv2d(32, 5).withPadding(Padding.SAME).withActivation(Activation.RELU))
        .add(Layers.maxPool2d(2))
        .add(Layers.conv2d(64, 5).withPadding(Padding.SAME).withActivation(Activation.RELU))
        .add(Layers.maxPool2d(2))
        .add(Layers.flatten())
        .add(Layers.dense(512, Activation.RELU))
        .add(Layers.dense(onlyDigits ? 10 : 62))
        .build();
  }
}
