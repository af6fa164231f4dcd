package dev.cohort.nn;

import dev.cohort.testing.Architecture;
import org.junit.jupiter.api.Test;

/** The layout rules of cohort-nn: which modules it may use, and its packages' layers (see {@link Architecture}). */
class ArchitectureTest {
  @Test
  void usesOnlyTheModulesBelowIt() {
    Architecture.checkModuleDependencies("nn", "tensor");
  }

  @Test
  void packagesDependOnlyDownwardAndFormNoCycle() {
    Architecture.checkLayers("dev.cohort.nn", ".");
  }
}
