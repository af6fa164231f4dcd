package dev.cohort.simulation.training;

import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.templates.LearningProcess;
import dev.cohort.simulation.Dataset;
import java.util.Map;
import java.util.Objects;

/**
 * A cohort-learning {@link LearningProcess} as the {@link IterativeProcess} that the {@link TrainingLoop} drives:
 * round {@code r} calls the process's {@code next} on the state and the sampled clients' datasets, each prepared by
 * {@link ClientPreparation} from the round and the client's position in the round's sample (e.g. shuffled on
 * {@code (seed, round, position)}, repeated for the local epochs and batched), and releases the process's metrics
 * flattened ({@link Metrics#flatten}: {@code client_work/train/loss}, ...). A round that samples no client (Poisson
 * sampling can) changes nothing and releases no metric.
 *
 * <pre>{@code
 * IterativeProcess<Object> run = LearningProcessRun.of(FedAvg.weighted(model, Optimizer.sgdm(0.1)), "femnist cnn lr 0.1",
 *     (d, round, client) -> d.shuffle(100, seed, round, client).repeat(5).batch(20));
 * TrainingLoop.builder(run, train, ClientSampler.uniform(train.clientIds(), 10, seed), 100)
 *     .checkpoints(dir, 5, 3).build().run();
 * }</pre>
 *
 * <p>State is checkpointed with {@link TensorStates}. The fingerprint is the caller's description followed by the
 * type signature of the process's {@code next}, so that a checkpoint of another model (other weights' shapes) or
 * another algorithm state is refused on resume even under the same description.
 */
public final class LearningProcessRun implements IterativeProcess<Object> {
  /** Prepares one sampled client's dataset for its round. */
  @FunctionalInterface
  public interface ClientPreparation {
    /**
     * The dataset the client trains on in {@code round}.
     *
     * @param dataset the client's dataset as its ClientData gives it
     * @param round the round, from 1
     * @param client the client's position in the round's sample, from 0
     */
    Dataset prepare(Dataset dataset, int round, int client);
  }

  private final LearningProcess process;
  private final String description;
  private final ClientPreparation preparation;
  private Object template;

  private LearningProcessRun(LearningProcess process, String description, ClientPreparation preparation) {
    this.process = process;
    this.description = description;
    this.preparation = preparation;
  }

  /**
   * The process, described by {@code description} (what the fingerprint should tell apart beyond the types:
   * hyper-parameters, data, seed), with each client's dataset prepared by {@code preparation}.
   */
  public static LearningProcessRun of(LearningProcess process, String description, ClientPreparation preparation) {
    return new LearningProcessRun(Objects.requireNonNull(process, "process"),
        Objects.requireNonNull(description, "description"), Objects.requireNonNull(preparation, "preparation"));
  }

  /** The process driven. */
  public LearningProcess process() {
    return process;
  }

  @Override
  public Object initialize() {
    Object state = process.initialize().call();
    template = state;
    return state;
  }

  @Override
  public RoundOutput<Object> next(Object state, FederatedValue clientData, int round) {
    if (clientData.size() == 0) {
      return new RoundOutput<>(state, Map.of());
    }
    FederatedValue prepared = FederatedValue.atClients("round " + round + " client datasets", clientData.size(),
        i -> preparation.prepare((Dataset) clientData.member(i), round, i));
    Struct out = (Struct) process.next().call(state, prepared);
    return new RoundOutput<>(out.get("state"), Metrics.flatten(out.get("metrics")));
  }

  @Override
  public String fingerprint() {
    return description + "; next: " + process.next().typeSignature();
  }

  @Override
  public byte[] saveState(Object state) {
    return TensorStates.save(state);
  }

  @Override
  public Object loadState(byte[] bytes) {
    return TensorStates.load(bytes, template != null ? template : initialize());
  }
}
