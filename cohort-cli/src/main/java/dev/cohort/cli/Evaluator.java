package dev.cohort.cli;

import dev.cohort.core.values.Struct;
import dev.cohort.learning.models.BatchOutput;
import dev.cohort.learning.models.ModelWorker;
import dev.cohort.simulation.ClientData;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's loss and accuracy on each client's examples (inference-mode forward passes), and their aggregates:
 * pooled over examples (a client's weight is its example count, which is also the centralized evaluation of the
 * union of the clients' examples) and the unweighted mean over clients (each client counts once, as a federated
 * average of per-client metrics).
 */
final class Evaluator {
  /** Evaluation batch size: forward passes only, so larger than training's. */
  static final int BATCH = 256;

  private Evaluator() {}

  /**
   * One client's figures.
   *
   * @param client the client id
   * @param examples its examples
   * @param lossSum the sum over its examples of the loss
   * @param hits the examples the model gets right ({@link TrainData#hits})
   */
  record Client(String client, long examples, double lossSum, long hits) {
    /** The mean loss; NaN without examples. */
    double loss() {
      return lossSum / examples;
    }

    /** The accuracy; NaN without examples. */
    double accuracy() {
      return (double) hits / examples;
    }
  }

  /** The figures of every client of {@code split} with the weights {@code worker} holds, clients in id order. */
  static List<Client> perClient(ModelWorker worker, TrainData d, ClientData split) {
    List<Client> out = new ArrayList<>();
    for (String id : split.clientIds()) {
      double lossSum = 0;
      long hits = 0;
      long n = 0;
      for (Object element : split.dataset(id).batch(BATCH)) {
        Struct batch = (Struct) element;
        BatchOutput o = worker.forwardPass(batch, false, null);
        hits += d.hits(o.predictions(), (Tensor) batch.get("y"));
        lossSum += (double) o.loss().floatValue() * o.numExamples();
        n += o.numExamples();
      }
      out.add(new Client(id, n, lossSum, hits));
    }
    return out;
  }

  /** Loss and accuracy over every example of {@code clients} (pooled); NaN where there is none. */
  static double[] pooled(List<Client> clients) {
    double lossSum = 0;
    long hits = 0;
    long n = 0;
    for (Client c : clients) {
      lossSum += c.lossSum();
      hits += c.hits();
      n += c.examples();
    }
    return new double[] {lossSum / n, (double) hits / n};
  }

  /** The unweighted means over the clients with examples of their loss and accuracy; NaN where there is none. */
  static double[] meanOverClients(List<Client> clients) {
    double loss = 0;
    double accuracy = 0;
    int k = 0;
    for (Client c : clients) {
      if (c.examples() > 0) {
        loss += c.loss();
        accuracy += c.accuracy();
        k++;
      }
    }
    return new double[] {loss / k, accuracy / k};
  }
}
