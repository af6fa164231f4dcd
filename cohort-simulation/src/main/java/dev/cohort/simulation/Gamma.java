package dev.cohort.simulation;

import dev.cohort.tensor.RandomStream;

/**
 * Gamma and Dirichlet samples from a keyed stream: Marsaglia and Tsang, "A simple method for generating gamma
 * variables" (ACM TOMS 26(3), 2000), with the boost {@code Gamma(a) = Gamma(a + 1) U^(1/a)} for {@code a < 1}, kept
 * in logarithms so that Dirichlet samples with tiny concentrations do not underflow to 0/0.
 */
final class Gamma {
  private Gamma() {}

  /** The natural logarithm of a {@code Gamma(shape, 1)} sample; {@code shape > 0}. */
  static double logSample(RandomStream random, double shape) {
    if (shape < 1) {
      double u = 1.0 - random.nextDouble(); // (0, 1]
      return logSample(random, shape + 1) + Math.log(u) / shape;
    }
    double d = shape - 1.0 / 3.0;
    double c = 1.0 / Math.sqrt(9 * d);
    while (true) {
      double x = random.nextGaussian();
      double v = 1 + c * x;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = 1.0 - random.nextDouble();
      if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
        return Math.log(d * v);
      }
    }
  }

  /** A sample of {@code Dirichlet(alpha)}: normalized gamma samples, computed from their logarithms. */
  static double[] dirichlet(RandomStream random, double[] alpha) {
    double[] logs = new double[alpha.length];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < alpha.length; i++) {
      logs[i] = logSample(random, alpha[i]);
      max = Math.max(max, logs[i]);
    }
    double sum = 0;
    for (int i = 0; i < logs.length; i++) {
      logs[i] = Math.exp(logs[i] - max);
      sum += logs[i];
    }
    for (int i = 0; i < logs.length; i++) {
      logs[i] /= sum;
    }
    return logs;
  }
}
