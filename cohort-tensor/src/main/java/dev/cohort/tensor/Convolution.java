package dev.cohort.tensor;

import static dev.cohort.tensor.internal.Checks.checkArgument;

import java.util.Arrays;

/**
 * Convolution and pooling kernels on NHWC float32 data, forward and backward, at array level so that training
 * code can reuse its buffers. {@link Tensor#conv2d} and {@link Tensor#maxPool} are the tensor-level entry points.
 *
 * <p>Stride-1 5x5 convolutions with at least {@value #WINOGRAD_MIN_CHANNELS} input and output channels run as
 * Winograd {@code F(4x4, 5x5)}: 64 GEMMs on transformed 8x8 tiles, 6.25x fewer multiplications than the direct
 * convolution, with the backward passes the exact adjoints of the forward one. Every other convolution is im2col + GEMM in chunks of output rows whose patch matrix stays in cache (about
 * {@value #CHUNK_BYTES} bytes: the patch rows and their gradient fit a 1 MiB L2 together), so memory traffic stays
 * close to the input and output sizes. Filters are HWIO
 * ({@code [kh, kw, c, f]}), which is also the row-major {@code [kh*kw*c, f]} GEMM operand.
 */
public final class Convolution {
  static final int CHUNK_BYTES = 1 << 19;
  /**
   * Input and output channels from which Winograd pays (BENCHMARKS.md: at 14x14, 32 -> 32 channels it is 7 % faster
   * than im2col, 32 -> 64 17 %, 64 -> 64 33 %; at 16 -> 16 it is 1.2-2x slower, the transforms dominating).
   */
  static final int WINOGRAD_MIN_CHANNELS = 32;
  /**
   * F(4x4, 5x5): on the CNN's conv2 (14x14, 32 -> 64, batch 20) it takes 2.16 + 4.33 ms forward + backward against
   * F(2x2, 5x5)'s 2.51 + 5.36 (thread CPU, best of 40), with the same agreement with PyTorch (2.7e-6 relative). F(4x4,
   * 3x3) was measured too and removed: its transforms cost what its GEMMs save (64 -> 64).
   */
  private static final Winograd[] WINOGRAD = {new Winograd(4, 5)};
  private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);
  /** Max pooling's channel loops: the Vector API's or plain ones, with the same bits. */
  private static final Lanes LANES = Lanes.INSTANCE;

  private Convolution() {}

  /**
   * The loops the Winograd transforms run on: {@code "jdk.incubator.vector, <bits>-bit"} when the JVM runs with
   * {@code --add-modules jdk.incubator.vector} (as the {@code cohort} launcher does), else plain loops and why;
   * {@code -Dcohort.tensor.vector=false} forces the plain loops. Both give the same bits.
   */
  public static String describeKernels() {
    return Lanes.INSTANCE.describe();
  }

  private static float[] scratch(int size) {
    float[] s = SCRATCH.get();
    if (s.length < size) {
      s = new float[size];
      SCRATCH.set(s);
    }
    return s;
  }

  private static int chunkRows(Conv2dGeometry g) {
    int rows = g.n() * g.outH() * g.outW();
    return Math.max(1, Math.min(rows, CHUNK_BYTES / (4 * g.patch())));
  }

  /**
   * The Winograd transform that runs {@code g}, or null for im2col + GEMM: stride-1 5x5 filters run as
   * {@code F(4x4, 5x5)} once the channels are many enough that the GEMMs on transformed tiles, not the
   * transforms, dominate.
   */
  static Winograd winograd(Conv2dGeometry g) {
    if (g.c() < WINOGRAD_MIN_CHANNELS || g.f() < WINOGRAD_MIN_CHANNELS) {
      return null;
    }
    for (Winograd w : WINOGRAD) {
      if (w.applies(g)) {
        return w;
      }
    }
    return null;
  }

  private static boolean isPointwise(Conv2dGeometry g) {
    return g.kh() == 1 && g.kw() == 1 && g.strideH() == 1 && g.strideW() == 1;
  }

  /**
   * The geometry of {@code conv2d(input, filter)} for an NHWC float32 input and an HWIO float32 filter.
   *
   * @throws IllegalArgumentException naming the operand if a dtype, rank or channel count does not fit
   */
  public static Conv2dGeometry geometry(Tensor input, Tensor filter, int strideH, int strideW, Padding padding) {
    input.requireDType("conv2d", DType.FLOAT32);
    filter.requireDType("conv2d", DType.FLOAT32);
    checkArgument(input.rank() == 4, "conv2d: input shape %s must be NHWC (rank 4)", input.shape());
    checkArgument(filter.rank() == 4, "conv2d: filter shape %s must be HWIO (rank 4)", filter.shape());
    checkArgument(filter.shape().dim(2) == input.shape().dim(3),
        "conv2d: filter %s expects %s input channels, input %s has %s", filter.shape(), filter.shape().dim(2), input.shape(), input.shape().dim(3));
    int[] d = input.shape().dimsUnsafe();
    int[] fd = filter.shape().dimsUnsafe();
    return new Conv2dGeometry(d[0], d[1], d[2], d[3], fd[0], fd[1], fd[3], strideH, strideW, padding);
  }

  /** {@code output = conv2d(input, filter)}; {@code output} is overwritten. */
  public static void forward(Conv2dGeometry g, float[] input, float[] filter, float[] output) {
    forward(g, input, filter, null, false, output);
  }

  /**
   * {@code output = conv2d(input, filter) + bias}, then {@code max(output, 0)} when {@code relu}: the bias and
   * the ReLU are applied to each block of output while it is still in cache, with the bits of separate passes.
   * {@code bias} ({@code f} floats) may be null; {@code output} is overwritten.
   */
  public static void forward(Conv2dGeometry g, float[] input, float[] filter, float[] bias, boolean relu, float[] output) {
    checkSizes(g, input, filter, output);
    checkArgument(bias == null || bias.length == g.f(), "conv2d: bias has %s elements, expected %s", bias == null ? 0 : bias.length, g.f());
    Winograd wino = winograd(g);
    if (wino != null) {
      wino.forward(g, input, filter, bias, relu, output);
    } else {
      forwardIm2col(g, input, filter, bias, relu, output);
    }
  }

  /** The im2col + GEMM forward pass (also the reference of the Winograd path's tests). */
  static void forwardIm2col(Conv2dGeometry g, float[] input, float[] filter, float[] bias, boolean relu, float[] output) {
    int rows = g.n() * g.outH() * g.outW();
    int k = g.patch();
    int f = g.f();
    if (isPointwise(g)) {
      Blas.sgemm(false, false, rows, f, k, 1f, input, 0, k, filter, 0, f, 0f, output, 0, f);
      epilogue(output, 0, rows, f, bias, relu);
      return;
    }
    int chunk = chunkRows(g);
    float[] col = scratch(chunk * k + paddedSize(g));
    float[] src = padded(g, input, col, chunk * k);
    int srcOff = src == input ? 0 : chunk * k;
    boolean transposed = isSingleChannelRows(g);
    for (int r0 = 0; r0 < rows; r0 += chunk) {
      int r = Math.min(chunk, rows - r0);
      if (transposed) {
        im2colTransposed(g, src, srcOff, r0, r, col);
        Blas.sgemm(true, false, r, f, k, 1f, col, 0, r, filter, 0, f, 0f, output, r0 * f, f);
      } else {
        im2col(g, src, srcOff, r0, r, col);
        Blas.sgemm(false, false, r, f, k, 1f, col, 0, k, filter, 0, f, 0f, output, r0 * f, f);
      }
      epilogue(output, r0 * f, r, f, bias, relu);
    }
  }

  /**
   * Whether the patch matrix is built transposed ({@code [patch][rows]}, see {@link #im2colTransposed}): one input
   * channel and horizontal stride 1, where a patch row is only {@code kw} floats wide (5 for the CNN's conv1) but a
   * run of outputs along a row reads one contiguous run of input.
   */
  private static boolean isSingleChannelRows(Conv2dGeometry g) {
    return g.c() == 1 && g.strideW() == 1;
  }

  /**
   * The backward pass of {@link #forward(Conv2dGeometry, float[], float[], float[], boolean, float[]) forward}'s bias and
   * ReLU, for any row-major {@code [rows, channels]} layer output (a convolution's NHWC output, a dense layer's):
   * with {@code relu}, zeroes {@code dOutput} in place where {@code output} is not positive (ReLU's gradient, 0 at
   * 0); then adds each channel's sum of {@code dOutput} into {@code dBias}, row by row. One pass over the gradient.
   */
  public static void epilogueBackward(float[] dOutput, float[] output, boolean relu, float[] dBias) {
    checkArgument(!relu || output.length == dOutput.length, "epilogueBackward: output has %s elements, the gradient %s",
        output == null ? 0 : output.length, dOutput.length);
    checkArgument(dBias.length > 0 && dOutput.length % dBias.length == 0,
        "epilogueBackward: %s gradient elements are not rows of %s channels", dOutput.length, dBias.length);
    LANES.maskColumnSums(dOutput, output, relu, dBias);
  }

  /** {@code y = max(y + bias, 0)} (or without either part) on {@code rows} rows of {@code f} channels at {@code off}. */
  static void epilogue(float[] y, int off, int rows, int f, float[] bias, boolean relu) {
    if (bias == null && !relu) {
      return;
    }
    for (int i = off, end = off + rows * f; i < end; i += f) {
      epilogueRow(y, i, y, i, f, bias, relu);
    }
  }

  /** {@code dst[j] = max(src[j] + bias[j], 0)} for {@code j < f} (bias or ReLU optional). */
  static void epilogueRow(float[] src, int srcOff, float[] dst, int dstOff, int f, float[] bias, boolean relu) {
    if (bias == null && !relu) {
      System.arraycopy(src, srcOff, dst, dstOff, f);
    } else {
      LANES.biasRelu(src, srcOff, dst, dstOff, f, bias, relu);
    }
  }

  /**
   * Gradients of a convolution. {@code dFilter} is overwritten with {@code d loss / d filter};
   * {@code d loss / d input} is added into {@code dInput} when it is not null.
   */
  public static void backward(Conv2dGeometry g, float[] input, float[] filter, float[] dOutput, float[] dInput, float[] dFilter) {
    checkSizes(g, input, filter, dOutput);
    checkArgument(dFilter.length == filter.length, "conv2d backward: dFilter has %s elements, expected %s", dFilter.length, filter.length);
    checkArgument(dInput == null || dInput.length == input.length,
        "conv2d backward: dInput has %s elements, expected %s", dInput == null ? 0 : dInput.length, input.length);
    Winograd wino = winograd(g);
    if (wino != null) {
      wino.backward(g, input, filter, dOutput, dInput, dFilter);
    } else {
      backwardIm2col(g, input, filter, dOutput, dInput, dFilter);
    }
  }

  /** The im2col + GEMM backward pass (also the reference of the Winograd path's tests). */
  static void backwardIm2col(Conv2dGeometry g, float[] input, float[] filter, float[] dOutput, float[] dInput, float[] dFilter) {
    int rows = g.n() * g.outH() * g.outW();
    int k = g.patch();
    int f = g.f();
    if (rows == 0) {
      Arrays.fill(dFilter, 0f); // an empty batch contributes nothing
      return;
    }
    if (isPointwise(g)) {
      Blas.sgemm(true, false, k, f, rows, 1f, input, 0, k, dOutput, 0, f, 0f, dFilter, 0, f);
      if (dInput != null) {
        Blas.sgemm(false, true, rows, k, f, 1f, dOutput, 0, f, filter, 0, f, 1f, dInput, 0, k);
      }
      return;
    }
    int chunk = chunkRows(g);
    float[] col = scratch(2 * chunk * k + paddedSize(g));
    int dColOffset = chunk * k;
    float[] src = padded(g, input, col, 2 * chunk * k);
    int srcOff = src == input ? 0 : 2 * chunk * k;
    boolean transposed = isSingleChannelRows(g);
    for (int r0 = 0; r0 < rows; r0 += chunk) {
      int r = Math.min(chunk, rows - r0);
      if (transposed) {
        im2colTransposed(g, src, srcOff, r0, r, col);
        Blas.sgemm(false, false, k, f, r, 1f, col, 0, r, dOutput, r0 * f, f, r0 == 0 ? 0f : 1f, dFilter, 0, f);
        if (dInput != null) {
          Blas.sgemm(false, true, k, r, f, 1f, filter, 0, f, dOutput, r0 * f, f, 0f, col, dColOffset, r);
          col2imTransposed(g, col, dColOffset, r0, r, dInput);
        }
        continue;
      }
      im2col(g, src, srcOff, r0, r, col);
      Blas.sgemm(true, false, k, f, r, 1f, col, 0, k, dOutput, r0 * f, f, r0 == 0 ? 0f : 1f, dFilter, 0, f);
      if (dInput != null) {
        Blas.sgemm(false, true, r, k, f, 1f, dOutput, r0 * f, f, filter, 0, f, 0f, col, dColOffset, k);
        col2im(g, col, dColOffset, r0, r, dInput);
      }
    }
  }

  private static void checkSizes(Conv2dGeometry g, float[] input, float[] filter, float[] output) {
    checkArgument(input.length == g.inputSize(), "conv2d: input has %s elements, expected %s for %s", input.length, g.inputSize(), g);
    checkArgument(filter.length == g.patch() * g.f(), "conv2d: filter has %s elements, expected %s for %s", filter.length, g.patch() * g.f(), g);
    checkArgument(output.length == g.outputSize(), "conv2d: output has %s elements, expected %s for %s", output.length, g.outputSize(), g);
  }

  /** Rows of the padded input that the windows read: {@code (outH - 1) * strideH + kh}. */
  private static int paddedH(Conv2dGeometry g) {
    return (g.outH() - 1) * g.strideH() + g.kh();
  }

  /** Columns of the padded input that the windows read. */
  private static int paddedW(Conv2dGeometry g) {
    return (g.outW() - 1) * g.strideW() + g.kw();
  }

  /** Floats of the padded input, or 0 when the windows read exactly the input (no padding, nothing left over). */
  private static int paddedSize(Conv2dGeometry g) {
    boolean exact = g.padTop() == 0 && g.padLeft() == 0 && paddedH(g) == g.h() && paddedW(g) == g.w();
    return exact ? 0 : g.n() * paddedH(g) * paddedW(g) * g.c();
  }

  /**
   * The input as the windows read it, {@code [n][paddedH][paddedW][c]} with zeros where padding is: {@code x}
   * itself when that is exactly the input, else a copy written into {@code buf} at {@code off}. im2col then copies
   * whole window rows without bounds checks or fills (which, at one input channel, cost more than the copies).
   */
  private static float[] padded(Conv2dGeometry g, float[] x, float[] buf, int off) {
    int size = paddedSize(g);
    if (size == 0) {
      return x;
    }
    int hp = paddedH(g);
    int wp = paddedW(g);
    int c = g.c();
    Arrays.fill(buf, off, off + size, 0f);
    int rows = Math.min(g.h(), hp - g.padTop());
    int len = Math.min(g.w(), wp - g.padLeft()) * c;
    for (int b = 0; b < g.n(); b++) {
      for (int iy = 0; iy < rows; iy++) {
        System.arraycopy(x, (b * g.h() + iy) * g.w() * c, buf, off + ((b * hp + iy + g.padTop()) * wp + g.padLeft()) * c, len);
      }
    }
    return buf;
  }

  /**
   * Writes patch rows {@code [r0, r0 + r)} of the im2col matrix into {@code col}, reading the padded input
   * {@code xp} (see {@link #padded}) at {@code off}.
   */
  static void im2col(Conv2dGeometry g, float[] xp, int off, int r0, int r, float[] col) {
    int oh = g.outH();
    int ow = g.outW();
    int c = g.c();
    int rowLen = g.kw() * c;
    int wpc = paddedW(g) * c;
    int hp = paddedH(g);
    int k = g.patch();
    for (int row = 0; row < r; row++) {
      int flat = r0 + row;
      int ox = flat % ow;
      int oy = (flat / ow) % oh;
      int b = flat / (ow * oh);
      int src = off + (b * hp + oy * g.strideH()) * wpc + ox * g.strideW() * c;
      int dst = row * k;
      for (int ky = 0; ky < g.kh(); ky++, dst += rowLen, src += wpc) {
        if (rowLen >= 16) {
          System.arraycopy(xp, src, col, dst, rowLen);
        } else { // a few floats: a loop beats the copy stub's call
          for (int i = 0; i < rowLen; i++) {
            col[dst + i] = xp[src + i];
          }
        }
      }
    }
  }

  /**
   * Patch rows {@code [r0, r0 + r)} of a one-channel, horizontal-stride-1 convolution, transposed: {@code col[t * r +
   * (row - r0)]} for window tap {@code t = ky * kw + kx}. For each tap, the outputs of one image row read one contiguous
   * run of the padded input {@code xp} (at {@code off}), so the matrix is built from long copies.
   */
  static void im2colTransposed(Conv2dGeometry g, float[] xp, int off, int r0, int r, float[] col) {
    int oh = g.outH();
    int ow = g.outW();
    int wp = paddedW(g);
    int hp = paddedH(g);
    for (int row = r0; row < r0 + r; ) {
      int ox = row % ow;
      int oy = (row / ow) % oh;
      int b = row / (ow * oh);
      int len = Math.min(ow - ox, r0 + r - row);
      int src = off + (b * hp + oy * g.strideH()) * wp + ox;
      for (int ky = 0, t = 0; ky < g.kh(); ky++, src += wp) {
        for (int kx = 0; kx < g.kw(); kx++, t++) {
          System.arraycopy(xp, src + kx, col, t * r + row - r0, len);
        }
      }
      row += len;
    }
  }

  /** Adds the transposed patch rows {@code [r0, r0 + r)} of {@code col} (at {@code offset}) back into the image. */
  static void col2imTransposed(Conv2dGeometry g, float[] col, int offset, int r0, int r, float[] dx) {
    int oh = g.outH();
    int ow = g.outW();
    int padTop = g.padTop();
    int padLeft = g.padLeft();
    for (int row = r0; row < r0 + r; ) {
      int ox = row % ow;
      int oy = (row / ow) % oh;
      int b = row / (ow * oh);
      int len = Math.min(ow - ox, r0 + r - row);
      for (int ky = 0, t = 0; ky < g.kh(); ky++) {
        int iy = oy * g.strideH() - padTop + ky;
        for (int kx = 0; kx < g.kw(); kx++, t++) {
          if (iy < 0 || iy >= g.h()) {
            continue;
          }
          int ix = ox - padLeft + kx; // input column of the run's first output
          int i0 = Math.max(0, -ix);
          int i1 = Math.min(len, g.w() - ix);
          int d = (b * g.h() + iy) * g.w() + ix;
          int s = offset + t * r + row - r0;
          for (int i = i0; i < i1; i++) {
            dx[d + i] += col[s + i];
          }
        }
      }
      row += len;
    }
  }

  /** Adds patch rows {@code [r0, r0 + r)} of {@code col} (starting at {@code offset}) back into the image. */
  static void col2im(Conv2dGeometry g, float[] col, int offset, int r0, int r, float[] dx) {
    int oh = g.outH();
    int ow = g.outW();
    int c = g.c();
    int kw = g.kw();
    int rowLen = kw * c;
    int k = g.patch();
    int padTop = g.padTop();
    int padLeft = g.padLeft();
    for (int row = 0; row < r; row++) {
      int flat = r0 + row;
      int ox = flat % ow;
      int oy = (flat / ow) % oh;
      int b = flat / (ow * oh);
      int iy0 = oy * g.strideH() - padTop;
      int ix0 = ox * g.strideW() - padLeft;
      int kx0 = Math.max(0, -ix0);
      int kx1 = Math.min(kw, g.w() - ix0);
      int src = offset + row * k;
      for (int ky = 0; ky < g.kh(); ky++, src += rowLen) {
        int iy = iy0 + ky;
        if (iy < 0 || iy >= g.h() || kx0 >= kx1) {
          continue;
        }
        int d = ((b * g.h() + iy) * g.w() + ix0 + kx0) * c;
        int s = src + kx0 * c;
        int len = (kx1 - kx0) * c;
        for (int i = 0; i < len; i++) {
          dx[d + i] += col[s + i];
        }
      }
    }
  }

  /**
   * Max pooling (padding positions never win): writes the window maxima of {@code input} to {@code output} and,
   * when {@code argmax} is not null, the flat input index of each maximum (the first in row-major window order on
   * ties) for {@link #maxPoolBackward}. The inner loops run across channels without branches.
   */
  public static void maxPool(Conv2dGeometry g, float[] input, float[] output, int[] argmax) {
    checkArgument(input.length == g.inputSize(), "maxPool: input has %s elements, expected %s", input.length, g.inputSize());
    int oh = g.outH();
    int ow = g.outW();
    int c = g.c();
    checkArgument(output.length == g.n() * oh * ow * c, "maxPool: output has %s elements, expected %s", output.length, g.n() * oh * ow * c);
    checkArgument(argmax == null || argmax.length == output.length, "maxPool: argmax has %s entries, expected %s",
        argmax == null ? 0 : argmax.length, output.length);
    int o = 0;
    int padTop = g.padTop();
    int padLeft = g.padLeft();
    for (int b = 0; b < g.n(); b++) {
      for (int oy = 0; oy < oh; oy++) {
        int iy0 = Math.max(0, oy * g.strideH() - padTop);
        int iy1 = Math.min(g.h(), oy * g.strideH() - padTop + g.kh());
        for (int ox = 0; ox < ow; ox++, o += c) {
          int ix0 = Math.max(0, ox * g.strideW() - padLeft);
          int ix1 = Math.min(g.w(), ox * g.strideW() - padLeft + g.kw());
          int first = ((b * g.h() + iy0) * g.w() + ix0) * c;
          System.arraycopy(input, first, output, o, c);
          if (argmax != null) {
            for (int ch = 0; ch < c; ch++) {
              argmax[o + ch] = first + ch;
            }
          }
          for (int iy = iy0; iy < iy1; iy++) {
            for (int ix = iy == iy0 ? ix0 + 1 : ix0; ix < ix1; ix++) {
              LANES.maxInto(output, o, argmax, input, ((b * g.h() + iy) * g.w() + ix) * c, c);
            }
          }
        }
      }
    }
  }

  /** Adds {@code dOutput} into {@code dInput} at the inputs recorded in {@code argmax}. */
  public static void maxPoolBackward(int[] argmax, float[] dOutput, float[] dInput) {
    checkArgument(argmax.length == dOutput.length, "maxPool backward: %s argmax entries for %s gradients", argmax.length, dOutput.length);
    for (int i = 0; i < argmax.length; i++) {
      dInput[argmax[i]] += dOutput[i];
    }
  }

  static Tensor conv2d(Tensor input, Tensor filter, int strideH, int strideW, Padding padding) {
    Conv2dGeometry g = geometry(input, filter, strideH, strideW, padding);
    float[] out = new float[g.outputSize()];
    forward(g, input.floatData(), filter.floatData(), out);
    return Tensor.wrap(out, Shape.of(g.n(), g.outH(), g.outW(), g.f()));
  }

  static Tensor maxPool(Tensor input, int kh, int kw, int strideH, int strideW, Padding padding) {
    input.requireDType("maxPool", DType.FLOAT32);
    checkArgument(input.rank() == 4, "maxPool: input shape %s must be NHWC (rank 4)", input.shape());
    int[] d = input.shape().dimsUnsafe();
    Conv2dGeometry g = new Conv2dGeometry(d[0], d[1], d[2], d[3], kh, kw, 1, strideH, strideW, padding);
    float[] out = new float[g.n() * g.outH() * g.outW() * g.c()];
    maxPool(g, input.floatData(), out, null);
    return Tensor.wrap(out, Shape.of(g.n(), g.outH(), g.outW(), g.c()));
  }
}
