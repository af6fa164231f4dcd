package dev.cohort.nn;

/** GRU and LSTM unrolled over time from differentiable primitives. */
final class Recurrent {
  private Recurrent() {}

  /** Slice {@code [b, t, from:from+n]} of a {@code [batch, time, gates]} variable as {@code [batch, n]}. */
  private static Variable step(Variable xw, int t, int from, int n) {
    int b = xw.shape().dim(0);
    return xw.slice(new int[] {0, t, from}, new int[] {b, 1, n}).reshape(b, n);
  }

  private static Variable cols(Variable m, int from, int n) {
    return m.slice(new int[] {0, from}, new int[] {m.shape().dim(0), n});
  }

  /**
   * Keras GRU with {@code reset_after=True}: {@code z = σ(x Wz + bz + h Uz + b'z)},
   * {@code r = σ(x Wr + br + h Ur + b'r)}, {@code ĥ = tanh(x Wh + bh + r ⊙ (h Uh + b'h))},
   * {@code h = z ⊙ h + (1 - z) ⊙ ĥ}; gates ordered z, r, h; bias rows are input and recurrent biases.
   */
  static Variable gru(Variable x, Variable kernel, Variable recurrent, Variable bias, int units, boolean returnSequences) {
    int b = x.shape().dim(0);
    int time = x.shape().dim(1);
    Variable inputBias = bias.slice(new int[] {0, 0}, new int[] {1, 3 * units}).reshape(3 * units);
    Variable recurrentBias = bias.slice(new int[] {1, 0}, new int[] {1, 3 * units}).reshape(3 * units);
    Variable xw = NnOps.linear(x, kernel, inputBias, Activation.LINEAR); // [b, time, 3u]
    Variable h = x.tape().constant(dev.cohort.tensor.Tensor.zeros(b, units));
    Variable[] outputs = new Variable[time];
    for (int t = 0; t < time; t++) {
      Variable hu = NnOps.linear(h, recurrent, recurrentBias, Activation.LINEAR); // [b, 3u]
      Variable z = step(xw, t, 0, units).add(cols(hu, 0, units)).sigmoid();
      Variable r = step(xw, t, units, units).add(cols(hu, units, units)).sigmoid();
      Variable candidate = step(xw, t, 2 * units, units).add(r.mul(cols(hu, 2 * units, units))).tanh();
      h = z.mul(h).add(z.neg().add(1f).mul(candidate));
      outputs[t] = h;
    }
    return returnSequences ? Variable.stack(1, outputs) : h;
  }

  /**
   * Keras LSTM: {@code [i, f, c̃, o] = [σ, σ, tanh, σ](x W + h U + b)}, {@code c = f ⊙ c + i ⊙ c̃},
   * {@code h = o ⊙ tanh(c)}.
   */
  static Variable lstm(Variable x, Variable kernel, Variable recurrent, Variable bias, int units, boolean returnSequences) {
    int b = x.shape().dim(0);
    int time = x.shape().dim(1);
    Variable xw = NnOps.linear(x, kernel, bias, Activation.LINEAR); // [b, time, 4u]
    Variable h = x.tape().constant(dev.cohort.tensor.Tensor.zeros(b, units));
    Variable c = h;
    Variable[] outputs = new Variable[time];
    for (int t = 0; t < time; t++) {
      Variable hu = NnOps.linear(h, recurrent, null, Activation.LINEAR); // [b, 4u]
      Variable i = step(xw, t, 0, units).add(cols(hu, 0, units)).sigmoid();
      Variable f = step(xw, t, units, units).add(cols(hu, units, units)).sigmoid();
      Variable g = step(xw, t, 2 * units, units).add(cols(hu, 2 * units, units)).tanh();
      Variable o = step(xw, t, 3 * units, units).add(cols(hu, 3 * units, units)).sigmoid();
      c = f.mul(c).add(i.mul(g));
      h = o.mul(c.tanh());
      outputs[t] = h;
    }
    return returnSequences ? Variable.stack(1, outputs) : h;
  }
}
