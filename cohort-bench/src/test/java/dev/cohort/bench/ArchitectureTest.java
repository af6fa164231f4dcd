package dev.cohort.bench;

import dev.cohort.testing.Architecture;
import org.junit.jupiter.api.Test;

/** The layout rules of cohort-bench: which modules it may use, and its packages' layers (see {@link Architecture}). */
class ArchitectureTest {
  @Test
  void usesOnlyTheModulesBelowIt() {
    Architecture.checkModuleDependencies("bench", "tensor", "nn", "core", "privacy", "analytics", "aggregators",
        "simulation", "learning");
  }

  @Test
  void packagesDependOnlyDownwardAndFormNoCycle() {
    Architecture.checkLayers("dev.cohort.bench", ".");
  }
}
