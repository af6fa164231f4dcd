package dev.cohort.nn;

/**
 * A differentiable operation: each implementation computes its forward value where it is created and knows its
 * vector-Jacobian product. The set is closed so that every op's rule is checked by the compiler and by
 * {@code GradientCheckTest}.
 */
sealed interface Op permits Ops.Binary, Ops.Unary, Ops.Clip, Ops.Reduce, Ops.ReduceMax, Ops.Norm, Ops.Reshape,
    Ops.Transpose, Ops.Slice, Ops.Gather, Ops.Concat, Ops.MatMul, NnOps.Conv2d, NnOps.MaxPool, NnOps.Softmax,
    NnOps.Linear, NnOps.SparseSoftmaxCrossEntropy,
    NnOps.BinaryCrossEntropyWithLogits {

  /** Adds {@code d loss / d input} to each input that requires a gradient, given {@code out}'s gradient. */
  void backward(Variable out, Variable[] in);
}
