package dev.cohort.tensor;

import static dev.cohort.tensor.internal.Checks.checkArgument;

/** Matrix products. */
final class LinAlg {
  private LinAlg() {}

  static Tensor matmul(Tensor a, Tensor b) {
    Elementwise.requireSameDType("matmul", a, b);
    a.requireNumeric("matmul");
    checkArgument(a.rank() >= 2 && b.rank() >= 2, "matmul: operands need rank >= 2, got shapes %s and %s", a.shape(), b.shape());
    int m = a.shape().dim(-2);
    int k = a.shape().dim(-1);
    int k2 = b.shape().dim(-2);
    int n = b.shape().dim(-1);
    checkArgument(k == k2, "matmul: inner dimensions differ: %s · %s (%s vs %s)", a.shape(), b.shape(), k, k2);
    // A rank-2 operand is shared by every batch; otherwise the leading dimensions must agree.
    boolean aShared = a.rank() == 2;
    boolean bShared = b.rank() == 2;
    int[] batchDims;
    if (a.rank() == 2) {
      batchDims = java.util.Arrays.copyOf(b.shape().dimsUnsafe(), b.rank() - 2);
    } else {
      batchDims = java.util.Arrays.copyOf(a.shape().dimsUnsafe(), a.rank() - 2);
      if (b.rank() > 2) {
        int[] bb = java.util.Arrays.copyOf(b.shape().dimsUnsafe(), b.rank() - 2);
        checkArgument(java.util.Arrays.equals(batchDims, bb),
            "matmul: batch dimensions differ: %s · %s (expected equal leading dimensions, or a rank-2 operand)", a.shape(), b.shape());
      }
    }
    int batch = aShared ? b.shape().sizeOf(0, b.rank() - 2) : a.shape().sizeOf(0, a.rank() - 2);
    int[] outDims = java.util.Arrays.copyOf(batchDims, batchDims.length + 2);
    outDims[batchDims.length] = m;
    outDims[batchDims.length + 1] = n;
    Shape out = Shape.ofOwned(outDims);
    Object z = Tensor.allocate(a.dtype(), out.size());
    for (int t = 0; t < batch; t++) {
      int ao = aShared ? 0 : t * m * k;
      int bo = bShared ? 0 : t * k * n;
      int co = t * m * n;
      switch (a.dtype()) {
        case FLOAT32 -> Blas.sgemm(false, false, m, n, k, 1f, a.floatData(), ao, k, b.floatData(), bo, n, 0f, (float[]) z, co, n);
        case INT32 -> {
          int[] x = a.intData();
          int[] y = b.intData();
          int[] r = (int[]) z;
          for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
              int v = x[ao + i * k + p];
              for (int j = 0; j < n; j++) {
                r[co + i * n + j] += v * y[bo + p * n + j];
              }
            }
          }
        }
        case INT64 -> {
          long[] x = a.longData();
          long[] y = b.longData();
          long[] r = (long[]) z;
          for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
              long v = x[ao + i * k + p];
              for (int j = 0; j < n; j++) {
                r[co + i * n + j] += v * y[bo + p * n + j];
              }
            }
          }
        }
        default -> throw new AssertionError();
      }
    }
    return new Tensor(a.dtype(), out, z);
  }
}
