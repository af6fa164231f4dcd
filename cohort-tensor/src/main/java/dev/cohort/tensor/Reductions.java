package dev.cohort.tensor;

import static dev.cohort.tensor.internal.Checks.checkArgument;

/** Reductions, argmax, norms and softmax. */
final class Reductions {
  private Reductions() {}

  enum Kind {
    SUM("sum"), MEAN("mean"), MAX("max"), MIN("min");

    final String opName;

    Kind(String opName) {
      this.opName = opName;
    }
  }

  static Tensor reduceAll(Kind kind, Tensor a) {
    int[] all = new int[a.rank()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    return reduce(kind, a, all, false);
  }

  static Tensor reduce(Kind kind, Tensor a, int[] axes, boolean keepDims) {
    a.requireNumeric(kind.opName);
    if (kind == Kind.MEAN) {
      a.requireDType("mean", DType.FLOAT32);
    }
    Shape in = a.shape();
    boolean[] reduced = new boolean[in.rank()];
    for (int axis : axes) {
      int ax = in.normalizeAxis(axis);
      checkArgument(!reduced[ax], "%s: axis %s listed twice in %s", kind.opName, axis, axes);
      reduced[ax] = true;
    }
    int[] dims = in.dimsUnsafe();
    int count = 1;
    int keptRank = 0;
    for (int i = 0; i < dims.length; i++) {
      if (reduced[i]) {
        count *= dims[i];
      } else {
        keptRank++;
      }
    }
    if (kind == Kind.MAX || kind == Kind.MIN) {
      checkArgument(count > 0, "%s: reduction over empty axes of shape %s is undefined", kind.opName, in);
    }
    int[] outDims = new int[keepDims ? dims.length : keptRank];
    for (int i = 0, j = 0; i < dims.length; i++) {
      if (keepDims) {
        outDims[i] = reduced[i] ? 1 : dims[i];
      } else if (!reduced[i]) {
        outDims[j++] = dims[i];
      }
    }
    Shape out = Shape.ofOwned(outDims);
    // Output strides as seen from each input axis (0 on reduced axes).
    int[] os = new int[dims.length];
    int acc = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      if (!reduced[i]) {
        os[i] = acc;
        acc *= dims[i];
      }
    }
    int n = out.size();
    // Walk the input row by row (rows of its last axis); each row adds into the output at stride 0 (last axis
    // reduced) or 1 (kept). Max and min propagate NaN.
    int[] inStrides = in.strides();
    switch (a.dtype()) {
      case FLOAT32 -> {
        double[] accum = new double[n];
        if (kind == Kind.MAX) {
          java.util.Arrays.fill(accum, Double.NEGATIVE_INFINITY);
        } else if (kind == Kind.MIN) {
          java.util.Arrays.fill(accum, Double.POSITIVE_INFINITY);
        }
        float[] x = a.floatData();
        Elementwise.forEachRow(in, inStrides, os, (io, unused, oo, len, unusedStep, step) -> {
          switch (kind) {
            case SUM, MEAN -> {
              if (step == 0) {
                double s = 0;
                for (int i = 0; i < len; i++) {
                  s += x[io + i];
                }
                accum[oo] += s;
              } else {
                for (int i = 0; i < len; i++) {
                  accum[oo + i] += x[io + i];
                }
              }
            }
            case MAX -> {
              for (int i = 0; i < len; i++) {
                accum[oo + i * step] = Math.max(accum[oo + i * step], x[io + i]);
              }
            }
            case MIN -> {
              for (int i = 0; i < len; i++) {
                accum[oo + i * step] = Math.min(accum[oo + i * step], x[io + i]);
              }
            }
          }
        });
        float[] z = new float[n];
        for (int i = 0; i < n; i++) {
          z[i] = (float) (kind == Kind.MEAN ? accum[i] / count : accum[i]);
        }
        return new Tensor(DType.FLOAT32, out, z);
      }
      case INT32, INT64 -> {
        long[] accum = new long[n];
        if (kind == Kind.MAX) {
          java.util.Arrays.fill(accum, Long.MIN_VALUE);
        } else if (kind == Kind.MIN) {
          java.util.Arrays.fill(accum, Long.MAX_VALUE);
        }
        boolean isInt = a.dtype() == DType.INT32;
        int[] xi = isInt ? a.intData() : null;
        long[] xl = isInt ? null : a.longData();
        Elementwise.forEachRow(in, inStrides, os, (io, unused, oo, len, unusedStep, step) -> {
          for (int i = 0; i < len; i++) {
            long v = isInt ? xi[io + i] : xl[io + i];
            int o = oo + i * step;
            accum[o] = switch (kind) {
              case SUM, MEAN -> accum[o] + v;
              case MAX -> Math.max(accum[o], v);
              case MIN -> Math.min(accum[o], v);
            };
          }
        });
        if (isInt) {
          int[] z = new int[n];
          for (int i = 0; i < n; i++) {
            z[i] = (int) accum[i];
          }
          return new Tensor(DType.INT32, out, z);
        }
        return new Tensor(DType.INT64, out, accum);
      }
      default -> throw new AssertionError(a.dtype());
    }
  }

