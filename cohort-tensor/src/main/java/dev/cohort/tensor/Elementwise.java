package dev.cohort.tensor;

import static dev.cohort.tensor.internal.Checks.checkArgument;

/** Elementwise kernels with NumPy broadcasting. */
final class Elementwise {
  private Elementwise() {}

  /** The broadcast of two shapes, or an error naming the op and both shapes. */
  static Shape broadcastShape(String op, Shape a, Shape b) {
    if (a.equals(b)) {
      return a;
    }
    int rank = Math.max(a.rank(), b.rank());
    int[] out = new int[rank];
    int[] ad = a.dimsUnsafe();
    int[] bd = b.dimsUnsafe();
    for (int i = 0; i < rank; i++) {
      int x = i - (rank - ad.length) >= 0 ? ad[i - (rank - ad.length)] : 1;
      int y = i - (rank - bd.length) >= 0 ? bd[i - (rank - bd.length)] : 1;
      checkArgument(x == y || x == 1 || y == 1,
          "%s: shapes %s and %s cannot be broadcast (dimension %s: %s vs %s)", op, a, b, i, x, y);
      out[i] = x == 1 ? y : x;
    }
    return Shape.ofOwned(out);
  }

  /** Strides of {@code s} seen through broadcast shape {@code out}: 0 where {@code s} stretches. */
  static int[] broadcastStrides(Shape s, Shape out) {
    int rank = out.rank();
    int[] strides = new int[rank];
    int[] own = s.strides();
    int[] dims = s.dimsUnsafe();
    int shift = rank - dims.length;
    for (int i = shift; i < rank; i++) {
      strides[i] = dims[i - shift] == 1 ? 0 : own[i - shift];
    }
    return strides;
  }

  /**
   * Visits the broadcast iteration space row by row. For each row of the last dimension it reports the offsets
   * of the two operands; the per-row inner strides are {@code aStrides[rank-1]} and {@code bStrides[rank-1]}.
   */
  interface RowVisitor {
    void row(int outOffset, int aOffset, int bOffset, int length, int aStep, int bStep);
  }

  static void forEachRow(Shape out, int[] as, int[] bs, RowVisitor v) {
    int rank = out.rank();
    if (rank == 0) {
      v.row(0, 0, 0, 1, 0, 0);
      return;
    }
    int[] dims = out.dimsUnsafe();
    int len = dims[rank - 1];
    if (len == 0 || out.size() == 0) {
      return;
    }
    int rows = out.size() / len;
    int[] idx = new int[rank - 1];
    int ao = 0;
    int bo = 0;
    for (int r = 0; r < rows; r++) {
      v.row(r * len, ao, bo, len, as[rank - 1], bs[rank - 1]);
      for (int d = rank - 2; d >= 0; d--) {
        idx[d]++;
        ao += as[d];
        bo += bs[d];
        if (idx[d] < dims[d]) {
          break;
        }
        ao -= as[d] * dims[d];
        bo -= bs[d] * dims[d];
        idx[d] = 0;
      }
    }
  }

  static void requireSameDType(String op, Tensor a, Tensor b) {
    checkArgument(a.dtype() == b.dtype(), "%s: dtypes differ: %s%s vs %s%s", op, a.dtype(), a.shape(), b.dtype(), b.shape());
  }

