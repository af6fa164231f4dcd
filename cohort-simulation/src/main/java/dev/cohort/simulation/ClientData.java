package dev.cohort.simulation;

import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.tensor.RandomStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A federated data set: a sorted list of client ids and, for each, a lazy {@link Dataset} of its examples, all of one
 * element type. The counterpart of TFF's {@code tff.simulation.datasets.ClientData}:
 *
 * <table>
 *   <caption>TFF and Cohort</caption>
 *   <tr><th>TFF</th><th>Cohort</th></tr>
 *   <tr><td>{@code client_ids}</td><td>{@link #clientIds()} (sorted)</td></tr>
 *   <tr><td>{@code element_type_structure}</td><td>{@link #elementType()}</td></tr>
 *   <tr><td>{@code create_tf_dataset_for_client(id)}</td><td>{@link #dataset(String)}</td></tr>
 *   <tr><td>{@code create_tf_dataset_from_all_clients(seed)}</td><td>{@link #datasetFromAllClients()},
 *       {@link #datasetFromAllClients(long)}</td></tr>
 *   <tr><td>{@code preprocess(fn)}</td><td>{@link #preprocess(UnaryOperator)}</td></tr>
 *   <tr><td>{@code from_clients_and_tf_fn(ids, fn)}</td><td>{@link #of(Collection, Type, Function)}</td></tr>
 *   <tr><td>{@code train_test_client_split(cd, n, seed)}</td><td>{@link #trainTestClientSplit(int, long)}</td></tr>
 * </table>
 *
 * <p>Nothing is read when a ClientData is built or preprocessed: a client's examples are read when its dataset is
 * iterated, and released after the pass.
 */
public final class ClientData {
  /** The purpose folded into the streams that order clients, so that they differ from other uses of a seed. */
  private static final long ORDER_CLIENTS = 0x434C_4945_4E54_53L; // "CLIENTS"

  private final List<String> clientIds;
  private final Map<String, Integer> index;
  private final Type elementType;
  private final Function<String, Dataset> datasets;

  private ClientData(List<String> sortedIds, Type elementType, Function<String, Dataset> datasets) {
    this.clientIds = sortedIds;
    this.index = new HashMap<>();
    for (int i = 0; i < sortedIds.size(); i++) {
      index.put(sortedIds.get(i), i);
    }
    this.elementType = elementType;
    this.datasets = datasets;
  }

  /**
   * A ClientData over {@code clientIds} whose datasets {@code datasetFn} builds (it is called by
   * {@link #dataset(String)}, so it should be cheap and lazy: build a {@link Dataset}, read nothing). TFF's
   * {@code from_clients_and_tf_fn}.
   *
   * @throws IllegalArgumentException if an id repeats, or the element type cannot be a sequence's
   */
  public static ClientData of(Collection<String> clientIds, Type elementType, Function<String, Dataset> datasetFn) {
    Objects.requireNonNull(datasetFn, "datasetFn");
    SequenceType.of(Objects.requireNonNull(elementType, "elementType"));
    List<String> sorted = new ArrayList<>(clientIds);
    for (String id : sorted) {
      Objects.requireNonNull(id, "client id");
    }
    Collections.sort(sorted);
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).equals(sorted.get(i - 1))) {
        throw new IllegalArgumentException("client id '" + sorted.get(i) + "' appears more than once");
      }
    }
    return new ClientData(List.copyOf(sorted), elementType, datasetFn);
  }

  /** The client ids in sorted ({@link String#compareTo}) order. */
  public List<String> clientIds() {
    return clientIds;
  }

  /** The number of clients. */
  public int size() {
    return clientIds.size();
  }

  /** The type of every example. */
  public Type elementType() {
    return elementType;
  }

  /**
   * The dataset of one client (lazy: iterating it reads the client's examples).
   *
   * @throws IllegalArgumentException if there is no such client; if the dataset built for it has another element
   *     type
   */
  public Dataset dataset(String clientId) {
    requireClient(clientId);
    Dataset d = datasets.apply(clientId);
    if (!elementType.isAssignableFrom(d.elementType())) {
      throw new IllegalStateException("the dataset built for client '" + clientId + "' has elements of type "
          + d.elementType() + ", expected " + elementType);
    }
    return d;
  }

  private void requireClient(String clientId) {
    if (!index.containsKey(clientId)) {
      throw new IllegalArgumentException("no client '" + clientId + "' among the " + clientIds.size()
          + " clients" + (clientIds.isEmpty() ? "" : " ('" + clientIds.get(0) + "' .. '"
          + clientIds.get(clientIds.size() - 1) + "')"));
    }
  }

  /** The datasets of {@code clientIds}, in that order, as a lazy CLIENTS value for a computation argument. */
  public FederatedValue atClients(List<String> clientIds) {
    List<String> ids = List.copyOf(clientIds);
    ids.forEach(this::requireClient);
    return FederatedValue.atClients("client datasets", ids.size(), i -> dataset(ids.get(i)));
  }

  /** The examples of all clients, client after client in id order (TFF with {@code seed=None}). */
  public Dataset datasetFromAllClients() {
    List<String> ids = clientIds;
    return Dataset.concatenate(elementType, ids.size(), i -> dataset(ids.get((int) i)));
  }

  /**
   * The examples of all clients, client after client in an order shuffled by {@code seed}; the examples of each
   * client stay in their order, as in TFF's {@code create_tf_dataset_from_all_clients(seed)}.
   */
  public Dataset datasetFromAllClients(long seed) {
    int[] order = RandomStream.of(seed, ORDER_CLIENTS).permutation(clientIds.size());
    List<String> ids = clientIds;
    return Dataset.concatenate(elementType, ids.size(), i -> dataset(ids.get(order[(int) i])));
  }

  /**
   * A ClientData whose datasets are {@code fn} of this one's, built lazily; the new element type is that of
   * {@code fn} applied to an empty dataset of this element type (so {@code fn} must not read its dataset while
   * building it, which lazy operations never do).
   */
  public ClientData preprocess(UnaryOperator<Dataset> fn) {
    Objects.requireNonNull(fn, "fn");
    Type type = fn.apply(Dataset.empty(elementType)).elementType();
    return new ClientData(clientIds, type, id -> fn.apply(dataset(id)));
  }

  /** The clients {@code ids} (which must be clients of this ClientData), with their datasets. */
  public ClientData select(Collection<String> ids) {
    ids.forEach(this::requireClient);
    return of(ids, elementType, this::dataset);
  }

  /**
   * A split by clients: {@code numTestClients} clients drawn uniformly with {@code seed} form the test ClientData,
   * the others the train ClientData, as TFF's {@code train_test_client_split}.
   *
   * @throws IllegalArgumentException unless {@code 0 < numTestClients < size()}
   */
  public Split trainTestClientSplit(int numTestClients, long seed) {
    if (numTestClients <= 0 || numTestClients >= clientIds.size()) {
      throw new IllegalArgumentException("trainTestClientSplit: numTestClients (" + numTestClients
          + ") must be in [1, " + (clientIds.size() - 1) + "] for " + clientIds.size() + " clients");
    }
    int[] order = RandomStream.of(seed, ORDER_CLIENTS).permutation(clientIds.size());
    List<String> test = new ArrayList<>();
    List<String> train = new ArrayList<>();
    for (int i = 0; i < order.length; i++) {
      (i < numTestClients ? test : train).add(clientIds.get(order[i]));
    }
    return new Split(select(train), select(test));
  }

  /**
   * Two ClientData over disjoint clients.
   *
   * @param train the training clients
   * @param test the held-out clients
   */
  public record Split(ClientData train, ClientData test) {
    /** Checks that both are present. */
    public Split {
      Objects.requireNonNull(train, "train");
      Objects.requireNonNull(test, "test");
    }
  }

  /** {@code ClientData(73 clients, <label=int32,pixels=float32[28,28]>)}. */
  @Override
  public String toString() {
    return "ClientData(" + clientIds.size() + " clients, " + elementType + ")";
  }
}
