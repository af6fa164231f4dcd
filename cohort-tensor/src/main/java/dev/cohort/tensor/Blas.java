package dev.cohort.tensor;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * The single-precision GEMM route of the engine, on row-major heap arrays.
 *
 * <p>GEMM goes through {@code dev.ludovic.netlib:blas}: its JNI binding calls the system's {@code libblas.so.3}
 * (OpenBLAS when installed, e.g. Debian's {@code libopenblas0}) without copying heap arrays. Without a native
 * library netlib falls back to a pure-Java implementation (VectorBLAS when {@code jdk.incubator.vector} is
 * added, otherwise Java11BLAS), whose GEMM is 8 to 13 times slower (a training step 6 to 8 times); the engine then warns once on standard error.
 * {@link #describe()} names the route in use.
 *
 * <p>Cohort runs one BLAS thread per task and gets parallelism from running clients concurrently. OpenBLAS
 * reads its thread count from the environment at load time, so the {@code cohort} launcher and the test
 * build set {@code OPENBLAS_NUM_THREADS=1}; embedding applications should do the same (a warning says so).
 */
public final class Blas {
  private static final dev.ludovic.netlib.blas.BLAS BLAS;
  private static final boolean NATIVE;
  private static final String DESCRIPTION;

  static {
    // netlib logs a warning per implementation it fails to load; Cohort reports the outcome once itself.
    Logger netlibLog = Logger.getLogger("dev.ludovic.netlib.blas.InstanceBuilder");
    java.util.logging.Level previous = netlibLog.getLevel();
    netlibLog.setLevel(java.util.logging.Level.SEVERE);
    try {
      BLAS = dev.ludovic.netlib.blas.BLAS.getInstance();
    } finally {
      netlibLog.setLevel(previous);
    }
    String impl = BLAS.getClass().getSimpleName();
    NATIVE = impl.equals("JNIBLAS");
    String threads = System.getenv("OPENBLAS_NUM_THREADS");
    if (NATIVE) {
      String lib = nativeLibrary();
      DESCRIPTION = impl + " -> " + lib + " (OPENBLAS_NUM_THREADS=" + (threads == null ? "unset" : threads) + ")";
      if (threads == null && lib.toLowerCase(Locale.ROOT).contains("openblas") && !lib.contains("serial")) {
        warn("OPENBLAS_NUM_THREADS is not set, so OpenBLAS may start a thread per core on every call; Cohort "
            + "runs clients in parallel and expects one BLAS thread per task. Set OPENBLAS_NUM_THREADS=1.");
      }
    } else {
      DESCRIPTION = impl + " (pure Java: no native libblas.so.3 found)";
      warn("no native BLAS found; matrix products use " + impl + ", about 8x slower than OpenBLAS. "
          + "Install one (Debian/Ubuntu: apt-get install libopenblas0) for full speed.");
    }
  }

  private Blas() {}

  private static void warn(String message) {
    System.getLogger("dev.cohort.tensor").log(Level.WARNING, "cohort-tensor: " + message);
  }

  /** Finds the mapped BLAS shared object in this process, or says it could not. */
  private static String nativeLibrary() {
    try {
      BLAS.sdot(1, new float[] {1}, 1, new float[] {1}, 1); // make sure the library is loaded
      for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
        int at = line.indexOf('/');
        if (at >= 0) {
          String path = line.substring(at);
          String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
          if ((name.startsWith("libblas") || name.startsWith("libopenblas") || name.contains("mkl_rt"))) {
            return path;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return "native libblas.so.3";
    }
    return "native libblas.so.3";
  }

  /** Which implementation runs GEMM, e.g. {@code JNIBLAS -> /usr/lib/.../openblas-pthread/libblas.so.3}. */
  public static String describe() {
    return DESCRIPTION;
  }

  /** True when GEMM runs in a native library. */
  public static boolean isNative() {
    return NATIVE;
  }

  /**
   * Row-major {@code C = alpha * op(A) * op(B) + beta * C} where {@code op(A)} is {@code [m,k]} and
   * {@code op(B)} is {@code [k,n]}; {@code lda}, {@code ldb}, {@code ldc} are row strides of the stored
   * matrices. With {@code beta == 0}, C need not be initialized.
   */
  public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          c[cOffset + i * ldc + j] = beta == 0 ? 0f : beta * c[cOffset + i * ldc + j];
        }
      }
      return;
    }
    // Row-major C = A B is column-major C^T = B^T A^T: swap the operands.
    BLAS.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b, bOffset, ldb, a, aOffset, lda, beta, c, cOffset, ldc);
  }
}
