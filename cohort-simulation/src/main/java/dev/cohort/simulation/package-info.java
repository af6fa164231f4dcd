/**
 * The simulation toolkit: federated data sets as TFF's {@code tff.simulation} has them.
 *
 * <h2>Contents</h2>
 * <ul>
 *   <li>{@link dev.cohort.simulation.Dataset}: a lazy, re-iterable, typed dataset that is a
 *       {@link dev.cohort.core.values.Sequence} (map, filter, repeat, keyed shuffle, batch, take, skip).
 *   <li>{@link dev.cohort.simulation.ClientData}: sorted client ids with a lazy dataset per client; preprocessing,
 *       all clients as one dataset, train/test split by clients.
 *   <li>{@link dev.cohort.simulation.ClientSampler}: which clients take part in round {@code r} (uniform without
 *       replacement, Poisson, fixed), keyed on the seed and the round.
 *   <li>{@link dev.cohort.simulation.Partitioner}: splits centralized data into clients (IID, Dirichlet over
 *       labels, label shards), with a {@link dev.cohort.simulation.LabelSkew} summary.
 * </ul>
 *
 * <p>Loaders for files live in {@link dev.cohort.simulation.datasets}, one layer up.
 */
package dev.cohort.simulation;
