/**
 * Runtime values of the Federated Core's types, besides {@link dev.cohort.tensor.Tensor}:
 * {@link dev.cohort.core.values.Struct} (of a struct type), {@link dev.cohort.core.values.Sequence} (of a sequence
 * type, possibly lazy) and {@link dev.cohort.core.values.FederatedValue} (of a federated type, possibly one member
 * per client computed on demand).
 */
package dev.cohort.core.values;
