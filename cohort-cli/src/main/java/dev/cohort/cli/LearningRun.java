package dev.cohort.cli;

import dev.cohort.core.types.Placement;
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
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
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
 * <p>A state is saved as its tensors in depth-first order (dtype, shape, values); it loads into the structure of
 * the initial state, so a checkpoint of another structure is refused.
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
    List<Tensor> leaves = new ArrayList<>();
    leaves(state, leaves);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(leaves.size());
      for (Tensor t : leaves) {
        out.writeUTF(t.dtype().name());
        int[] dims = t.shape().dims();
        out.writeInt(dims.length);
        for (int d : dims) {
          out.writeInt(d);
        }
        switch (t.dtype()) {
          case FLOAT32 -> {
            for (float f : t.floatData()) {
              out.writeFloat(f);
            }
          }
          case INT32 -> {
            for (int v : t.intData()) {
              out.writeInt(v);
            }
          }
          case INT64 -> {
            for (long v : t.longData()) {
              out.writeLong(v);
            }
          }
          case BOOL -> {
            for (boolean v : t.boolData()) {
              out.writeBoolean(v);
            }
          }
          default -> throw new IllegalStateException("internal: a training state holds a " + t.dtype() + " tensor");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  @Override
  public Object loadState(byte[] bytes) {
    Object shape = template != null ? template : initialize();
    List<Tensor> expected = new ArrayList<>();
    leaves(shape, expected);
    List<Tensor> read = new ArrayList<>();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int n = in.readInt();
      if (n != expected.size()) {
        throw new IllegalArgumentException("it holds " + n + " tensors, the state of this run " + expected.size());
      }
      for (int i = 0; i < n; i++) {
        Tensor want = expected.get(i);
        String dtype = in.readUTF();
        int[] dims = new int[in.readInt()];
        for (int d = 0; d < dims.length; d++) {
          dims[d] = in.readInt();
        }
        if (!dtype.equals(want.dtype().name()) || !Shape.of(dims).equals(want.shape())) {
          throw new IllegalArgumentException("tensor " + i + " is " + dtype + Shape.of(dims) + ", expected "
              + want.dtype().name() + want.shape());
        }
        int size = want.size();
        read.add(switch (want.dtype()) {
          case FLOAT32 -> {
            float[] v = new float[size];
            for (int k = 0; k < size; k++) {
              v[k] = in.readFloat();
            }
            yield Tensor.of(v, dims);
          }
          case INT32 -> {
            int[] v = new int[size];
            for (int k = 0; k < size; k++) {
              v[k] = in.readInt();
            }
            yield Tensor.ofInts(v, dims);
          }
          case INT64 -> {
            long[] v = new long[size];
            for (int k = 0; k < size; k++) {
              v[k] = in.readLong();
            }
            yield Tensor.ofLongs(v, dims);
          }
          default -> {
            boolean[] v = new boolean[size];
            for (int k = 0; k < size; k++) {
              v[k] = in.readBoolean();
            }
            yield Tensor.ofBools(v, dims);
          }
        });
      }
      if (in.read() != -1) {
        throw new IllegalArgumentException("bytes follow the last tensor");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("it ends early: " + e.getMessage(), e);
    }
    return rebuild(shape, read.iterator());
  }

  /** The model weights of {@code state}. */
  ModelWeights weights(Object state) {
    Object member = state instanceof FederatedValue f ? f.value() : state;
    Object w = setup.process().getModelWeights().call(member);
    return ModelWeights.fromValue(w instanceof FederatedValue f ? f.value() : w);
  }

  private static void leaves(Object value, List<Tensor> out) {
    if (value instanceof Tensor t) {
      out.add(t);
    } else if (value instanceof Struct s) {
      s.values().forEach(v -> leaves(v, out));
    } else if (value instanceof FederatedValue f && f.isAllEqual()) {
      leaves(f.value(), out);
    } else {
      throw new IllegalStateException("internal: a training state holds " + value.getClass().getName());
    }
  }

  private static Object rebuild(Object template, Iterator<Tensor> leaves) {
    if (template instanceof Tensor) {
      return leaves.next();
    }
    if (template instanceof Struct s) {
      List<Object> values = new ArrayList<>();
      for (Object v : s.values()) {
        values.add(rebuild(v, leaves));
      }
      return Struct.of(s.names(), values);
    }
    FederatedValue f = (FederatedValue) template; // leaves() accepted the template
    Object value = rebuild(f.value(), leaves);
    return f.placement() == Placement.SERVER ? FederatedValue.atServer(value)
        : FederatedValue.allEqualAtClients(value);
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
