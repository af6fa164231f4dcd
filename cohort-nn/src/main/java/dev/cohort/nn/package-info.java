/**
 * Neural networks on cohort-tensor: reverse-mode automatic differentiation, layers, losses and weight files.
 *
 * <h2>Contents</h2>
 * <ul>
 *   <li>{@link dev.cohort.nn.Tape} and {@link dev.cohort.nn.Variable}: record operations, then
 *       {@link dev.cohort.nn.Tape#backward} computes gradients; every op's gradient is checked against finite
 *       differences;</li>
 *   <li>{@link dev.cohort.nn.Sequential}, {@link dev.cohort.nn.Layers} (Dense, Conv2D, MaxPool2D, Flatten, Reshape,
 *       Dropout, Embedding, GRU, LSTM, Activation), {@link dev.cohort.nn.Layer}, {@link dev.cohort.nn.LayerSpec},
 *       {@link dev.cohort.nn.ForwardPass}, {@link dev.cohort.nn.Parameter}: Keras-like models;</li>
 *   <li>{@link dev.cohort.nn.Models}: the standard models of federated-learning papers (the EMNIST CNN of
 *       FedAvg), defined once;</li>
 *   <li>{@link dev.cohort.nn.Initializer}, {@link dev.cohort.nn.Activation}, {@link dev.cohort.nn.Losses}: Keras'
 *       initializers, activations and losses;</li>
 *   <li>{@link dev.cohort.nn.Npz}: NumPy {@code .npz} files, so numpy and PyTorch read Cohort's weights and
 *       Cohort reads theirs.</li>
 * </ul>
 */
package dev.cohort.nn;
