package dev.cohort.nn;

import static dev.cohort.tensor.internal.Checks.checkArgument;

import dev.cohort.tensor.Blas;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;

/** Elementwise, reduction, layout and matrix-product ops with their gradients. */
final class Ops {
  private Ops() {}

  /** Sums {@code g} (of shape {@code from}) down to {@code to}, undoing broadcasting. */
  static float[] sumToShape(float[] g, Shape from, Shape to) {
    if (from.equals(to)) {
      return g;
    }
    int rank = from.rank();
    int shift = rank - to.rank();
    int[] axes = new int[rank];
    int n = 0;
    for (int i = 0; i < rank; i++) {
      if (i < shift || (to.dim(i - shift) == 1 && from.dim(i) != 1)) {
        axes[n++] = i;
      }
    }
    Tensor s = Tensor.wrap(g, from).sum(true, java.util.Arrays.copyOf(axes, n));
    return s.floatData();
  }

  // ---------------------------------------------------------------- binary

  enum BinaryKind { ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM }

  record Binary(BinaryKind kind) implements Op {
    @Override
    public void backward(Variable out, Variable[] in) {
      Variable a = in[0];
      Variable b = in[1];
      Shape os = out.shape();
      Tensor g = Tensor.wrap(out.gradArray(), os);
      switch (kind) {
        case ADD, SUB -> {
          if (b.requiresGrad()) {
            float[] gb = sumToShape(g.floatData(), os, b.shape());
            if (kind == BinaryKind.SUB) {
              gb = gb == g.floatData() ? negate(gb) : negateInPlace(gb);
            }
            b.addGrad(gb, gb != g.floatData());
          }
          if (a.requiresGrad()) {
            float[] ga = sumToShape(g.floatData(), os, a.shape());
            a.addGrad(ga, true);
          }
        }
        case MUL -> {
          if (a.requiresGrad()) {
            a.addGrad(sumToShape(g.mul(b.value()).floatData(), os, a.shape()), true);
          }
          if (b.requiresGrad()) {
            b.addGrad(sumToShape(g.mul(a.value()).floatData(), os, b.shape()), true);
          }
        }
        case DIV -> {
          if (a.requiresGrad()) {
            a.addGrad(sumToShape(g.div(b.value()).floatData(), os, a.shape()), true);
          }
          if (b.requiresGrad()) {
            // d(a/b)/db = -a/b^2 = -out/b
            Tensor gb = g.mul(out.value()).div(b.value()).neg();
            b.addGrad(sumToShape(gb.floatData(), os, b.shape()), true);
          }
        }
        case MAXIMUM, MINIMUM -> {
          Tensor aWins = kind == BinaryKind.MAXIMUM ? a.value().ge(b.value()) : a.value().le(b.value());
          Tensor maskA = aWins.cast(dev.cohort.tensor.DType.FLOAT32);
          if (a.requiresGrad()) {
            a.addGrad(sumToShape(g.mul(maskA).floatData(), os, a.shape()), true);
          }
          if (b.requiresGrad()) {
            Tensor maskB = Tensor.scalar(1f).sub(maskA);
            b.addGrad(sumToShape(g.mul(maskB).floatData(), os, b.shape()), true);
          }
        }
      }
    }
  }

