package dev.cohort.learning.optimizers;

import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.Nest;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Adafactor (Shazeer and Stern 2018, "Adafactor: Adaptive Learning Rates with Sublinear Memory Cost",
 * arXiv:1804.04235), as TFF's {@code build_adafactor} and Keras' {@code Adafactor}; at step {@code t} (from 1), for
 * each weight {@code w} with gradient {@code g}:
 *
 * <pre>
 * lr_t    = relative_step ? min(lr, 1 / sqrt(t)) : lr
 * rho_t   = min(lr_t, 1 / sqrt(t))
 * alpha_t = max(epsilon_2, rms(w)) * rho_t
 * beta_t  = 1 - t^beta_2_decay,   g2 = g^2 + epsilon_1
 * rank &lt; 2:  v = beta_t * v + (1 - beta_t) * g2
 * rank &gt;= 2: r = beta_t * r + (1 - beta_t) * mean(g2, axis -1)
 *            c = beta_t * c + (1 - beta_t) * mean(g2, axis -2)
 *            v = (r / mean(r, axis -1))[..., None] * c[..., None, :]
 * u = g / sqrt(v);  w = w - alpha_t * u / max(1, rms(u) / clip_threshold)
 * </pre>
 *
 * ({@code rho_t} follows the paper and Keras; TFF's code writes {@code 1 / rsqrt(t)}, which differs only when
 * {@code relative_step} is off and {@code lr > 1 / sqrt(t)}.) State
 * {@code <steps=int32,moments=<<r,c,v>,...>,hparams=<learning_rate,beta_2_decay,epsilon_1,epsilon_2,clip_threshold
 * (float32),relative_step=bool>>}, one moment per weight leaf ({@code r} and {@code c} of shape {@code [0]} for
 * weights of rank below 2); the hyper-parameters are the {@code hparams} entry.
 *
 * @param learningRate {@code >= 0}
 * @param beta2Decay finite (TFF's default -0.8)
 * @param epsilon1 {@code >= 0}
 * @param epsilon2 {@code >= 0}
 * @param clipThreshold {@code > 0}
 * @param relativeStep whether the learning rate is capped at {@code 1 / sqrt(t)}
 */
public record Adafactor(double learningRate, double beta2Decay, double epsilon1, double epsilon2,
    double clipThreshold, boolean relativeStep) implements Optimizer {
  private static final List<String> KEYS =
      List.of(LEARNING_RATE, "beta_2_decay", "epsilon_1", "epsilon_2", "clip_threshold", "relative_step");

  /** Rejects a negative learning rate or epsilon, a non-finite decay and a clip threshold that is not positive. */
  public Adafactor {
    Leaves.nonNegative(LEARNING_RATE, learningRate);
    if (!Double.isFinite(beta2Decay)) {
      throw new IllegalArgumentException("beta_2_decay (" + beta2Decay + ") must be a finite number");
    }
    Leaves.nonNegative("epsilon_1", epsilon1);
    Leaves.nonNegative("epsilon_2", epsilon2);
    checkClip(clipThreshold);
  }

  private static void checkClip(double clipThreshold) {
    if (!(clipThreshold > 0) || Double.isInfinite(clipThreshold)) {
      throw new IllegalArgumentException("clip_threshold (" + clipThreshold + ") must be a finite number > 0");
    }
  }

  @Override
  public String kind() {
    return "adafactor";
  }

  @Override
  public Struct initialize(Type weightsType) {
    Leaves.checkWeightsType(weightsType);
    List<Object> moments = new ArrayList<>();
    for (Tensor w : Nest.flatten(Nest.zeros(weightsType))) {
      int[] dims = w.shape().dims();
      int[] r = {0};
      int[] c = {0};
      if (dims.length >= 2) {
        r = Arrays.copyOf(dims, dims.length - 1);
        c = Arrays.copyOf(dims, dims.length - 1);
        c[c.length - 1] = dims[dims.length - 1];
      }
      moments.add(Struct.named("r", Tensor.zeros(DType.FLOAT32, Shape.of(r)), "c",
          Tensor.zeros(DType.FLOAT32, Shape.of(c)), "v", w));
    }
    Struct hparams = Struct.named(LEARNING_RATE, Leaves.scalar(learningRate), "beta_2_decay",
        Leaves.scalar(beta2Decay), "epsilon_1", Leaves.scalar(epsilon1), "epsilon_2", Leaves.scalar(epsilon2),
        "clip_threshold", Leaves.scalar(clipThreshold), "relative_step", Tensor.scalar(relativeStep));
    return Struct.named("steps", Tensor.scalar(0), "moments", Struct.of(moments.toArray()), "hparams", hparams);
  }

  @Override
  public Step next(Struct state, Object weights, Object gradients) {
    Leaves.checkMatch(weights, gradients);
    Struct hparams = (Struct) state.get("hparams");
    Struct moments = (Struct) state.get("moments");
    List<Tensor> w = Nest.flatten(weights);
    List<Tensor> g = Nest.flatten(gradients);
    if (moments.size() != w.size()) {
      throw new IllegalArgumentException("state moments has " + moments.size() + " entries for " + w.size()
          + " weight tensors");
    }
    int steps = Leaves.counter(state, "steps") + 1;
    float t = steps;
    float lr = Leaves.hparam(hparams, LEARNING_RATE);
    float inverseSqrtT = 1f / Leaves.sqrt(t);
    if (((Tensor) hparams.get("relative_step")).boolValue()) {
      lr = Math.min(lr, inverseSqrtT);
    }
    float rho = Math.min(lr, inverseSqrtT);
    float beta = 1f - Leaves.pow(t, Leaves.hparam(hparams, "beta_2_decay"));
    float eps1 = Leaves.hparam(hparams, "epsilon_1");
    float eps2 = Leaves.hparam(hparams, "epsilon_2");
    float clip = Leaves.hparam(hparams, "clip_threshold");
    List<Object> newMoments = new ArrayList<>(w.size());
    List<Tensor> newWeights = new ArrayList<>(w.size());
    for (int k = 0; k < w.size(); k++) {
      Struct m = (Struct) moments.get(k);
      Tensor v = (Tensor) m.get("v");
      Leaves.checkState(w.get(k), v, "moments[" + k + "].v");
      float[] wk = w.get(k).floatData();
      float[] gk = g.get(k).floatData();
      float[] g2 = new float[gk.length];
      for (int i = 0; i < gk.length; i++) {
        g2[i] = gk[i] * gk[i] + eps1;
      }
      float[] nv = new float[gk.length];
      Tensor r = (Tensor) m.get("r");
      Tensor c = (Tensor) m.get("c");
      if (w.get(k).rank() < 2) {
        float[] vk = v.floatData();
        for (int i = 0; i < nv.length; i++) {
          nv[i] = beta * vk[i] + (1f - beta) * g2[i];
        }
      } else {
        int[] dims = w.get(k).shape().dims();
        int cols = dims[dims.length - 1];
        int rows = dims[dims.length - 2];
        int blocks = gk.length / (rows * cols);
        float[] nr = r.floatData().clone();
        float[] nc = c.floatData().clone();
        for (int b = 0; b < blocks; b++) {
          for (int i = 0; i < rows; i++) {
            float sum = 0f;
            for (int j = 0; j < cols; j++) {
              sum += g2[(b * rows + i) * cols + j];
            }
            nr[b * rows + i] = beta * nr[b * rows + i] + (1f - beta) * (sum / cols);
          }
          for (int j = 0; j < cols; j++) {
            float sum = 0f;
            for (int i = 0; i < rows; i++) {
              sum += g2[(b * rows + i) * cols + j];
            }
            nc[b * cols + j] = beta * nc[b * cols + j] + (1f - beta) * (sum / rows);
          }
          float rowSum = 0f;
          for (int i = 0; i < rows; i++) {
            rowSum += nr[b * rows + i];
          }
          float rowMean = rowSum / rows;
          for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
              nv[(b * rows + i) * cols + j] = nr[b * rows + i] / rowMean * nc[b * cols + j];
            }
          }
        }
        r = Tensor.wrap(nr, r.shape());
        c = Tensor.wrap(nc, c.shape());
      }
      float[] u = new float[gk.length];
      for (int i = 0; i < u.length; i++) {
        u[i] = gk[i] * (1f / Leaves.sqrt(nv[i]));
      }
      float alpha = Math.max(eps2, rms(wk)) * rho;
      float divisor = Math.max(1f, rms(u) / clip);
      float[] nw = new float[wk.length];
      for (int i = 0; i < nw.length; i++) {
        nw[i] = wk[i] + -alpha * (u[i] / divisor);
      }
      newMoments.add(Struct.named("r", r, "c", c, "v", Tensor.wrap(nv, v.shape())));
      newWeights.add(Tensor.wrap(nw, w.get(k).shape()));
    }
    Struct next = Struct.named("steps", Tensor.scalar(steps), "moments", Struct.of(newMoments.toArray()),
        "hparams", hparams);
    return new Step(next, Nest.pack(weights, newWeights));
  }

  private static float rms(float[] x) {
    if (x.length == 0) {
      return 0f;
    }
    float sum = 0f;
    for (float v : x) {
      sum += v * v;
    }
    return Leaves.sqrt(sum / x.length);
  }

  @Override
  public Struct getHparams(Struct state) {
    return (Struct) state.get("hparams");
  }

  @Override
  public Struct setHparams(Struct state, Struct hparams) {
    Struct next = Leaves.replace((Struct) state.get("hparams"), hparams, KEYS);
    Leaves.nonNegative(LEARNING_RATE, Leaves.hparam(next, LEARNING_RATE));
    Leaves.nonNegative("epsilon_1", Leaves.hparam(next, "epsilon_1"));
    Leaves.nonNegative("epsilon_2", Leaves.hparam(next, "epsilon_2"));
    checkClip(Leaves.hparam(next, "clip_threshold"));
    return Struct.named("steps", state.get("steps"), "moments", state.get("moments"), "hparams", next);
  }
}