  static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
    requireSameDType(op.opName, a, b);
    a.requireNumeric(op.opName);
    DType dt = a.dtype();
    Shape out = broadcastShape(op.opName, a.shape(), b.shape());
    Object r = Tensor.allocate(dt, out.size());
    if (a.shape().equals(b.shape())) {
      switch (dt) {
        case FLOAT32 -> sameShapeFloat(op, (float[]) a.data(), (float[]) b.data(), (float[]) r);
        case INT32 -> {
          int[] x = (int[]) a.data();
          int[] y = (int[]) b.data();
          int[] z = (int[]) r;
          for (int i = 0; i < z.length; i++) {
            z[i] = op.apply(x[i], y[i]);
          }
        }
        case INT64 -> {
          long[] x = (long[]) a.data();
          long[] y = (long[]) b.data();
          long[] z = (long[]) r;
          for (int i = 0; i < z.length; i++) {
            z[i] = op.apply(x[i], y[i]);
          }
        }
        default -> throw new AssertionError(dt);
      }
    } else if (dt == DType.FLOAT32 && b.size() == 1 && out.equals(a.shape())) {
      // A scalar operand (a weighted mean's client weight, a learning rate): one plain loop the JIT vectorizes.
      scalarFloat(op, (float[]) a.data(), ((float[]) b.data())[0], (float[]) r);
    } else {
      int[] as = broadcastStrides(a.shape(), out);
      int[] bs = broadcastStrides(b.shape(), out);
      switch (dt) {
        case FLOAT32 -> {
          float[] x = (float[]) a.data();
          float[] y = (float[]) b.data();
          float[] z = (float[]) r;
          forEachRow(out, as, bs, (o, ao, bo, n, sa, sb) -> {
            for (int i = 0; i < n; i++) {
              z[o + i] = op.apply(x[ao + i * sa], y[bo + i * sb]);
            }
          });
        }
        case INT32 -> {
          int[] x = (int[]) a.data();
          int[] y = (int[]) b.data();
          int[] z = (int[]) r;
          forEachRow(out, as, bs, (o, ao, bo, n, sa, sb) -> {
            for (int i = 0; i < n; i++) {
              z[o + i] = op.apply(x[ao + i * sa], y[bo + i * sb]);
            }
          });
        }
        case INT64 -> {
          long[] x = (long[]) a.data();
          long[] y = (long[]) b.data();
          long[] z = (long[]) r;
          forEachRow(out, as, bs, (o, ao, bo, n, sa, sb) -> {
            for (int i = 0; i < n; i++) {
              z[o + i] = op.apply(x[ao + i * sa], y[bo + i * sb]);
            }
          });
        }
        default -> throw new AssertionError(dt);
      }
    }
    Tensor result = new Tensor(dt, out, r);
    if (dt == DType.FLOAT32 && (op == BinaryOp.DIV || op == BinaryOp.POW)) {
      checkNoNewNaN(op.opName, a, b, result);
    }
    return result;
  }

  /** {@code z[i] = x[i] op s}: the same operations, in the same order, as the broadcasting loop. */
  private static void scalarFloat(BinaryOp op, float[] x, float s, float[] z) {
    switch (op) {
      case ADD -> {
        for (int i = 0; i < z.length; i++) {
          z[i] = x[i] + s;
        }
      }
      case SUB -> {
        for (int i = 0; i < z.length; i++) {
          z[i] = x[i] - s;
        }
      }
      case MUL -> {
        for (int i = 0; i < z.length; i++) {
          z[i] = x[i] * s;
        }
      }
      case DIV -> {
        for (int i = 0; i < z.length; i++) {
          z[i] = x[i] / s;
        }
      }
      default -> {
        for (int i = 0; i < z.length; i++) {
          z[i] = op.apply(x[i], s);
        }
      }
    }
  }

  private static void sameShapeFloat(BinaryOp op, float[] x, float[] y, float[] z) {
    switch (op) {
      case ADD -> {
        for (int i = 0; i < z.length; i++) {
          z[i] = x[i] + y[i];
        }
      }
      case SUB -> {
        for (int i = 0; i < z.length; i++) {
          z[i] = x[i] - y[i];
        }
      }
      case MUL -> {
        for (int i = 0; i < z.length; i++) {
          z[i] = x[i] * y[i];
        }
      }
      case DIV -> {
        for (int i = 0; i < z.length; i++) {
          z[i] = x[i] / y[i];
        }
      }
      default -> {
        for (int i = 0; i < z.length; i++) {
          z[i] = op.apply(x[i], y[i]);
        }
      }
    }
  }

  /** Fails if {@code result} holds a NaN where neither broadcast input did (0/0, inf/inf, negative^fraction). */
  private static void checkNoNewNaN(String op, Tensor a, Tensor b, Tensor result) {
    float[] z = result.floatData();
    for (int i = 0; i < z.length; i++) {
      if (Float.isNaN(z[i])) {
        int[] as = broadcastStrides(a.shape(), result.shape());
        int[] bs = broadcastStrides(b.shape(), result.shape());
        int ai = 0;
        int bi = 0;
        int rem = i;
        int[] dims = result.shape().dimsUnsafe();
        for (int d = dims.length - 1; d >= 0; d--) {
          int c = rem % dims[d];
          rem /= dims[d];
          ai += c * as[d];
          bi += c * bs[d];
        }
        float x = a.floatData()[ai];
        float y = b.floatData()[bi];
        if (!Float.isNaN(x) && !Float.isNaN(y)) {
          throw new IllegalArgumentException(op + ": undefined for inputs " + x + " and " + y + " at flat index " + i
              + " of result shape " + result.shape() + " (operands " + a.shape() + ", " + b.shape() + "); result would be NaN");
        }
      }
    }
  }

  static Tensor unary(UnaryOp op, Tensor a) {
    a.requireNumeric(op.opName);
    if (op.floatOnly) {
      a.requireDType(op.opName, DType.FLOAT32);
    }
    Object r = Tensor.allocate(a.dtype(), a.size());
    switch (a.dtype()) {
      case FLOAT32 -> {
        float[] x = (float[]) a.data();
        float[] z = (float[]) r;
        if (op == UnaryOp.LOG || op == UnaryOp.SQRT) {
          for (int i = 0; i < x.length; i++) {
            checkArgument(!(x[i] < 0), "%s: undefined for negative input %s at flat index %s of shape %s",
                op.opName, x[i], i, a.shape());
          }
        }
        if (op == UnaryOp.RELU) {
          for (int i = 0; i < x.length; i++) {
            z[i] = Math.max(x[i], 0f); // vectorizes; see UnaryOp.RELU
          }
        } else {
          for (int i = 0; i < x.length; i++) {
            z[i] = op.apply(x[i]);
          }
        }
      }
      case INT32 -> {
        int[] x = (int[]) a.data();
        int[] z = (int[]) r;
        for (int i = 0; i < x.length; i++) {
          z[i] = (int) op.apply(x[i]);
        }
      }
      case INT64 -> {
        long[] x = (long[]) a.data();
        long[] z = (long[]) r;
        for (int i = 0; i < x.length; i++) {
          z[i] = op.apply(x[i]);
        }
      }
      default -> throw new AssertionError(a.dtype());
    }
    return new Tensor(a.dtype(), a.shape(), r);
  }

  static Tensor clip(Tensor a, float min, float max) {
    a.requireDType("clip", DType.FLOAT32);
    checkArgument(min <= max, "clip: min (%s) must be <= max (%s)", min, max);
    float[] x = a.floatData();
    float[] z = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      z[i] = Math.min(max, Math.max(min, x[i]));
    }
    return new Tensor(DType.FLOAT32, a.shape(), z);
  }

  static void inPlace(BinaryOp op, Tensor a, Tensor b) {
    String name = op.opName + "InPlace";
    requireSameDType(name, a, b);
    a.requireNumeric(name);
    checkArgument(a.shape().equals(b.shape()), "%s: shapes differ: %s vs %s", name, a.shape(), b.shape());
    switch (a.dtype()) {
      case FLOAT32 -> {
        float[] x = (float[]) a.data();
        float[] y = (float[]) b.data();
        switch (op) {
          case ADD -> {
            for (int i = 0; i < x.length; i++) {
              x[i] += y[i];
            }
          }
          case SUB -> {
            for (int i = 0; i < x.length; i++) {
              x[i] -= y[i];
            }
          }
          default -> throw new AssertionError("inPlace: no float32 kernel for " + op);
        }
      }
      case INT32 -> {
        int[] x = (int[]) a.data();
        int[] y = (int[]) b.data();
        for (int i = 0; i < x.length; i++) {
          x[i] = op.apply(x[i], y[i]);
        }
      }
      case INT64 -> {
        long[] x = (long[]) a.data();
        long[] y = (long[]) b.data();
        for (int i = 0; i < x.length; i++) {
          x[i] = op.apply(x[i], y[i]);
        }
      }
      default -> throw new AssertionError(a.dtype());
    }
  }

  static Tensor compare(CompareOp op, Tensor a, Tensor b) {
    requireSameDType(op.opName, a, b);
    boolean ordering = op != CompareOp.EQ && op != CompareOp.NE;
    if (ordering) {
      a.requireNumeric(op.opName);
    }
    Shape out = broadcastShape(op.opName, a.shape(), b.shape());
    boolean[] z = new boolean[out.size()];
    int[] as = broadcastStrides(a.shape(), out);
    int[] bs = broadcastStrides(b.shape(), out);
    Object x = a.data();
    Object y = b.data();
    forEachRow(out, as, bs, (o, ao, bo, n, sa, sb) -> {
      for (int i = 0; i < n; i++) {
        int ia = ao + i * sa;
        int ib = bo + i * sb;
        z[o + i] = switch (a.dtype()) {
          case FLOAT32 -> op.test(((float[]) x)[ia], ((float[]) y)[ib]);
          case INT32 -> op.test(Integer.compare(((int[]) x)[ia], ((int[]) y)[ib]));
          case INT64 -> op.test(Long.compare(((long[]) x)[ia], ((long[]) y)[ib]));
          case BOOL -> op.test(Boolean.compare(((boolean[]) x)[ia], ((boolean[]) y)[ib]));
          case STRING -> op.test(((String[]) x)[ia].equals(((String[]) y)[ib]) ? 0 : 1);
        };
      }
    });
    return new Tensor(DType.BOOL, out, z);
  }

  static Tensor cast(Tensor a, DType target) {
    if (a.dtype() == target) {
      return a.copy();
    }
    checkArgument(a.dtype() != DType.STRING && target != DType.STRING,
        "cast: cannot cast %s to %s (shape %s); string casts are not supported", a.dtype(), target, a.shape());
    int n = a.size();
    Object r = Tensor.allocate(target, n);
    for (int i = 0; i < n; i++) {
      double v = switch (a.dtype()) {
        case FLOAT32 -> ((float[]) a.data())[i];
        case INT32 -> ((int[]) a.data())[i];
        case INT64 -> ((long[]) a.data())[i];
        case BOOL -> ((boolean[]) a.data())[i] ? 1 : 0;
        case STRING -> throw new AssertionError();
      };
      switch (target) {
        case FLOAT32 -> ((float[]) r)[i] = a.dtype() == DType.INT64 ? (float) ((long[]) a.data())[i] : (float) v;
        case INT32 -> ((int[]) r)[i] = a.dtype() == DType.INT64 ? (int) ((long[]) a.data())[i] : (int) v;
        case INT64 -> ((long[]) r)[i] = a.dtype() == DType.INT64 ? ((long[]) a.data())[i] : (long) v;
        case BOOL -> ((boolean[]) r)[i] = a.dtype() == DType.INT64 ? ((long[]) a.data())[i] != 0 : v != 0;
        case STRING -> throw new AssertionError();
      }
    }
    return new Tensor(target, a.shape(), r);
  }
}