  private static float[] negate(float[] x) {
    float[] z = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      z[i] = -x[i];
    }
    return z;
  }

  private static float[] negateInPlace(float[] x) {
    for (int i = 0; i < x.length; i++) {
      x[i] = -x[i];
    }
    return x;
  }

  static Variable binary(BinaryKind kind, Variable a, Variable b) {
    a.requireFloat(kind.name().toLowerCase(java.util.Locale.ROOT));
    Tensor v = switch (kind) {
      case ADD -> a.value().add(b.value());
      case SUB -> a.value().sub(b.value());
      case MUL -> a.value().mul(b.value());
      case DIV -> a.value().div(b.value());
      case MAXIMUM -> a.value().maximum(b.value());
      case MINIMUM -> a.value().minimum(b.value());
    };
    return Variable.of(v, new Binary(kind), a, b);
  }

  // ---------------------------------------------------------------- unary

  enum UnaryKind { NEG, EXP, LOG, SQRT, SQUARE, ABS, TANH, SIGMOID, RELU }

  record Unary(UnaryKind kind) implements Op {
    @Override
    public void backward(Variable out, Variable[] in) {
      Variable a = in[0];
      if (!a.requiresGrad()) {
        return;
      }
      float[] g = out.gradArray();
      float[] x = a.value().floatData();
      float[] y = out.value().floatData();
      float[] d = new float[g.length];
      switch (kind) {
        case NEG -> {
          for (int i = 0; i < d.length; i++) {
            d[i] = -g[i];
          }
        }
        case EXP -> {
          for (int i = 0; i < d.length; i++) {
            d[i] = g[i] * y[i];
          }
        }
        case LOG -> {
          for (int i = 0; i < d.length; i++) {
            d[i] = g[i] / x[i];
          }
        }
        case SQRT -> {
          for (int i = 0; i < d.length; i++) {
            d[i] = g[i] / (2 * y[i]);
          }
        }
        case SQUARE -> {
          for (int i = 0; i < d.length; i++) {
            d[i] = 2 * x[i] * g[i];
          }
        }
        case ABS -> {
          for (int i = 0; i < d.length; i++) {
            d[i] = x[i] > 0 ? g[i] : x[i] < 0 ? -g[i] : 0f;
          }
        }
        case TANH -> {
          for (int i = 0; i < d.length; i++) {
            d[i] = g[i] * (1 - y[i] * y[i]);
          }
        }
        case SIGMOID -> {
          for (int i = 0; i < d.length; i++) {
            d[i] = g[i] * y[i] * (1 - y[i]);
          }
        }
        case RELU -> {
          System.arraycopy(g, 0, d, 0, d.length);
          NnOps.reluMaskInPlace(d, x);
        }
      }
      a.addGrad(d, true);
    }
  }

  static Variable unary(UnaryKind kind, Variable a) {
    a.requireFloat(kind.name().toLowerCase(java.util.Locale.ROOT));
    Tensor x = a.value();
    Tensor v = switch (kind) {
      case NEG -> x.neg();
      case EXP -> x.exp();
      case LOG -> x.log();
      case SQRT -> x.sqrt();
      case SQUARE -> x.square();
      case ABS -> x.abs();
      case TANH -> x.tanh();
      case SIGMOID -> x.sigmoid();
      case RELU -> x.relu();
    };
    return Variable.of(v, new Unary(kind), a);
  }

  record Clip(float min, float max) implements Op {
    @Override
    public void backward(Variable out, Variable[] in) {
      float[] g = out.gradArray();
      float[] x = in[0].value().floatData();
      float[] d = new float[g.length];
      for (int i = 0; i < d.length; i++) {
        d[i] = x[i] >= min && x[i] <= max ? g[i] : 0f;
      }
      in[0].addGrad(d, true);
    }
  }

  static Variable clip(Variable a, float min, float max) {
    a.requireFloat("clip");
    return Variable.of(a.value().clip(min, max), new Clip(min, max), a);
  }

  // ---------------------------------------------------------------- reductions

  record Reduce(boolean mean, Shape keptShape, int count) implements Op {
    @Override
    public void backward(Variable out, Variable[] in) {
      Tensor g = Tensor.wrap(out.gradArray(), keptShape);
      if (mean) {
        g = g.mul(1f / count);
      }
      Tensor expanded = Tensor.zeros(in[0].shape().dims()).add(g);
      in[0].addGrad(expanded.floatData(), true);
    }
  }

  static Variable reduce(Variable a, boolean mean, boolean keepDims, int[] axes) {
    a.requireFloat(mean ? "mean" : "sum");
    Tensor kept = mean ? a.value().mean(true, axes) : a.value().sum(true, axes);
    int count = a.value().size() / Math.max(1, kept.size());
    Tensor v = keepDims ? kept : (mean ? a.value().mean(false, axes) : a.value().sum(false, axes));
    return Variable.of(v, new Reduce(mean, kept.shape(), count), a);
  }

  record ReduceMax(Tensor keptMax) implements Op {
    @Override
    public void backward(Variable out, Variable[] in) {
      Tensor x = in[0].value();
      Tensor mask = x.eq(keptMax).cast(dev.cohort.tensor.DType.FLOAT32);
      int[] axes = reducedAxes(x.shape(), keptMax.shape());
      Tensor ties = mask.sum(true, axes);
      Tensor g = Tensor.wrap(out.gradArray(), keptMax.shape());
      in[0].addGrad(mask.mul(g.div(ties)).floatData(), true);
    }
  }

  private static int[] reducedAxes(Shape full, Shape kept) {
    int[] axes = new int[full.rank()];
    int n = 0;
    for (int i = 0; i < full.rank(); i++) {
      if (kept.dim(i) == 1 && full.dim(i) != 1) {
        axes[n++] = i;
      }
    }
    return java.util.Arrays.copyOf(axes, n);
  }

  static Variable reduceMax(Variable a, boolean keepDims, int[] axes) {
    a.requireFloat("max");
    Tensor kept = a.value().max(true, axes);
    Tensor v = keepDims ? kept : a.value().max(false, axes);
    return Variable.of(v, new ReduceMax(kept), a);
  }

  record Norm() implements Op {
    @Override
    public void backward(Variable out, Variable[] in) {
      float n = out.value().floatValue();
      float g = out.gradArray()[0];
      float[] x = in[0].value().floatData();
      float[] d = new float[x.length];
      if (n > 0) {
        for (int i = 0; i < d.length; i++) {
          d[i] = g * x[i] / n;
        }
      }
      in[0].addGrad(d, true);
    }
  }

  static Variable norm(Variable a) {
    a.requireFloat("norm");
    return Variable.of(a.value().norm(), new Norm(), a);
  }

  // ---------------------------------------------------------------- layout

  record Reshape() implements Op {
    @Override
    public void backward(Variable out, Variable[] in) {
      in[0].addGrad(out.gradArray(), true);
    }
  }

  static Variable reshape(Variable a, int[] shape) {
    return Variable.of(a.value().reshape(shape), new Reshape(), a);
  }

  record Transpose(int[] inverse) implements Op {
    @Override
    public void backward(Variable out, Variable[] in) {
      in[0].addGrad(Tensor.wrap(out.gradArray(), out.shape()).transpose(inverse).floatData(), true);
    }
  }

  static Variable transpose(Variable a, int[] perm) {
    Tensor v = a.value().transpose(perm);
    int rank = a.value().rank();
    int[] p = perm.length == 0 ? reversed(rank) : perm;
    int[] inverse = new int[rank];
    for (int i = 0; i < rank; i++) {
      inverse[a.shape().normalizeAxis(p[i])] = i;
    }
    return Variable.of(v, new Transpose(inverse), a);
  }

  private static int[] reversed(int rank) {
    int[] p = new int[rank];
    for (int i = 0; i < rank; i++) {
      p[i] = rank - 1 - i;
    }
    return p;
  }

  record Slice(int[] begin) implements Op {
    @Override
    public void backward(Variable out, Variable[] in) {
      float[] d = new float[in[0].value().size()];
      addSlice(d, in[0].shape(), begin, out.gradArray(), out.shape());
      in[0].addGrad(d, true);
    }
  }

  /** Adds {@code src} (shape {@code srcShape}) into {@code dst} (shape {@code dstShape}) at offset {@code begin}. */
  static void addSlice(float[] dst, Shape dstShape, int[] begin, float[] src, Shape srcShape) {
    int rank = dstShape.rank();
    if (src.length == 0) {
      return;
    }
    if (rank == 0) {
      dst[0] += src[0];
      return;
    }
    int[] strides = new int[rank];
    int acc = 1;
    for (int i = rank - 1; i >= 0; i--) {
      strides[i] = acc;
      acc *= dstShape.dim(i);
    }
    int run = srcShape.dim(rank - 1);
    int rows = src.length / run;
    int[] idx = new int[rank];
    int base = 0;
    for (int i = 0; i < rank; i++) {
      base += begin[i] * strides[i];
    }
    int off = base;
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < run; j++) {
        dst[off + j] += src[r * run + j];
      }
      for (int d = rank - 2; d >= 0; d--) {
        idx[d]++;
        off += strides[d];
        if (idx[d] < srcShape.dim(d)) {
          break;
        }
        off -= strides[d] * srcShape.dim(d);
        idx[d] = 0;
      }
    }
  }

  static Variable slice(Variable a, int[] begin, int[] size) {
    return Variable.of(a.value().slice(begin, size), new Slice(begin.clone()), a);
  }

  record Gather(Tensor indices, int axis) implements Op {
    @Override
    public void backward(Variable out, Variable[] in) {
      Variable a = in[0];
      if (!a.requiresGrad()) {
        return;
      }
      // Scatter-add the rows straight into a's gradient buffer (zeroed on first use): an embedding table's
      // gradient is touched once, not copied three times.
      float[] target = a.zeroedTarget();
      float[] g = out.gradArray();
      // Forward (Tensor.gather) validated the indices, so narrowing int64 to int32 is exact.
      int[] idx = indices.dtype() == dev.cohort.tensor.DType.INT32 ? indices.intData()
          : indices.cast(dev.cohort.tensor.DType.INT32).intData();
      Shape s = a.shape();
      int n = s.dim(axis);
      int outer = 1;
      for (int i = 0; i < axis; i++) {
        outer *= s.dim(i);
      }
      int inner = s.size() / Math.max(1, outer * n);
      for (int o = 0; o < outer; o++) {
        for (int i = 0; i < idx.length; i++) {
          int dst = (o * n + idx[i]) * inner;
          int src = (o * idx.length + i) * inner;
          for (int j = 0; j < inner; j++) {
            target[dst + j] += g[src + j];
          }
        }
      }
    }
  }

  static Variable gather(Variable a, Tensor indices, int axis) {
    return Variable.of(a.value().gather(indices, axis), new Gather(indices, a.shape().normalizeAxis(axis)), a);
  }

  record Concat(int axis) implements Op {
    @Override
    public void backward(Variable out, Variable[] in) {
      Tensor g = Tensor.wrap(out.gradArray(), out.shape());
      int offset = 0;
      for (Variable v : in) {
        int[] begin = new int[out.shape().rank()];
        int[] size = out.shape().dims();
        begin[axis] = offset;
        size[axis] = v.shape().dim(axis);
        offset += size[axis];
        if (v.requiresGrad()) {
          v.addGrad(g.slice(begin, size).floatData(), true);
        }
      }
    }
  }

  static Variable concat(int axis, Variable[] vs) {
    checkArgument(vs.length > 0, "concat: no variables given");
    Tensor[] ts = new Tensor[vs.length];
    for (int i = 0; i < vs.length; i++) {
      ts[i] = vs[i].value();
    }
    Tensor v = Tensor.concat(axis, ts);
    return Variable.of(v, new Concat(v.shape().normalizeAxis(axis)), vs);
  }

  static Variable stack(int axis, Variable[] vs) {
    checkArgument(vs.length > 0, "stack: no variables given");
    int rank = vs[0].shape().rank() + 1;
    int ax = axis < 0 ? axis + rank : axis;
    checkArgument(ax >= 0 && ax < rank, "stack: axis %s out of range for result rank %s", axis, rank);
    Variable[] expanded = new Variable[vs.length];
    for (int i = 0; i < vs.length; i++) {
      int[] d = vs[i].shape().dims();
      int[] e = new int[rank];
      for (int k = 0, j = 0; k < rank; k++) {
        e[k] = k == ax ? 1 : d[j++];
      }
      expanded[i] = vs[i].reshape(e);
    }
    return concat(ax, expanded);
  }

  // ---------------------------------------------------------------- matmul

  record MatMul() implements Op {
    @Override
    public void backward(Variable out, Variable[] in) {
      Variable a = in[0];
      Variable b = in[1];
      float[] g = out.gradArray();
      int m = a.shape().dim(-2);
      int k = a.shape().dim(-1);
      int n = b.shape().dim(-1);
      boolean aShared = a.shape().rank() == 2;
      boolean bShared = b.shape().rank() == 2;
      int batch = out.shape().size() == 0 ? 0 : out.shape().size() / (m * n);
      if (a.requiresGrad()) {
        float beta = a.gemmBeta();
        float[] da = a.gemmTarget();
        if (batch == 0 && beta == 0f) {
          java.util.Arrays.fill(da, 0f);
        }
        for (int t = 0; t < batch; t++) {
          // dA = G · B^T ; a shared rank-2 A accumulates over the batch
          float bt = aShared && t > 0 ? 1f : beta;
          Blas.sgemm(false, true, m, k, n, 1f, g, t * m * n, n, b.value().floatData(), bShared ? 0 : t * k * n, n,
              bt, da, aShared ? 0 : t * m * k, k);
        }
      }
      if (b.requiresGrad()) {
        float beta = b.gemmBeta();
        float[] db = b.gemmTarget();
        if (batch == 0 && beta == 0f) {
          java.util.Arrays.fill(db, 0f);
        }
        for (int t = 0; t < batch; t++) {
          // dB = A^T · G
          float bt = bShared && t > 0 ? 1f : beta;
          Blas.sgemm(true, false, k, n, m, 1f, a.value().floatData(), aShared ? 0 : t * m * k, k, g, t * m * n, n,
              bt, db, bShared ? 0 : t * k * n, n);
        }
      }
    }
  }

  static Variable matmul(Variable a, Variable b) {
    a.requireFloat("matmul");
    return Variable.of(a.value().matmul(b.value()), new MatMul(), a, b);
  }
}
