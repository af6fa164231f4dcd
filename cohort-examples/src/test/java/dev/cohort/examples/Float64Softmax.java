package dev.cohort.examples;

import dev.cohort.core.values.Struct;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Softmax regression on flattened 28x28 digits in float64, written out by hand: the independent reference the
 * learning tutorials' tests compare Cohort's float32 results with. {@code w} is {@code [784][10]}, {@code b}
 * {@code [10]}.
 */
final class Float64Softmax {
  final double[][] w = new double[784][10];
  final double[] b = new double[10];

  /** One client's digits: flattened pixels and labels, in the data's order. */
  record Examples(List<float[]> x, List<Integer> y) {
    static Examples digitsOf(Iterable<Object> dataset) {
      List<float[]> x = new ArrayList<>();
      List<Integer> y = new ArrayList<>();
      for (Object e : dataset) {
        int label = ((Tensor) ((Struct) e).get("label")).intValue();
        if (label < 10) {
          x.add(((Tensor) ((Struct) e).get("pixels")).floatData());
          y.add(label);
        }
      }
      return new Examples(x, y);
    }

    int size() {
      return y.size();
    }
  }

  /** The model with {@code weights}' kernel and bias. */
  static Float64Softmax of(ModelWeights weights) {
    Float64Softmax m = new Float64Softmax();
    float[] kernel = ((Tensor) weights.trainable().get(0)).floatData();
    float[] bias = ((Tensor) weights.trainable().get(1)).floatData();
    for (int k = 0; k < 10; k++) {
      m.b[k] = bias[k];
      for (int i = 0; i < 784; i++) {
        m.w[i][k] = kernel[i * 10 + k];
      }
    }
    return m;
  }

  Float64Softmax copy() {
    Float64Softmax m = new Float64Softmax();
    for (int i = 0; i < 784; i++) {
      m.w[i] = w[i].clone();
    }
    System.arraycopy(b, 0, m.b, 0, 10);
    return m;
  }

  double[] probabilities(float[] x) {
    double[] z = b.clone();
    for (int i = 0; i < 784; i++) {
      if (x[i] != 0) {
        for (int k = 0; k < 10; k++) {
          z[k] += x[i] * w[i][k];
        }
      }
    }
    double max = Arrays.stream(z).max().orElseThrow();
    double sum = 0;
    for (int k = 0; k < 10; k++) {
      z[k] = Math.exp(z[k] - max);
      sum += z[k];
    }
    for (int k = 0; k < 10; k++) {
      z[k] /= sum;
    }
    return z;
  }

  /**
   * One epoch of SGD at {@code lr} over batches of 20 of the mean cross-entropy; a batch gradient whose global L2
   * norm exceeds {@code clipNorm} is divided by its norm (none with {@code clipNorm} infinite).
   *
   * @return the number of batches clipped
   */
  int train(Examples data, double lr, double clipNorm) {
    int clipped = 0;
    for (int start = 0; start < data.size(); start += 20) {
      int end = Math.min(start + 20, data.size());
      double[][] gw = new double[784][10];
      double[] gb = new double[10];
      for (int e = start; e < end; e++) {
        double[] p = probabilities(data.x().get(e));
        p[data.y().get(e)] -= 1;
        float[] x = data.x().get(e);
        for (int k = 0; k < 10; k++) {
          gb[k] += p[k] / (end - start);
          for (int i = 0; i < 784; i++) {
            gw[i][k] += x[i] * p[k] / (end - start);
          }
        }
      }
      double norm2 = 0;
      for (int k = 0; k < 10; k++) {
        norm2 += gb[k] * gb[k];
        for (int i = 0; i < 784; i++) {
          norm2 += gw[i][k] * gw[i][k];
        }
      }
      double scale = 1;
      if (Math.sqrt(norm2) > clipNorm) {
        scale = 1 / Math.sqrt(norm2);
        clipped++;
      }
      for (int k = 0; k < 10; k++) {
        b[k] -= lr * scale * gb[k];
        for (int i = 0; i < 784; i++) {
          w[i][k] -= lr * scale * gw[i][k];
        }
      }
    }
    return clipped;
  }

  /** The mean of {@code models} weighted by {@code weights}. */
  static Float64Softmax mean(List<Float64Softmax> models, List<Double> weights) {
    Float64Softmax m = new Float64Softmax();
    double total = weights.stream().mapToDouble(Double::doubleValue).sum();
    for (int c = 0; c < models.size(); c++) {
      double f = weights.get(c) / total;
      for (int k = 0; k < 10; k++) {
        m.b[k] += f * models.get(c).b[k];
        for (int i = 0; i < 784; i++) {
          m.w[i][k] += f * models.get(c).w[i][k];
        }
      }
    }
    return m;
  }

  /** {mean cross-entropy, accuracy} over {@code test}. */
  double[] evaluate(Examples test) {
    double loss = 0;
    int correct = 0;
    for (int e = 0; e < test.size(); e++) {
      double[] p = probabilities(test.x().get(e));
      int label = test.y().get(e);
      loss -= Math.log(p[label]);
      int best = 0;
      for (int k = 1; k < 10; k++) {
        best = p[k] > p[best] ? k : best;
      }
      correct += best == label ? 1 : 0;
    }
    return new double[] {loss / test.size(), (double) correct / test.size()};
  }
}
