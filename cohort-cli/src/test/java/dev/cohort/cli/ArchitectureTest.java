package dev.cohort.cli;

import dev.cohort.testing.Architecture;
import org.junit.jupiter.api.Test;

/** The layout rules of cohort-cli: which modules it may use, and its packages' layers (see {@link Architecture}). */
class ArchitectureTest {
  @Test
  void usesOnlyTheModulesBelowIt() {
    Architecture.checkModuleDependencies("cli", "tensor", "nn", "core", "privacy", "aggregators", "simulation",
        "learning", "analytics", "examples");
  }

  @Test
  void packagesDependOnlyDownwardAndFormNoCycle() {
    Architecture.checkLayers("dev.cohort.cli", ".");
  }
}
