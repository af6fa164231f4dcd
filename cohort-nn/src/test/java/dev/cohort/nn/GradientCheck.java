package dev.cohort.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Tensor;
import java.util.List;
import java.util.function.Function;

/**
 * Compares reverse-mode gradients with central finite differences, JAX {@code check_grads} style: the scalar
 * {@code L = <p, f(x)>} for a fixed random projection {@code p}, differentiated by the tape and by
 * {@code (L(x + eps e_i) - L(x - eps e_i)) / 2 eps} with the projection and the quotient in float64 (the ops run in
 * float32). Checks up to {@code MAX_PROBES} coordinates per input, chosen by a fixed seed.
 */
final class GradientCheck {
  static final int MAX_PROBES = 24;
  /** Float32 rounding in L, divided by 2 eps, stays below this (eps = 1e-2, |L| of order 10). */
  static final double ABSOLUTE = 2e-4;

  private GradientCheck() {}

  static void check(String name, Function<List<Variable>, Variable> f, Tensor... inputs) {
    check(name, 1e-2, 3e-3, f, inputs);
  }

  static void check(String name, double eps, double tolerance, Function<List<Variable>, Variable> f, Tensor... inputs) {
    Tape tape = new Tape();
    List<Variable> vars = java.util.Arrays.stream(inputs).map(tape::watch).toList();
    Variable out = f.apply(vars);
    Tensor projection = RandomStream.of(99, name.hashCode()).uniform(out.shape(), -1, 1);
    Variable loss = out.mul(tape.constant(projection)).sum();
    tape.backward(loss);
    RandomStream probes = RandomStream.of(7, name.hashCode());
    for (int k = 0; k < inputs.length; k++) {
      Tensor analytic = tape.gradient(vars.get(k));
      float[] x = inputs[k].floatData();
      int n = Math.min(MAX_PROBES, x.length);
      int[] which = x.length <= MAX_PROBES ? probes.permutation(x.length) : probes.sampleWithoutReplacement(x.length, n);
      for (int i : which) {
        float saved = x[i];
        x[i] = (float) (saved + eps);
        double plus = project(f, inputs, projection);
        x[i] = (float) (saved - eps);
        double minus = project(f, inputs, projection);
        x[i] = saved;
        double numeric = (plus - minus) / (2 * eps);
        double got = analytic.floatData()[i];
        assertThat(got)
            .as("%s: d/d input%s[%s] (analytic %s vs numeric %s)", name, k, i, got, numeric)
            .isCloseTo(numeric, org.assertj.core.data.Offset.offset(ABSOLUTE + tolerance * Math.abs(numeric)));
      }
    }
  }

  private static double project(Function<List<Variable>, Variable> f, Tensor[] inputs, Tensor projection) {
    Tape tape = new Tape();
    List<Variable> vars = java.util.Arrays.stream(inputs).map(tape::constant).toList();
    float[] y = f.apply(vars).value().floatData();
    float[] p = projection.floatData();
    double s = 0;
    for (int i = 0; i < y.length; i++) {
      s += (double) y[i] * p[i];
    }
    return s;
  }
}
