package dev.cohort.simulation;

import dev.cohort.testing.Architecture;
import org.junit.jupiter.api.Test;

/**
 * The layout rules of cohort-simulation: which modules it may use, and its packages' layers (see
 * {@link Architecture}).
 */
class ArchitectureTest {
  @Test
  void usesOnlyTheModulesBelowIt() {
    Architecture.checkModuleDependencies("simulation", "tensor", "core", "learning");
  }

  @Test
  void packagesDependOnlyDownwardAndFormNoCycle() {
    Architecture.checkLayers("dev.cohort.simulation", ". proto", "datasets training");
  }
}
