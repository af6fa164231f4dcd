/**
 * Pure optimizers, TFF's {@code tff.learning.optimizers}: {@link dev.cohort.learning.optimizers.Optimizer} and its
 * catalogue of factories ({@code sgdm}, {@code adagrad}, {@code adam}, {@code adamw}, {@code rmsprop}, {@code yogi},
 * {@code adafactor}, {@code scheduleLearningRate}). Each optimizer is a validated record of its initial
 * hyper-parameters; its state, a {@link dev.cohort.core.values.Struct} under TFF's keys, carries the
 * hyper-parameters from then on.
 */
package dev.cohort.learning.optimizers;
