package dev.cohort.tensor;

/**
 * Winograd minimal-filtering convolution {@code F(m x m, r x r)} (Lavin and Gray, 2016) for stride-1 square
 * filters: forward, input gradient and filter gradient, each as {@code alpha^2} independent GEMMs on transformed
 * tiles ({@code alpha = m + r - 1}), which cuts the multiplications of a 5x5 convolution from 25 per output to
 * {@code alpha^2 / m^2}.
 *
 * <p>The transforms come from Toom-Cook evaluation at the points {@code 0, 1, -1, 2, -2, 1/2, -1/2} (as many as
 * {@code alpha - 1} needs) and infinity. With {@code V_k} the {@code alpha x k} matrix that evaluates a polynomial
 * of {@code k} coefficients at those points (the infinity row picks the leading coefficient), linear convolution
 * is {@code s = V^-1 ((V_r h) . (V_m x))}; correlation, its transpose, is
 * {@code y = V_m^T ((V_r g) . (V^-T d))}: {@code A^T = V_m^T}, {@code G = V_r}, {@code B^T = V^-T}. Rows of
 * {@code G} and {@code B^T} are rescaled against each other (which leaves each product unchanged) so that both
 * have entries of similar size, which keeps the float32 rounding close to that of the direct convolution.
 *
 * <p>After 0 the points come in pairs {@code p, -p}, and a row of {@code A} at {@code -p} is the row at {@code p} with
 * its odd terms negated, as is {@code B^T}'s when every point's negation is a point ({@code alpha} even): the tile
 * transforms (input, output and their gradients) compute each such pair of rows, or of columns for the transposed
 * matrices, in one pass over their inputs ({@link Lanes#evenOdd}, {@link Lanes#pairedSums}), with half the
 * multiplications. The filter transforms, once a step, apply their matrices row by row.
 *
 * <p>The backward passes are the exact adjoints of the forward one: with {@code dM = A dY A^T} per tile, the
 * input gradient is {@code B (dM U^T) B^T} scattered back over the overlapping input tiles, and the filter
 * gradient {@code G^T (V^T dM) G} summed over tiles inside the GEMM. Tiles are processed in chunks so that the
 * transformed data of a chunk stays in cache; chunking depends only on the geometry, so the bits do not depend on
 * threads.
 */
