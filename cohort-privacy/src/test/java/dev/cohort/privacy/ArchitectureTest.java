package dev.cohort.privacy;

import dev.cohort.testing.Architecture;
import org.junit.jupiter.api.Test;

/** The layout rules of cohort-privacy: which modules it may use, and its packages' layers (see {@link Architecture}). */
class ArchitectureTest {
  @Test
  void usesOnlyTheModulesBelowIt() {
    Architecture.checkModuleDependencies("privacy");
  }

  @Test
  void packagesDependOnlyDownwardAndFormNoCycle() {
    Architecture.checkLayers("dev.cohort.privacy", ".");
  }
}
