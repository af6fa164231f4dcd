package dev.cohort.nn;

import dev.cohort.tensor.RandomStream;

/** Orthogonal matrices by Householder QR of a Gaussian matrix (Saxe et al. 2014). */
final class Orthogonal {
  private Orthogonal() {}

  static float[] matrix(int rows, int cols, RandomStream rng, float gain) {
    // Factor the taller orientation so Q has orthonormal columns, then transpose back if needed.
    boolean transpose = rows < cols;
    int m = transpose ? cols : rows;
    int n = transpose ? rows : cols;
    double[][] a = new double[m][n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        a[i][j] = rng.nextGaussian();
      }
    }
    double[][] q = new double[m][n];
    for (int i = 0; i < n; i++) {
      q[i][i] = 1;
    }
    double[][] vs = new double[n][];
    double[] rDiag = new double[n];
    for (int k = 0; k < n; k++) {
      double norm = 0;
      for (int i = k; i < m; i++) {
        norm += a[i][k] * a[i][k];
      }
      norm = Math.sqrt(norm);
      double alpha = a[k][k] > 0 ? -norm : norm;
      double[] v = new double[m];
      for (int i = k; i < m; i++) {
        v[i] = a[i][k];
      }
      v[k] -= alpha;
      double vnorm = 0;
      for (int i = k; i < m; i++) {
        vnorm += v[i] * v[i];
      }
      if (vnorm > 0) {
        for (int j = k; j < n; j++) {
          double dot = 0;
          for (int i = k; i < m; i++) {
            dot += v[i] * a[i][j];
          }
          double f = 2 * dot / vnorm;
          for (int i = k; i < m; i++) {
            a[i][j] -= f * v[i];
          }
        }
      }
      vs[k] = vnorm > 0 ? v : null;
      rDiag[k] = a[k][k];
    }
    // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity.
    for (int k = n - 1; k >= 0; k--) {
      double[] v = vs[k];
      if (v == null) {
        continue;
      }
      double vnorm = 0;
      for (int i = k; i < m; i++) {
        vnorm += v[i] * v[i];
      }
      for (int j = 0; j < n; j++) {
        double dot = 0;
        for (int i = k; i < m; i++) {
          dot += v[i] * q[i][j];
        }
        double f = 2 * dot / vnorm;
        for (int i = k; i < m; i++) {
          q[i][j] -= f * v[i];
        }
      }
    }
    float[] out = new float[rows * cols];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sign = rDiag[j] < 0 ? -1 : 1;
        float value = (float) (gain * q[i][j] * sign);
        if (transpose) {
          out[j * cols + i] = value;
        } else {
          out[i * cols + j] = value;
        }
      }
    }
    return out;
  }
}