  static Tensor argmax(Tensor a, int axis) {
    a.requireNumeric("argmax");
    Shape in = a.shape();
    int ax = in.normalizeAxis(axis);
    int[] dims = in.dimsUnsafe();
    int n = dims[ax];
    checkArgument(n > 0, "argmax: axis %s of shape %s is empty", axis, in);
    int outer = in.sizeOf(0, ax);
    int inner = in.sizeOf(ax + 1, dims.length);
    int[] outDims = new int[dims.length - 1];
    for (int i = 0, j = 0; i < dims.length; i++) {
      if (i != ax) {
        outDims[j++] = dims[i];
      }
    }
    long[] z = new long[outer * inner];
    for (int o = 0; o < outer; o++) {
      for (int j = 0; j < inner; j++) {
        int base = o * n * inner + j;
        z[o * inner + j] = switch (a.dtype()) {
          case FLOAT32 -> argmaxFloat(a.floatData(), base, n, inner);
          case INT32 -> {
            int[] x = a.intData();
            int best = 0;
            for (int k = 1; k < n; k++) {
              if (x[base + k * inner] > x[base + best * inner]) {
                best = k;
              }
            }
            yield best;
          }
          default -> {
            long[] x = a.longData();
            int best = 0;
            for (int k = 1; k < n; k++) {
              if (x[base + k * inner] > x[base + best * inner]) {
                best = k;
              }
            }
            yield best;
          }
        };
      }
    }
    return new Tensor(DType.INT64, Shape.ofOwned(outDims), z);
  }

  /** First index of the maximum in a strided float row; a NaN wins at its first position, as NumPy's argmax. */
  private static int argmaxFloat(float[] x, int base, int n, int stride) {
    int best = 0;
    for (int k = 0; k < n; k++) {
      float v = x[base + k * stride];
      if (v != v) {
        return k;
      }
      if (v > x[base + best * stride]) {
        best = k;
      }
    }
    return best;
  }

  static Tensor norm(Tensor a) {
    a.requireDType("norm", DType.FLOAT32);
    double s = 0;
    for (float v : a.floatData()) {
      s += (double) v * v;
    }
    return Tensor.scalar((float) Math.sqrt(s));
  }

  static Tensor softmax(Tensor a, int axis, boolean log) {
    String op = log ? "logSoftmax" : "softmax";
    a.requireDType(op, DType.FLOAT32);
    Shape in = a.shape();
    int ax = in.normalizeAxis(axis);
    int n = in.dim(ax);
    int outer = in.sizeOf(0, ax);
    int inner = in.sizeOf(ax + 1, in.rank());
    float[] x = a.floatData();
    float[] z = new float[x.length];
    for (int o = 0; o < outer; o++) {
      for (int j = 0; j < inner; j++) {
        int base = o * n * inner + j;
        float max = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) {
          max = Math.max(max, x[base + k * inner]);
        }
        double sum = 0;
        for (int k = 0; k < n; k++) {
          sum += Math.exp(x[base + k * inner] - max);
        }
        if (log) {
          // (x - max) - log(sum) keeps precision when |max| is large.
          double logSum = Math.log(sum);
          for (int k = 0; k < n; k++) {
            z[base + k * inner] = (float) ((x[base + k * inner] - max) - logSum);
          }
        } else {
          for (int k = 0; k < n; k++) {
            z[base + k * inner] = (float) (Math.exp(x[base + k * inner] - max) / sum);
          }
        }
      }
    }
    return new Tensor(DType.FLOAT32, in, z);
  }
}
