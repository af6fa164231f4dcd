/**
 * Cohort's numeric engine: dense tensors and their kernels.
 *
 * <h2>Contents</h2>
 * <ul>
 *   <li>{@link dev.cohort.tensor.Tensor}, {@link dev.cohort.tensor.DType}, {@link dev.cohort.tensor.Shape}: row-major
 *       tensors in heap arrays, with broadcasting arithmetic, comparisons, reductions, layout and indexing ops,
 *       matrix products, convolution, pooling and softmax;</li>
 *   <li>{@link dev.cohort.tensor.Blas}: the GEMM route (netlib JNI to the system's OpenBLAS, or a pure-Java
 *       fallback) and which one is in use;</li>
 *   <li>{@link dev.cohort.tensor.Convolution}, {@link dev.cohort.tensor.Conv2dGeometry},
 *       {@link dev.cohort.tensor.Padding}: NHWC convolution and pooling kernels, forward and backward, on arrays;</li>
 *   <li>{@link dev.cohort.tensor.RandomStream}: keyed Philox-4x32-10 streams, the only source of randomness in
 *       Cohort.</li>
 * </ul>
 * {@code dev.cohort.tensor.internal} holds argument checks shared by every module; it is not API.
 */
package dev.cohort.tensor;
