package dev.cohort.tensor;

import dev.cohort.testing.Architecture;
import org.junit.jupiter.api.Test;

/** The layout rules of cohort-tensor: which modules it may use, and its packages' layers (see {@link Architecture}). */
class ArchitectureTest {
  @Test
  void usesOnlyTheModulesBelowIt() {
    Architecture.checkModuleDependencies("tensor");
  }

  @Test
  void packagesDependOnlyDownwardAndFormNoCycle() {
    Architecture.checkLayers("dev.cohort.tensor", "internal", ".");
  }
}
