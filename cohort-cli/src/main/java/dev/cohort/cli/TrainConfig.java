package dev.cohort.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a {@code cohort train} run was given, after defaults: {@code config.json} holds it, and
 * {@link #commandLine()} reruns it.
 *
 * @param task the task
 * @param data the data path
 * @param model the model
 * @param algorithm the algorithm
 * @param rounds rounds of training
 * @param clientsPerRound clients per round (expected, with Poisson sampling; the cohort's size with a fixed one)
 * @param clients the fixed cohort, or null
 * @param sampling uniform, poisson or fixed
 * @param epochs local epochs
 * @param batchSize local batch size
 * @param shuffle whether clients shuffle their examples every round
 * @param clientOptimizer the client optimizer
 * @param clientLr its learning rate
 * @param serverOptimizer the server optimizer
 * @param serverLr its learning rate
 * @param proxMu FedProx's proximal strength, or null for the other algorithms
 * @param aggregator the aggregator
 * @param noiseMultiplier the DP noise multiplier (calibrated with {@code targetEpsilon}), or null without DP
 * @param targetEpsilon the epsilon the noise multiplier is calibrated to, or null
 * @param clip the clip of dp or robust, or null
 * @param delta the delta of the epsilon reported with DP, or null
 * @param evalEvery rounds between evaluations (0: only at the end)
 * @param checkpointEvery rounds between checkpoints (the last round is always checkpointed)
 * @param seed the seed
 * @param threads clients trained in parallel
 * @param out the run directory
 * @param initWeights the initial weights' file, or null for the seeded initialization
 * @param exportWeights an extra copy of the final weights, or null
 * @param partitioning how an IDX task's examples are partitioned over clients, or null for the other tasks
 * @param columns the ratings CSV's {@code USER,ITEM,RATING} columns, or null for the other tasks
 */
record TrainConfig(String task, Path data, String model, String algorithm, int rounds, int clientsPerRound,
    List<String> clients, String sampling, int epochs, int batchSize, boolean shuffle, String clientOptimizer,
    double clientLr, String serverOptimizer, double serverLr, Double proxMu, String aggregator,
    Double noiseMultiplier, Double targetEpsilon, Double clip, Double delta, int evalEvery, int checkpointEvery,
    long seed, int threads, Path out, Path initWeights, Path exportWeights, Partitioning partitioning,
    String columns) {

  /**
   * {@code --num-clients} and {@code --partition}.
   *
   * @param numClients the clients
   * @param partition {@code iid} or {@code dirichlet:ALPHA}
   */
  record Partitioning(int numClients, String partition) {}

  /** This configuration with the noise multiplier {@code z} calibrated to {@link #targetEpsilon}. */
  TrainConfig withNoiseMultiplier(double z) {
    return new TrainConfig(task, data, model, algorithm, rounds, clientsPerRound, clients, sampling, epochs,
        batchSize, shuffle, clientOptimizer, clientLr, serverOptimizer, serverLr, proxMu, aggregator, z,
        targetEpsilon, clip, delta, evalEvery, checkpointEvery, seed, threads, out, initWeights, exportWeights,
        partitioning, columns);
  }

  /** Whether round {@code round} (1-based) is evaluated: every {@link #evalEvery} rounds, and always the last. */
  boolean evaluates(int round) {
    return round == rounds || (evalEvery > 0 && round % evalEvery == 0);
  }

  /** The arguments of {@code cohort train} that rerun this configuration (the output directory aside). */
  List<String> commandLine() {
    List<String> a = new ArrayList<>(List.of("train", "--task", task, "--data", data.toString(), "--model", model,
        "--algorithm", algorithm, "--rounds", Integer.toString(rounds)));
    if (partitioning != null) {
      a.addAll(List.of("--num-clients", Integer.toString(partitioning.numClients()), "--partition",
          partitioning.partition()));
    }
    if (columns != null) {
      a.addAll(List.of("--columns", columns));
    }
    if (clients != null) {
      a.addAll(List.of("--clients", String.join(",", clients)));
    } else {
      a.addAll(List.of("--clients-per-round", Integer.toString(clientsPerRound), "--sampling", sampling));
    }
    a.addAll(List.of("--epochs", Integer.toString(epochs), "--batch-size", Integer.toString(batchSize)));
    if (!shuffle) {
      a.add("--no-shuffle");
    }
    if (!algorithm.equals("fedsgd")) {
      a.addAll(List.of("--client-optimizer", clientOptimizer, "--client-lr", Double.toString(clientLr)));
    }
    a.addAll(List.of("--server-optimizer", serverOptimizer, "--server-lr", Double.toString(serverLr)));
    if (proxMu != null) {
      a.addAll(List.of("--prox-mu", Double.toString(proxMu)));
    }
    a.addAll(List.of("--aggregator", aggregator));
    if (targetEpsilon != null) {
      a.addAll(List.of("--target-epsilon", Double.toString(targetEpsilon), "--delta", Double.toString(delta)));
    } else if (noiseMultiplier != null) {
      a.addAll(List.of("--noise-multiplier", Double.toString(noiseMultiplier), "--delta", Double.toString(delta)));
    }
    if (clip != null) {
      a.addAll(List.of("--clip", Double.toString(clip)));
    }
    if (initWeights != null) {
      a.addAll(List.of("--init-weights", initWeights.toString()));
    }
    a.addAll(List.of("--eval-every", Integer.toString(evalEvery), "--checkpoint-every",
        Integer.toString(checkpointEvery), "--seed", Long.toString(seed), "--threads", Integer.toString(threads)));
    return a;
  }

  /**
   * The configuration as one JSON object, with the command line that reruns it and the {@code fingerprint} its
   * checkpoints carry (which {@code --resume} checks).
   */
  String toJson(String fingerprint) {
    Json j = new Json().put("task", task).put("data", data.toString());
    if (partitioning != null) {
      j.put("num_clients", partitioning.numClients()).put("partition", partitioning.partition());
    }
    if (columns != null) {
      j.put("columns", columns);
    }
    j.put("model", model)
        .put("algorithm", algorithm).put("rounds", rounds).put("clients_per_round", clientsPerRound)
        .put("sampling", sampling);
    if (clients != null) {
      j.put("clients", clients);
    }
    j.put("epochs", epochs).put("batch_size", batchSize).put("shuffle", shuffle)
        .put("client_optimizer", clientOptimizer).put("client_lr", clientLr)
        .put("server_optimizer", serverOptimizer).put("server_lr", serverLr);
    if (proxMu != null) {
      j.put("prox_mu", proxMu);
    }
    j.put("aggregator", aggregator);
    if (noiseMultiplier != null) {
      j.put("noise_multiplier", noiseMultiplier).put("delta", delta);
    }
    if (targetEpsilon != null) {
      j.put("target_epsilon", targetEpsilon);
    }
    if (clip != null) {
      j.put("clip", clip);
    }
    if (initWeights != null) {
      j.put("init_weights", initWeights.toString());
    }
    j.put("eval_every", evalEvery).put("checkpoint_every", checkpointEvery).put("seed", seed)
        .put("threads", threads).put("out", out.toString());
    if (exportWeights != null) {
      j.put("export_weights", exportWeights.toString());
    }
    return j.put("command_line", commandLine()).put("fingerprint", fingerprint).end();
  }
}
