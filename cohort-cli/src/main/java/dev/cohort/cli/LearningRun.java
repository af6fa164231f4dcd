package dev.cohort.cli;

import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.models.ModelWorker;
import dev.cohort.privacy.DpEvent;
import dev.cohort.privacy.NeighboringRelation;
import dev.cohort.privacy.RdpAccountant;
import dev.cohort.simulation.Dataset;
import dev.cohort.simulation.training.IterativeProcess;
import dev.cohort.simulation.training.Metrics;
import dev.cohort.simulation.training.RoundOutput;
import dev.cohort.simulation.training.TensorStates;
import dev.cohort.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code cohort train} run as the simulation's {@link IterativeProcess}, so that cohort-simulation's
 * {@link dev.cohort.simulation.training.TrainingLoop} drives it (checkpoints, resume, TensorBoard). Round {@code r}
 * trains the clients {@code sampler.sample(r)}, each shuffling its examples keyed on (seed, r, client), and is
 * evaluated when {@link TrainConfig#evaluates} says so; its metrics hold only what the round computes, so that a
 * resumed run releases the same ones.
 *
 * <p>Metrics: {@code clients}, {@code examples}, {@code train/loss} and {@code train/accuracy} (when clients took
 * part), {@code bits_up} and {@code bits_down} (cohort-learning's {@code Communication} measurements),
 * {@code epsilon} (with DP), {@code evaluation/loss} and
 * {@code evaluation/accuracy} (evaluated rounds), then the process's own under {@code process/}.
 *
 * <p>A state is saved by {@link TensorStates}: its tensors in depth-first order; it loads into the structure of the
 * initial state, so a checkpoint of another structure is refused.
 */
final class LearningRun implements IterativeProcess<Object> {
  private final TrainConfig config;
  private final TrainData data;
  private final Training.Setup setup;
  private final ModelWorker evaluator;
  private Object template;

  LearningRun(TrainConfig config, TrainData data, Training.Setup setup) {
    this.config = config;
    this.data = data;
    this.setup = setup;
    this.evaluator = setup.model().newWorker();
  }

  @Override
  public Object initialize() {
    Object state = setup.process().initialize().call();
    template = state;
    return state;
  }

  @Override
  public RoundOutput<Object> next(Object state, FederatedValue clientData, int round) {
    List<String> ids = setup.sampler().sample(round);
    if (ids.size() != clientData.size()) {
      throw new IllegalStateException("internal: round " + round + " has " + clientData.size() + " datasets for "
          + ids.size() + " sampled clients");
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("clients", (double) ids.size());
    Object next = state;
    Map<String, Double> own = Map.of();
    if (ids.isEmpty()) { // Poisson sampling can draw nobody: the round then changes nothing and sends nothing
      m.put("examples", 0.0);
      m.put("bits_up", 0.0);
      m.put("bits_down", 0.0);
    } else {
      Struct out = (Struct) setup.process().next().call(state, roundData(clientData, ids, round));
      next = out.get("state");
      Struct train = (Struct) ((Struct) ((Struct) ((FederatedValue) out.get("metrics")).value())
          .get("client_work")).get("train");
      m.put("examples", scalar(train.get("num_examples")));
      m.put("train/loss", scalar(train.get("loss")));
      m.put("train/accuracy", scalar(train.get(data.accuracyMetric().name())));
      own = Metrics.flatten(out.get("metrics"));
      m.put("bits_up", own.get("communication/aggregated_bits"));
      m.put("bits_down", own.get("communication/broadcasted_bits"));
    }
    if (config.noiseMultiplier() != null) {
      m.put("epsilon", epsilon(round));
    }
    if (config.evaluates(round)) {
      double[] eval = evaluate(weights(next));
      m.put("evaluation/loss", eval[0]);
      m.put("evaluation/accuracy", eval[1]);
    }
    own.forEach((k, v) -> m.put("process/" + k, v));
    return new RoundOutput<>(next, m);
  }

  /**
   * What a checkpoint must agree on: the command line that reruns the run, without {@code --threads} and
   * {@code --checkpoint-every} (which change no bit).
   */
  @Override
  public String fingerprint() {
    List<String> args = new ArrayList<>(config.commandLine());
    for (String free : List.of("--threads", "--checkpoint-every")) {
      int t = args.indexOf(free);
      args.subList(t, t + 2).clear();
    }
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(String.join("\u0000", args).getBytes(StandardCharsets.UTF_8));
      return "cohort train sha256:" + HexFormat.of().formatHex(d.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  @Override
  public byte[] saveState(Object state) {
    return TensorStates.save(state);
  }

  @Override
  public Object loadState(byte[] bytes) {
    return TensorStates.load(bytes, template != null ? template : initialize());
  }

  /** The model weights of {@code state}. */
  ModelWeights weights(Object state) {
    Object member = state instanceof FederatedValue f ? f.value() : state;
    Object w = setup.process().getModelWeights().call(member);
    return ModelWeights.fromValue(w instanceof FederatedValue f ? f.value() : w);
  }

  /** Round {@code round}'s client datasets: each client's examples shuffled on (seed, round, client), batched. */
  private FederatedValue roundData(FederatedValue datasets, List<String> ids, int round) {
    return FederatedValue.atClients("round " + round + " client datasets", ids.size(), i -> {
      Dataset d = (Dataset) datasets.member(i);
      if (config.shuffle()) {
        d = d.shuffle((int) Math.max(1, d.count()), config.seed(), round,
            data.train().clientIds().indexOf(ids.get(i)));
      }
      return d.repeat(config.epochs()).batch(config.batchSize());
    });
  }

  /** Loss and accuracy over every test example of every client (pooled). */
  private double[] evaluate(ModelWeights weights) {
    evaluator.setWeights(weights);
    return Evaluator.pooled(Evaluator.perClient(evaluator, data, data.test()));
  }

  /** The ε of {@code round} rounds of the Gaussian mechanism, amplified by the run's sampling. */
  private double epsilon(int round) {
    int population = data.train().clientIds().size();
    DpEvent gaussian = DpEvent.gaussian(config.noiseMultiplier());
    DpEvent each = switch (config.sampling()) {
      case "uniform" -> DpEvent.sampledWithoutReplacement(population, config.clientsPerRound(), gaussian);
      case "poisson" -> DpEvent.poissonSampled((double) config.clientsPerRound() / population, gaussian);
      default -> gaussian; // a fixed cohort: no amplification by sampling
    };
    // Fixed-size sampling is accounted under replace-one neighbours, as dp_accounting requires; the others under
    // add-or-remove-one, the accountant's default.
    RdpAccountant accountant = config.sampling().equals("uniform")
        ? RdpAccountant.builder().neighboringRelation(NeighboringRelation.REPLACE_ONE).build() : RdpAccountant.create();
    return accountant.compose(each, round).epsilon(config.delta()).epsilon();
  }

  private static double scalar(Object t) {
    return ((Tensor) t).getDouble();
  }
}
