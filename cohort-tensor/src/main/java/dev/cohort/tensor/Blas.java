package dev.cohort.tensor;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * <p>Cohort runs one BLAS thread per task and gets parallelism from running clients concurrently; with more than
 * one BLAS thread a product's bits depend on the thread count, so results would no longer be the same at any
 * thread count. OpenBLAS reads its thread count from the environment once, when it loads, and cannot be told
 * otherwise from Java 17 (see {@code threadWarning}), so the {@code cohort} launcher and the test build set
 * {@code OPENBLAS_NUM_THREADS=1}; when OpenBLAS would use more than one thread the engine warns once on standard
 * error, naming the variable and the consequence.
 */
public final class Blas {
  private static final dev.ludovic.netlib.blas.BLAS BLAS;
  private static final boolean NATIVE;
  private static final String DESCRIPTION;
  /** What more than one BLAS thread costs, and the fix. */
  private static final String CONSEQUENCE = "Products then differ in their last bits from runs with another BLAS "
      + "thread count, which breaks Cohort's promise of the same bits at any thread count, and the BLAS threads "
      + "compete with the clients Cohort already runs in parallel. Set OPENBLAS_NUM_THREADS=1 in the environment "
      + "before the JVM starts (OpenBLAS reads it only when it loads; the cohort launcher and the test build do).";

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
      String warning = threadWarning(lib, System.getenv(), Runtime.getRuntime().availableProcessors());
      if (warning != null) {
        warn(warning);
      }
    } else {
      DESCRIPTION = impl + " (pure Java: no native libblas.so.3 found)";
      warn("no native BLAS found; matrix products use " + impl + ", about 8x slower than OpenBLAS. "
          + "Install one (Debian/Ubuntu: apt-get install libopenblas0) for full speed.");
    }
  }

  private Blas() {}

  /**
   * The warning to print when the native library may run a matrix product on more than one thread, or null.
   *
   * <p>OpenBLAS (the pthread and OpenMP builds; not the serial one) takes its thread count, once, when it loads,
   * from the first of {@code OPENBLAS_NUM_THREADS}, {@code GOTO_NUM_THREADS}, {@code OMP_NUM_THREADS} that holds a
   * positive number, else one thread per core, and never more threads than cores. Neither netlib's JNI binding
   * (which exposes only the BLAS routines) nor Java 17 without an incubator module (the Foreign Function API is
   * final only from Java 22) can call {@code openblas_set_num_threads}, so the engine cannot change the count
   * afterwards: it can only say that the environment breaks its promise.
   *
   * @param library the mapped BLAS library's path
   * @param env the process environment
   * @param cores the processors available (OpenBLAS's default thread count)
   */
  static String threadWarning(String library, Map<String, String> env, int cores) {
    String name = library.toLowerCase(Locale.ROOT);
    if (!name.contains("openblas") || name.contains("serial")) {
      return null;
    }
    for (String variable : List.of("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")) {
      int n = Math.min(positive(env.get(variable)), cores);
      if (n == 1) {
        return null;
      } else if (n > 1) {
        return variable + "=" + env.get(variable).trim() + ", so OpenBLAS (" + library + ") splits each matrix product"
            + " over " + n + " threads. " + CONSEQUENCE;
      }
    }
    if (cores <= 1) {
      return null;
    }
    return "OPENBLAS_NUM_THREADS is not set, so OpenBLAS (" + library + ") splits each matrix product over up to "
        + cores + " threads (one per core). " + CONSEQUENCE;
  }

  /** The value of an OpenBLAS thread variable as OpenBLAS reads it: a positive number, or 0 for none. */
  private static int positive(String value) {
    if (value == null) {
      return 0;
    }
    try {
      return Math.max(0, Integer.parseInt(value.trim()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

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
