/**
 * Federated learning on the Federated Core: TFF's {@code tff.learning} in Java.
 *
 * <p>The packages form layers, each using only those below it: this package ({@link dev.cohort.learning.Nest},
 * structures of tensors) ← {@code optimizers} (pure optimizers) and {@code models} (functional models, metrics)
 * ← {@code templates} (distributor, client work, finalizer, {@code LearningProcess}) ← {@code algorithms}
 * (FedAvg and friends, one file each).
 */
package dev.cohort.learning;
