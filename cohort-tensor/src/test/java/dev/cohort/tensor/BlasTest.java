package dev.cohort.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BlasTest {
  private static final String PTHREAD = "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3";
  private static final String CONSEQUENCE = "Products then differ in their last bits from runs with another BLAS "
      + "thread count, which breaks Cohort's promise of the same bits at any thread count, and the BLAS threads "
      + "compete with the clients Cohort already runs in parallel. Set OPENBLAS_NUM_THREADS=1 in the environment "
      + "before the JVM starts (OpenBLAS reads it only when it loads; the cohort launcher and the test build do).";

  @Test
  void moreThanOneOpenBlasThreadIsALoudWarningNamingTheVariableAndTheConsequence() {
    assertThat(Blas.threadWarning(PTHREAD, Map.of("OPENBLAS_NUM_THREADS", "2"), 16)).isEqualTo(
        "OPENBLAS_NUM_THREADS=2, so OpenBLAS (" + PTHREAD + ") splits each matrix product over 2 threads. "
            + CONSEQUENCE);
    assertThat(Blas.threadWarning(PTHREAD, Map.of(), 16)).isEqualTo("OPENBLAS_NUM_THREADS is not set, so OpenBLAS ("
        + PTHREAD + ") splits each matrix product over up to 16 threads (one per core). " + CONSEQUENCE);
    // OpenBLAS falls back to GOTO_NUM_THREADS, then OMP_NUM_THREADS, and caps the count at the cores.
    assertThat(Blas.threadWarning(PTHREAD, Map.of("OMP_NUM_THREADS", "64"), 8))
        .startsWith("OMP_NUM_THREADS=64, so OpenBLAS (" + PTHREAD + ") splits each matrix product over 8 threads. ");
    assertThat(Blas.threadWarning(PTHREAD, Map.of("OPENBLAS_NUM_THREADS", "0", "GOTO_NUM_THREADS", "3"), 8))
        .startsWith("GOTO_NUM_THREADS=3, so OpenBLAS");
  }

  @Test
  void oneThreadASerialBuildOrAnotherLibraryIsQuiet() {
    assertThat(Blas.threadWarning(PTHREAD, Map.of("OPENBLAS_NUM_THREADS", "1"), 16)).isNull();
    assertThat(Blas.threadWarning(PTHREAD, Map.of("OPENBLAS_NUM_THREADS", "1", "OMP_NUM_THREADS", "8"), 16)).isNull();
    assertThat(Blas.threadWarning(PTHREAD, Map.of("OMP_NUM_THREADS", "1"), 16)).isNull();
    assertThat(Blas.threadWarning(PTHREAD, Map.of("OPENBLAS_NUM_THREADS", "4"), 1)).isNull();
    assertThat(Blas.threadWarning("/usr/lib/x86_64-linux-gnu/openblas-serial/libblas.so.3", Map.of(), 16)).isNull();
    assertThat(Blas.threadWarning("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3", Map.of(), 16)).isNull();
  }

  @Test
  void theRouteIsDescribed() {
    assertThat(Blas.describe()).startsWith(Blas.isNative() ? "JNIBLAS -> " : "Java");
  }
}
