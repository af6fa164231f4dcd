package dev.cohort.learning.models;

import dev.cohort.tensor.Tensor;

/**
 * The result of a forward pass on one batch, TFF's {@code BatchOutput}.
 *
 * @param loss the batch loss, a float32 scalar (the mean over the batch's examples)
 * @param predictions the model's output for the batch, {@code [batch, ...]}
 * @param numExamples the number of examples in the batch
 */
public record BatchOutput(Tensor loss, Tensor predictions, int numExamples) {}
