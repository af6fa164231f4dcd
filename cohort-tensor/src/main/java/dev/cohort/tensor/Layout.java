package dev.cohort.tensor;

import static dev.cohort.tensor.internal.Checks.checkArgument;

/** Shape-changing and indexing kernels. */
final class Layout {
  private Layout() {}

  static Tensor reshape(Tensor a, int[] newShape) {
    int[] dims = newShape.clone();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] == -1) {
        checkArgument(infer < 0, "reshape: more than one -1 in %s", newShape);
        infer = i;
      } else {
        checkArgument(dims[i] >= 0, "reshape: dimension %s of %s is negative", i, newShape);
        known *= dims[i];
      }
    }
    if (infer >= 0) {
      checkArgument(known > 0 && a.size() % known == 0,
          "reshape: cannot infer -1 in %s for %s elements (shape %s)", newShape, a.size(), a.shape());
      dims[infer] = (int) (a.size() / known);
      known *= dims[infer];
    }
    checkArgument(known == a.size(), "reshape: shape %s has %s elements, tensor of shape %s has %s",
        newShape, known, a.shape(), a.size());
    return new Tensor(a.dtype(), Shape.ofOwned(dims), a.data());
  }

  static Tensor transpose(Tensor a, int[] perm) {
    int rank = a.rank();
    if (perm.length == 0) {
      perm = new int[rank];
      for (int i = 0; i < rank; i++) {
        perm[i] = rank - 1 - i;
      }
    }
    checkArgument(perm.length == rank, "transpose: permutation %s has %s axes, tensor of shape %s has %s",
        perm, perm.length, a.shape(), rank);
    boolean[] seen = new boolean[rank];
    int[] p = new int[rank];
    for (int i = 0; i < rank; i++) {
      p[i] = a.shape().normalizeAxis(perm[i]);
      checkArgument(!seen[p[i]], "transpose: %s is not a permutation of 0..%s", perm, rank - 1);
      seen[p[i]] = true;
    }
    int[] inDims = a.shape().dimsUnsafe();
    int[] inStrides = a.shape().strides();
    int[] outDims = new int[rank];
    int[] srcStrides = new int[rank];
    for (int i = 0; i < rank; i++) {
      outDims[i] = inDims[p[i]];
      srcStrides[i] = inStrides[p[i]];
    }
    Shape out = Shape.ofOwned(outDims);
    if (rank == 2 && a.dtype() == DType.FLOAT32 && p[0] == 1) {
      return new Tensor(DType.FLOAT32, out, transpose2d(a.floatData(), inDims[0], inDims[1]));
    }
    Object z = Tensor.allocate(a.dtype(), a.size());
    Object x = a.data();
    // Walk the output row by row; srcStrides map each output row to its (strided) source.
    Elementwise.forEachRow(out, srcStrides, new int[rank], (o, src, unused, len, step, unusedStep) -> {
      switch (a.dtype()) {
        case FLOAT32 -> {
          float[] from = (float[]) x;
          float[] to = (float[]) z;
          for (int i = 0; i < len; i++) {
            to[o + i] = from[src + i * step];
          }
        }
        case INT32 -> {
          int[] from = (int[]) x;
          int[] to = (int[]) z;
          for (int i = 0; i < len; i++) {
            to[o + i] = from[src + i * step];
          }
        }
        default -> {
          for (int i = 0; i < len; i++) {
            System.arraycopy(x, src + i * step, z, o + i, 1);
          }
        }
      }
    });
    return new Tensor(a.dtype(), out, z);
  }

  /** Cache-blocked transpose of a row-major {@code [rows, cols]} float matrix. */
  static float[] transpose2d(float[] x, int rows, int cols) {
    float[] z = new float[x.length];
    final int b = 32;
    for (int i0 = 0; i0 < rows; i0 += b) {
      int i1 = Math.min(rows, i0 + b);
      for (int j0 = 0; j0 < cols; j0 += b) {
        int j1 = Math.min(cols, j0 + b);
        for (int i = i0; i < i1; i++) {
          for (int j = j0; j < j1; j++) {
            z[j * rows + i] = x[i * cols + j];
          }
        }
      }
    }
    return z;
  }

  static Tensor slice(Tensor a, int[] begin, int[] size) {
    int rank = a.rank();
    checkArgument(begin.length == rank && size.length == rank,
        "slice: begin %s and size %s must both have %s entries for shape %s", begin, size, rank, a.shape());
    int[] dims = a.shape().dimsUnsafe();
    int[] outDims = new int[rank];
    for (int i = 0; i < rank; i++) {
      int s = size[i] == -1 ? dims[i] - begin[i] : size[i];
      checkArgument(begin[i] >= 0 && s >= 0 && (long) begin[i] + s <= dims[i],
          "slice: axis %s: begin %s with size %s is out of range for shape %s", i, begin[i], size[i], a.shape());
      outDims[i] = s;
    }
    Shape out = Shape.ofOwned(outDims);
    Object z = Tensor.allocate(a.dtype(), out.size());
    if (out.size() == 0) {
      return new Tensor(a.dtype(), out, z);
    }
    int[] strides = a.shape().strides();
    int base = 0;
    for (int i = 0; i < rank; i++) {
      base += begin[i] * strides[i];
    }
    if (rank == 0) {
      System.arraycopy(a.data(), 0, z, 0, 1);
      return new Tensor(a.dtype(), out, z);
    }
    int run = outDims[rank - 1];
    int rows = out.size() / run;
    int[] idx = new int[rank];
    int src = base;
    for (int r = 0; r < rows; r++) {
      System.arraycopy(a.data(), src, z, r * run, run);
      for (int d = rank - 2; d >= 0; d--) {
        idx[d]++;
        src += strides[d];
        if (idx[d] < outDims[d]) {
          break;
        }
        src -= strides[d] * outDims[d];
        idx[d] = 0;
      }
    }
    return new Tensor(a.dtype(), out, z);
  }

  static Tensor concat(int axis, Tensor[] ts) {
    checkArgument(ts.length > 0, "concat: no tensors given");
    Tensor first = ts[0];
    checkArgument(first.rank() > 0, "concat: cannot concatenate scalars; use stack");
    int ax = first.shape().normalizeAxis(axis);
    int[] dims = first.shape().dims();
    int total = 0;
    for (int t = 0; t < ts.length; t++) {
      Tensor x = ts[t];
      checkArgument(x.dtype() == first.dtype(), "concat: tensor %s has dtype %s, tensor 0 has %s", t, x.dtype(), first.dtype());
      checkArgument(x.rank() == first.rank(), "concat: tensor %s has shape %s, tensor 0 has %s", t, x.shape(), first.shape());
      for (int i = 0; i < dims.length; i++) {
        checkArgument(i == ax || x.shape().dim(i) == dims[i],
            "concat: tensor %s has shape %s, tensor 0 has %s; they must agree except on axis %s", t, x.shape(), first.shape(), ax);
      }
      total += x.shape().dim(ax);
    }
    dims[ax] = total;
    Shape out = Shape.ofOwned(dims);
    Object z = Tensor.allocate(first.dtype(), out.size());
    int outer = out.sizeOf(0, ax);
    int inner = out.sizeOf(ax + 1, dims.length);
    int outRow = total * inner;
    int offset = 0;
    for (Tensor x : ts) {
      int run = x.shape().dim(ax) * inner;
      for (int o = 0; o < outer; o++) {
        System.arraycopy(x.data(), o * run, z, o * outRow + offset, run);
      }
      offset += run;
    }
    return new Tensor(first.dtype(), out, z);
  }

  static Tensor stack(int axis, Tensor[] ts) {
    checkArgument(ts.length > 0, "stack: no tensors given");
    Shape s = ts[0].shape();
    for (int t = 1; t < ts.length; t++) {
      checkArgument(ts[t].shape().equals(s) && ts[t].dtype() == ts[0].dtype(),
          "stack: tensor %s is %s%s, tensor 0 is %s%s; all must match", t, ts[t].dtype(), ts[t].shape(), ts[0].dtype(), s);
    }
    int rank = s.rank() + 1;
    int ax = axis < 0 ? axis + rank : axis;
    checkArgument(ax >= 0 && ax < rank, "stack: axis %s out of range for result rank %s", axis, rank);
    int[] expanded = new int[rank];
    int[] d = s.dimsUnsafe();
    for (int i = 0, j = 0; i < rank; i++) {
      expanded[i] = i == ax ? 1 : d[j++];
    }
    Tensor[] views = new Tensor[ts.length];
    for (int t = 0; t < ts.length; t++) {
      views[t] = new Tensor(ts[t].dtype(), Shape.ofOwned(expanded.clone()), ts[t].data());
    }
    return concat(ax, views);
  }

  static int[] indexArray(String op, Tensor indices) {
    if (indices.dtype() == DType.INT32) {
      return indices.intData();
    }
    checkArgument(indices.dtype() == DType.INT64, "%s: indices have dtype %s (shape %s), expected int32 or int64",
        op, indices.dtype(), indices.shape());
    long[] l = indices.longData();
    int[] r = new int[l.length];
    for (int i = 0; i < l.length; i++) {
      checkArgument(l[i] >= Integer.MIN_VALUE && l[i] <= Integer.MAX_VALUE, "%s: index %s out of int range", op, l[i]);
      r[i] = (int) l[i];
    }
    return r;
  }

  static Tensor gather(Tensor a, Tensor indices, int axis) {
    int ax = a.shape().normalizeAxis(axis);
    int[] idx = indexArray("gather", indices);
    int[] dims = a.shape().dimsUnsafe();
    int n = dims[ax];
    for (int i = 0; i < idx.length; i++) {
      checkArgument(idx[i] >= 0 && idx[i] < n, "gather: index %s at position %s is out of range [0, %s) for axis %s of shape %s",
          idx[i], i, n, ax, a.shape());
    }
    int outer = a.shape().sizeOf(0, ax);
    int inner = a.shape().sizeOf(ax + 1, dims.length);
    int[] id = indices.shape().dimsUnsafe();
    int[] outDims = new int[dims.length - 1 + id.length];
    int k = 0;
    for (int i = 0; i < ax; i++) {
      outDims[k++] = dims[i];
    }
    for (int v : id) {
      outDims[k++] = v;
    }
    for (int i = ax + 1; i < dims.length; i++) {
      outDims[k++] = dims[i];
    }
    Shape out = Shape.ofOwned(outDims);
    Object z = Tensor.allocate(a.dtype(), out.size());
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < idx.length; i++) {
        System.arraycopy(a.data(), (o * n + idx[i]) * inner, z, (o * idx.length + i) * inner, inner);
      }
    }
    return new Tensor(a.dtype(), out, z);
  }

  static Tensor scatterAdd(Tensor a, Tensor indices, Tensor updates, int axis) {
    a.requireNumeric("scatterAdd");
    checkArgument(updates.dtype() == a.dtype(), "scatterAdd: updates have dtype %s, tensor has %s", updates.dtype(), a.dtype());
    int ax = a.shape().normalizeAxis(axis);
    int[] idx = indexArray("scatterAdd", indices);
    int[] dims = a.shape().dimsUnsafe();
    int n = dims[ax];
    int outer = a.shape().sizeOf(0, ax);
    int inner = a.shape().sizeOf(ax + 1, dims.length);
    // updates must have the shape gather(a, indices, axis) would have.
    int[] id = indices.shape().dimsUnsafe();
    int[] expect = new int[dims.length - 1 + id.length];
    int k = 0;
    for (int i = 0; i < ax; i++) {
      expect[k++] = dims[i];
    }
    for (int v : id) {
      expect[k++] = v;
    }
    for (int i = ax + 1; i < dims.length; i++) {
      expect[k++] = dims[i];
    }
    checkArgument(updates.shape().equals(Shape.ofOwned(expect)),
        "scatterAdd: updates have shape %s, expected %s for indices %s along axis %s of %s",
        updates.shape(), Shape.ofOwned(expect), indices.shape(), ax, a.shape());
    for (int i = 0; i < idx.length; i++) {
      checkArgument(idx[i] >= 0 && idx[i] < n, "scatterAdd: index %s at position %s is out of range [0, %s) for axis %s of shape %s",
          idx[i], i, n, ax, a.shape());
    }
    Tensor z = a.copy();
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < idx.length; i++) {
        int dst = (o * n + idx[i]) * inner;
        int src = (o * idx.length + i) * inner;
        switch (a.dtype()) {
          case FLOAT32 -> {
            float[] zd = z.floatData();
            float[] u = updates.floatData();
            for (int j = 0; j < inner; j++) {
              zd[dst + j] += u[src + j];
            }
          }
          case INT32 -> {
            int[] zd = z.intData();
            int[] u = updates.intData();
            for (int j = 0; j < inner; j++) {
              zd[dst + j] += u[src + j];
            }
          }
          case INT64 -> {
            long[] zd = z.longData();
            long[] u = updates.longData();
            for (int j = 0; j < inner; j++) {
              zd[dst + j] += u[src + j];
            }
          }
          default -> throw new AssertionError();
        }
      }
    }
    return z;
  }

  static Tensor oneHot(Tensor indices, int depth) {
    checkArgument(depth > 0, "oneHot: depth (%s) must be > 0", depth);
    int[] idx = indexArray("oneHot", indices);
    checkArgument((long) idx.length * depth <= Shape.MAX_SIZE,
        "oneHot: %s indices x depth %s exceeds the largest tensor (%s elements)", idx.length, depth, Shape.MAX_SIZE);
    float[] z = new float[idx.length * depth];
    for (int i = 0; i < idx.length; i++) {
      checkArgument(idx[i] >= 0 && idx[i] < depth, "oneHot: index %s at position %s is out of range [0, %s)", idx[i], i, depth);
      z[i * depth + idx[i]] = 1f;
    }
    int[] id = indices.shape().dimsUnsafe();
    int[] outDims = java.util.Arrays.copyOf(id, id.length + 1);
    outDims[id.length] = depth;
    return new Tensor(DType.FLOAT32, Shape.ofOwned(outDims), z);
  }
}