final class Winograd {
  private static final double[] POINTS = {0, 1, -1, 2, -2, 0.5, -0.5};
  /** Transformed input and output of this many tiles per chunk (about 1 MiB for 32 + 64 channels). */
  static final int CHUNK_TILES = 96;
  private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);
  /** The transforms' loops: the Vector API's or plain ones, with the same bits. */
  private static final Lanes LANES = Lanes.INSTANCE;

  /** Output tile size {@code m}. */
  final int m;
  /** Filter size {@code r}. */
  final int r;
  /** Transformed tile size {@code alpha = m + r - 1}. */
  final int alpha;
  /** {@code B^T}, {@code alpha x alpha}, row-major. */
  final float[] bt;
  /** {@code G}, {@code alpha x r}. */
  final float[] gm;
  /** {@code A^T}, {@code m x alpha}. */
  final float[] at;
  /** The rows and columns of {@code B^T} and {@code A^T}, as the transforms pass them to {@link Lanes}. */
  private final float[][] btRows;
  private final float[][] btColumns;
  private final float[][] atRows;
  private final float[][] atColumns;

  Winograd(int m, int r) {
    this.m = m;
    this.r = r;
    this.alpha = m + r - 1;
    if (alpha - 1 > POINTS.length || m < 1 || r < 1) {
      throw new IllegalArgumentException("winograd: F(" + m + ", " + r + ") needs " + (alpha - 1)
          + " finite points, at most " + POINTS.length + " are defined");
    }
    double[][] v = vandermonde(alpha, alpha);
    double[][] vInv = invert(v);
    double[][] vr = vandermonde(alpha, r);
    double[][] vm = vandermonde(alpha, m);
    double[][] b = new double[alpha][alpha]; // B^T = V^-T
    for (int j = 0; j < alpha; j++) {
      for (int l = 0; l < alpha; l++) {
        b[j][l] = vInv[l][j];
      }
    }
    // With every finite point's negation among the points (alpha even), B^T's row at -p is its row at p with the
    // odd terms negated (V diag((-1)^l) swaps V's rows at p and -p): made exact here, against the inversion's
    // rounding, so that evenOdd can compute both rows from one pass.
    for (int j = 1; pairedBt(j); j += 2) {
      for (int l = 0; l < alpha; l++) {
        b[j + 1][l] = l % 2 == 0 ? b[j][l] : -b[j][l];
      }
    }
    // Balance row j of G against row j of B^T: scale G's by s and B^T's by 1/s with s = sqrt(max|B| / max|G|).
    for (int j = 0; j < alpha; j++) {
      double gMax = 0;
      double bMax = 0;
      for (int k = 0; k < r; k++) {
        gMax = Math.max(gMax, Math.abs(vr[j][k]));
      }
      for (int l = 0; l < alpha; l++) {
        bMax = Math.max(bMax, Math.abs(b[j][l]));
      }
      double s = Math.sqrt(bMax / gMax);
      for (int k = 0; k < r; k++) {
        vr[j][k] *= s;
      }
      for (int l = 0; l < alpha; l++) {
        b[j][l] /= s;
      }
    }
    bt = new float[alpha * alpha];
    gm = new float[alpha * r];
    at = new float[m * alpha];
    for (int j = 0; j < alpha; j++) {
      for (int l = 0; l < alpha; l++) {
        bt[j * alpha + l] = (float) b[j][l];
      }
      for (int k = 0; k < r; k++) {
        gm[j * r + k] = (float) vr[j][k];
      }
      for (int i = 0; i < m; i++) {
        at[i * alpha + j] = (float) vm[j][i];
      }
    }
    btRows = new float[alpha][alpha];
    btColumns = new float[alpha][alpha];
    atRows = new float[m][alpha];
    atColumns = new float[alpha][m];
    for (int j = 0; j < alpha; j++) {
      for (int l = 0; l < alpha; l++) {
        btRows[j][l] = bt[j * alpha + l];
        btColumns[l][j] = bt[j * alpha + l];
      }
      for (int i = 0; i < m; i++) {
        atRows[i][j] = at[i * alpha + j];
        atColumns[j][i] = at[i * alpha + j];
      }
    }
  }

  /**
   * Whether the point {@code POINTS[j]} is followed by its negation: then row {@code j + 1} of {@code A} (the powers
   * of the point) is row {@code j} with its odd terms negated, and so is {@code B^T}'s when {@link #pairedBt}, and
   * the transforms compute both rows in one {@link Lanes#evenOdd}.
   */
  private boolean pairStart(int j) {
    return j % 2 == 1 && j + 1 < alpha - 1;
  }

  /** {@link #pairStart} for the rows of {@code B^T}, which pair only when every point's negation is a point. */
  private boolean pairedBt(int j) {
    return alpha % 2 == 0 && pairStart(j);
  }

  /** {@code rows x cols} evaluation matrix at the points and infinity (its row picks the last coefficient). */
  private static double[][] vandermonde(int rows, int cols) {
    double[][] v = new double[rows][cols];
    for (int j = 0; j < rows - 1; j++) {
      for (int k = 0; k < cols; k++) {
        v[j][k] = Math.pow(POINTS[j], k);
      }
    }
    v[rows - 1][cols - 1] = 1;
    return v;
  }

  /** Gauss-Jordan inverse with partial pivoting (the matrices are at most 8 x 8 and well away from singular). */
  private static double[][] invert(double[][] a) {
    int n = a.length;
    double[][] w = new double[n][2 * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(a[i], 0, w[i], 0, n);
      w[i][n + i] = 1;
    }
    for (int col = 0; col < n; col++) {
      int pivot = col;
      for (int i = col + 1; i < n; i++) {
        if (Math.abs(w[i][col]) > Math.abs(w[pivot][col])) {
          pivot = i;
        }
      }
      double[] t = w[col];
      w[col] = w[pivot];
      w[pivot] = t;
      double p = w[col][col];
      for (int k = 0; k < 2 * n; k++) {
        w[col][k] /= p;
      }
      for (int i = 0; i < n; i++) {
        if (i != col && w[i][col] != 0) {
          double f = w[i][col];
          for (int k = 0; k < 2 * n; k++) {
            w[i][k] -= f * w[col][k];
          }
        }
      }
    }
    double[][] inv = new double[n][n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(w[i], n, inv[i], 0, n);
    }
    return inv;
  }

  /** Whether this transform applies to {@code g}: stride 1 and an {@code r x r} filter. */
  boolean applies(Conv2dGeometry g) {
    return g.strideH() == 1 && g.strideW() == 1 && g.kh() == r && g.kw() == r && g.n() > 0;
  }

  private static float[] scratch(int size) {
    float[] s = SCRATCH.get();
    if (s.length < size) {
      s = new float[size];
      SCRATCH.set(s);
    }
    return s;
  }

  /**
   * Tiling of one geometry. Image rows are stored zero-padded and de-interleaved by column phase: padded column
   * {@code ix = m u + phase} sits at {@code [phase][u][c]}, so the {@code x}-th column of every tile in a row of
   * tiles ({@code ix = m tx + x}) is one contiguous run of {@code tilesW * c} floats, and every transform is a
   * few long vector loops per row of tiles instead of many short ones per tile.
   */
  private final class Plan {
    final Conv2dGeometry g;
    final int th;
    final int tw;
    /** Column blocks per padded row: {@code tw + (alpha - 1) / m}. */
    final int u;
    /** Padded rows per image. */
    final int hp;
    /** Floats per padded, phase-split input row ({@code m * u * c}). */
    final int rowLen;
    final int rowsPerChunk;
    /** The geometry's derived sizes, which its record methods recompute on every call. */
    final int outH;
    final int outW;
    final int padTop;
    final int padLeft;

    Plan(Conv2dGeometry g) {
      this.g = g;
      outH = g.outH();
      outW = g.outW();
      padTop = g.padTop();
      padLeft = g.padLeft();
      th = (g.outH() + m - 1) / m;
      tw = (g.outW() + m - 1) / m;
      u = tw + (alpha - 1) / m;
      hp = th * m + alpha - 1;
      rowLen = m * u * g.c();
      rowsPerChunk = Math.max(1, Math.min(g.n() * th, CHUNK_TILES / tw));
    }

    int tileRows() {
      return g.n() * th;
    }

    /** Offset of column {@code x} of tile 0 within a padded row: {@code [x % m][x / m][0]}. */
    int columnOffset(int x, int channels) {
      return ((x % m) * u + x / m) * channels;
    }

    /** The input zero-padded and phase-split: {@code [n][hp][m][u][c]}. */
    void pad(float[] x, float[] pin, int off) {
      int c = g.c();
      java.util.Arrays.fill(pin, off, off + g.n() * hp * rowLen, 0f);
      for (int b = 0; b < g.n(); b++) {
        for (int iy = 0; iy < g.h(); iy++) {
          int row = off + (b * hp + iy + padTop) * rowLen;
          for (int ix = 0; ix < g.w(); ix++) {
            int px = ix + padLeft;
            System.arraycopy(x, ((b * g.h() + iy) * g.w() + ix) * c, pin, row + ((px % m) * u + px / m) * c, c);
          }
        }
      }
    }

    /** Adds the interior of a padded, phase-split gradient back into {@code dx}. */
    void unpadAdd(float[] pin, int off, float[] dx) {
      int c = g.c();
      for (int b = 0; b < g.n(); b++) {
        for (int iy = 0; iy < g.h(); iy++) {
          int row = off + (b * hp + iy + padTop) * rowLen;
          for (int ix = 0; ix < g.w(); ix++) {
            int px = ix + padLeft;
            int src = row + ((px % m) * u + px / m) * c;
            int dst = ((b * g.h() + iy) * g.w() + ix) * c;
            for (int j = 0; j < c; j++) {
              dx[dst + j] += pin[src + j];
            }
          }
        }
      }
    }
  }

  /** {@code output = conv2d(input, filter)} (+ bias, ReLU: {@link Convolution#forward}), overwritten. */
  void forward(Conv2dGeometry g, float[] input, float[] filter, float[] bias, boolean relu, float[] output) {
    Plan plan = new Plan(g);
    int c = g.c();
    int f = g.f();
    int a2 = alpha * alpha;
    int chunkTiles = plan.rowsPerChunk * plan.tw;
    int uOff = 0;
    int pinOff = uOff + a2 * c * f;
    int vOff = pinOff + g.n() * plan.hp * plan.rowLen;
    int mOff = vOff + a2 * chunkTiles * c;
    int tmpOff = mOff + a2 * chunkTiles * f;
    int tmpSize = Math.max(alpha * r * c * f, Math.max(alpha * plan.rowLen, (alpha + m) * m * plan.tw * f));
    float[] s = scratch(tmpOff + tmpSize);
    filterTransform(filter, c * f, s, uOff, s, tmpOff);
    plan.pad(input, s, pinOff);
    int[] offsets = new int[alpha];
    for (int r0 = 0; r0 < plan.tileRows(); r0 += plan.rowsPerChunk) {
      int rows = Math.min(plan.rowsPerChunk, plan.tileRows() - r0);
      int tc = rows * plan.tw;
      for (int lr = 0; lr < rows; lr++) {
        inputTransform(plan, s, pinOff, r0 + lr, s, vOff + lr * plan.tw * c, tc * c, s, tmpOff, offsets);
      }
      for (int xi = 0; xi < a2; xi++) {
        Blas.sgemm(false, false, tc, f, c, 1f, s, vOff + xi * tc * c, c, s, uOff + xi * c * f, f, 0f, s, mOff + xi * tc * f, f);
      }
      for (int lr = 0; lr < rows; lr++) {
        outputTransform(plan, s, mOff + lr * plan.tw * f, tc * f, r0 + lr, output, bias, relu, s, tmpOff, offsets);
      }
    }
  }

  /** Overwrites {@code dFilter}; adds into {@code dInput} when not null. */
  void backward(Conv2dGeometry g, float[] input, float[] filter, float[] dOutput, float[] dInput, float[] dFilter) {
    Plan plan = new Plan(g);
    int c = g.c();
    int f = g.f();
    int a2 = alpha * alpha;
    int chunkTiles = plan.rowsPerChunk * plan.tw;
    int padSize = g.n() * plan.hp * plan.rowLen;
    int uOff = 0;
    int duOff = uOff + a2 * c * f;
    int pinOff = duOff + a2 * c * f;
    int dpinOff = pinOff + padSize;
    int vOff = dpinOff + (dInput == null ? 0 : padSize);
    int mOff = vOff + a2 * chunkTiles * c;
    int tmpOff = mOff + a2 * chunkTiles * f;
    int tmpSize = Math.max(alpha * r * c * f, Math.max(alpha * plan.rowLen, (alpha + m) * m * plan.tw * f));
    float[] s = scratch(tmpOff + tmpSize);
    if (dInput != null) {
      filterTransform(filter, c * f, s, uOff, s, tmpOff);
      java.util.Arrays.fill(s, dpinOff, dpinOff + padSize, 0f);
    }
    plan.pad(input, s, pinOff);
    int[] offsets = new int[alpha];
    for (int r0 = 0; r0 < plan.tileRows(); r0 += plan.rowsPerChunk) {
      int rows = Math.min(plan.rowsPerChunk, plan.tileRows() - r0);
      int tc = rows * plan.tw;
      for (int lr = 0; lr < rows; lr++) {
        inputTransform(plan, s, pinOff, r0 + lr, s, vOff + lr * plan.tw * c, tc * c, s, tmpOff, offsets);
        gradientTransform(plan, dOutput, r0 + lr, s, mOff + lr * plan.tw * f, tc * f, s, tmpOff, offsets);
      }
      for (int xi = 0; xi < a2; xi++) {
        Blas.sgemm(true, false, c, f, tc, 1f, s, vOff + xi * tc * c, c, s, mOff + xi * tc * f, f, r0 == 0 ? 0f : 1f,
            s, duOff + xi * c * f, f);
      }
      if (dInput != null) {
        for (int xi = 0; xi < a2; xi++) {
          Blas.sgemm(false, true, tc, c, f, 1f, s, mOff + xi * tc * f, f, s, uOff + xi * c * f, f, 0f, s, vOff + xi * tc * c, c);
        }
        for (int lr = 0; lr < rows; lr++) {
          inputGradientTransform(plan, s, vOff + lr * plan.tw * c, tc * c, r0 + lr, s, dpinOff, s, tmpOff, offsets);
        }
      }
    }
    if (dInput != null) {
      plan.unpadAdd(s, dpinOff, dInput);
    }
    filterGradientTransform(s, duOff, c * f, dFilter, s, tmpOff);
  }

  /** {@code U[p][q][c*f] = sum_{ky,kx} G[p][ky] G[q][kx] w[ky][kx][c*f]} ({@code cf = c * f}). */
  private void filterTransform(float[] w, int cf, float[] uu, int uOff, float[] tmp, int tmpOff) {
    int[] offsets = new int[Math.max(r, alpha)];
    float[] coef = new float[Math.max(r, alpha)];
    for (int p = 0; p < alpha; p++) {
      for (int kx = 0; kx < r; kx++) {
        for (int ky = 0; ky < r; ky++) {
          offsets[ky] = (ky * r + kx) * cf;
          coef[ky] = gm[p * r + ky];
        }
        LANES.combine(tmp, tmpOff + (p * r + kx) * cf, false, w, offsets, coef, r, cf);
      }
    }
    for (int p = 0; p < alpha; p++) {
      for (int q = 0; q < alpha; q++) {
        for (int kx = 0; kx < r; kx++) {
          offsets[kx] = tmpOff + (p * r + kx) * cf;
          coef[kx] = gm[q * r + kx];
        }
        LANES.combine(uu, uOff + (p * alpha + q) * cf, false, tmp, offsets, coef, r, cf);
      }
    }
  }

  /** {@code dW[ky][kx][c*f] = sum_{p,q} G[p][ky] G[q][kx] dU[p][q][c*f]}, overwriting {@code dw}. */
  private void filterGradientTransform(float[] du, int duOff, int cf, float[] dw, float[] tmp, int tmpOff) {
    int[] offsets = new int[alpha];
    float[] coef = new float[alpha];
    for (int p = 0; p < alpha; p++) {
      for (int kx = 0; kx < r; kx++) {
        for (int q = 0; q < alpha; q++) {
          offsets[q] = duOff + (p * alpha + q) * cf;
          coef[q] = gm[q * r + kx];
        }
        LANES.combine(tmp, tmpOff + (p * r + kx) * cf, false, du, offsets, coef, alpha, cf);
      }
    }
    for (int ky = 0; ky < r; ky++) {
      for (int kx = 0; kx < r; kx++) {
        for (int p = 0; p < alpha; p++) {
          offsets[p] = tmpOff + (p * r + kx) * cf;
          coef[p] = gm[p * r + ky];
        }
        LANES.combine(dw, (ky * r + kx) * cf, false, tmp, offsets, coef, alpha, cf);
      }
    }
  }

  /**
   * {@code V[p][q][t][c] = (B^T d_t B)[p][q]} for the tiles of tile row {@code tileRow}, written at {@code vOff}
   * ({@code plane} floats between the {@code alpha^2} matrices).
   */
  private void inputTransform(Plan plan, float[] pin, int pinOff, int tileRow, float[] v, int vOff, int plane,
      float[] tmp, int tmpOff, int[] offsets) {
    int b = tileRow / plan.th;
    int ty = tileRow % plan.th;
    int c = plan.g.c();
    int len = plan.tw * c;
    // tmp[p][row] = sum_y B^T[p][y] pin[b][ty m + y][row]
    for (int y = 0; y < alpha; y++) {
      offsets[y] = pinOff + (b * plan.hp + ty * m + y) * plan.rowLen;
    }
    for (int p = 0; p < alpha; p++) {
      if (pairedBt(p)) {
        LANES.evenOdd(tmp, tmpOff + p * plan.rowLen, tmpOff + (p + 1) * plan.rowLen, pin, offsets, btRows[p], alpha,
            plan.rowLen);
        p++;
      } else {
        LANES.combine(tmp, tmpOff + p * plan.rowLen, false, pin, offsets, btRows[p], alpha, plan.rowLen);
      }
    }
    // V[p][q][tx][c] = sum_x B^T[q][x] tmp[p][column x of tile tx]
    for (int p = 0; p < alpha; p++) {
      for (int x = 0; x < alpha; x++) {
        offsets[x] = tmpOff + p * plan.rowLen + plan.columnOffset(x, c);
      }
      for (int q = 0; q < alpha; q++) {
        if (pairedBt(q)) {
          LANES.evenOdd(v, vOff + (p * alpha + q) * plane, vOff + (p * alpha + q + 1) * plane, tmp, offsets,
              btRows[q], alpha, len);
          q++;
        } else {
          LANES.combine(v, vOff + (p * alpha + q) * plane, false, tmp, offsets, btRows[q], alpha, len);
        }
      }
    }
  }

  /**
   * {@code y_t = A^T M_t A} for the tiles of {@code tileRow}, written where they lie inside the output, with the
   * bias and ReLU applied as they are written.
   */
  private void outputTransform(Plan plan, float[] mm, int mOff, int plane, int tileRow, float[] y, float[] bias,
      boolean relu, float[] tmp, int tmpOff, int[] offsets) {
    Conv2dGeometry g = plan.g;
    int b = tileRow / plan.th;
    int ty = tileRow % plan.th;
    int f = g.f();
    int len = plan.tw * f;
    // tmp[p][j][tx][f] = sum_q A^T[j][q] M[p][q][tx][f]  (rows j, j + 1 of A^T at once: its columns pair)
    for (int p = 0; p < alpha; p++) {
      for (int q = 0; q < alpha; q++) {
        offsets[q] = mOff + (p * alpha + q) * plane;
      }
      applyAt(tmp, tmpOff + p * m * len, len, mm, offsets, m, len);
    }
    // rows[i][j][tx][f] = sum_p A^T[i][p] tmp[p][j][tx][f], then written out
    int rowOff = tmpOff + alpha * m * len;
    int rows = Math.min(m, plan.outH - ty * m);
    for (int jj = 0; jj < m; jj++) {
      for (int p = 0; p < alpha; p++) {
        offsets[p] = tmpOff + (p * m + jj) * len;
      }
      applyAt(tmp, rowOff + jj * len, m * len, tmp, offsets, rows, len);
    }
    for (int i = 0; i < rows; i++) {
      int out = (b * plan.outH + ty * m + i) * plan.outW;
      for (int tx = 0; tx < plan.tw; tx++) {
        for (int jj = 0; jj < m && tx * m + jj < plan.outW; jj++) {
          Convolution.epilogueRow(tmp, rowOff + (i * m + jj) * len + tx * f, y, (out + tx * m + jj) * f, f, bias,
              relu);
        }
      }
    }
  }

  /**
   * {@code dst[d + i * stride + k] = sum_q A^T[i][q] src[offsets[q] + k]} for the first {@code count} rows of
   * {@code A^T}, two rows at a time ({@link Lanes#pairedSums}: the columns of {@code A^T} at {@code p} and {@code -p}
   * differ in the sign of the odd rows).
   */
  private void applyAt(float[] dst, int d, int stride, float[] src, int[] offsets, int count, int len) {
    for (int i = 0; i < count; i += 2) {
      if (i + 1 < count) {
        LANES.pairedSums(dst, d + i * stride, d + (i + 1) * stride, false, src, offsets, atRows[i], atRows[i + 1],
            alpha, len);
      } else {
        LANES.combine(dst, d + i * stride, false, src, offsets, atRows[i], alpha, len);
      }
    }
  }

  /** {@code dM_t = A dY_t A^T} for the tiles of {@code tileRow} ({@code dY} zero outside the output). */
  private void gradientTransform(Plan plan, float[] dy, int tileRow, float[] dm, int mOff, int plane, float[] tmp, int tmpOff,
      int[] offsets) {
    Conv2dGeometry g = plan.g;
    int b = tileRow / plan.th;
    int ty = tileRow % plan.th;
    int f = g.f();
    int len = plan.tw * f;
    // rows[i][j][tx][f] = dY[b][ty m + i][tx m + j][f], zero outside the output
    int rowsOff = tmpOff + alpha * m * len;
    for (int i = 0; i < m; i++) {
      int oy = ty * m + i;
      for (int jj = 0; jj < m; jj++) {
        int dst = rowsOff + (i * m + jj) * len;
        for (int tx = 0; tx < plan.tw; tx++) {
          int ox = tx * m + jj;
          if (oy < plan.outH && ox < plan.outW) {
            System.arraycopy(dy, ((b * plan.outH + oy) * plan.outW + ox) * f, tmp, dst + tx * f, f);
          } else {
            java.util.Arrays.fill(tmp, dst + tx * f, dst + (tx + 1) * f, 0f);
          }
        }
      }
    }
    // tmp[p][j] = sum_i A^T[i][p] rows[i][j]  (A^T[i][p] = POINTS[p]^i: rows p and p + 1 pair as B^T's do)
    for (int jj = 0; jj < m; jj++) {
      for (int i = 0; i < m; i++) {
        offsets[i] = rowsOff + (i * m + jj) * len;
      }
      for (int p = 0; p < alpha; p++) {
        if (m > 1 && pairStart(p)) {
          LANES.evenOdd(tmp, tmpOff + (p * m + jj) * len, tmpOff + ((p + 1) * m + jj) * len, tmp, offsets,
              atColumns[p], m, len);
          p++;
        } else {
          LANES.combine(tmp, tmpOff + (p * m + jj) * len, false, tmp, offsets, atColumns[p], m, len);
        }
      }
    }
    // dM[p][q] = sum_j A^T[j][q] tmp[p][j]
    for (int p = 0; p < alpha; p++) {
      for (int jj = 0; jj < m; jj++) {
        offsets[jj] = tmpOff + (p * m + jj) * len;
      }
      for (int q = 0; q < alpha; q++) {
        if (m > 1 && pairStart(q)) {
          LANES.evenOdd(dm, mOff + (p * alpha + q) * plane, mOff + (p * alpha + q + 1) * plane, tmp, offsets,
              atColumns[q], m, len);
          q++;
        } else {
          LANES.combine(dm, mOff + (p * alpha + q) * plane, false, tmp, offsets, atColumns[q], m, len);
        }
      }
    }
  }

  /** Adds {@code B dV_t B^T} of the tiles of {@code tileRow} into the padded, phase-split input gradient. */
  private void inputGradientTransform(Plan plan, float[] dv, int vOff, int plane, int tileRow, float[] dpin, int dpinOff,
      float[] tmp, int tmpOff, int[] offsets) {
    int b = tileRow / plan.th;
    int ty = tileRow % plan.th;
    int c = plan.g.c();
    int len = plan.tw * c;
    // tmp[p][row] = sum over x, q of B^T[q][x] dV[p][q] placed at column x of each tile (tiles overlap: added)
    java.util.Arrays.fill(tmp, tmpOff, tmpOff + alpha * plan.rowLen, 0f);
    for (int p = 0; p < alpha; p++) {
      for (int q = 0; q < alpha; q++) {
        offsets[q] = vOff + (p * alpha + q) * plane;
      }
      for (int x = 0; x < alpha; x++) {
        int row = tmpOff + p * plan.rowLen;
        if (alpha % 2 == 0) { // columns x, x + 1 at once: B^T's rows pair (pairedBt)
          LANES.pairedSums(tmp, row + plan.columnOffset(x, c), row + plan.columnOffset(x + 1, c), true, dv, offsets,
              btColumns[x], btColumns[x + 1], alpha, len);
          x++;
        } else {
          LANES.combine(tmp, row + plan.columnOffset(x, c), true, dv, offsets, btColumns[x], alpha, len);
        }
      }
    }
    // dpin[b][ty m + y][row] += sum_p B^T[p][y] tmp[p][row]
    for (int p = 0; p < alpha; p++) {
      offsets[p] = tmpOff + p * plan.rowLen;
    }
    for (int y = 0; y < alpha; y++) {
      int row = dpinOff + (b * plan.hp + ty * m + y) * plan.rowLen;
      if (alpha % 2 == 0) {
        LANES.pairedSums(dpin, row, row + plan.rowLen, true, tmp, offsets, btColumns[y], btColumns[y + 1], alpha,
            plan.rowLen);
        y++;
      } else {
        LANES.combine(dpin, row, true, tmp, offsets, btColumns[y], alpha, plan.rowLen);
      }
    }
  }
}
