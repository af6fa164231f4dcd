package dev.cohort.analytics;

import dev.cohort.testing.Architecture;
import org.junit.jupiter.api.Test;

/**
 * The layout rules of cohort-analytics (see {@link Architecture}): the sketch ({@code iblt}) below the federated
 * computations built on it (the root package), over cohort-core and cohort-tensor, with cohort-simulation for speaker text and cohort-privacy for accounting.
 */
class ArchitectureTest {
  @Test
  void usesOnlyTheModulesBelowIt() {
    Architecture.checkModuleDependencies("analytics", "tensor", "core", "privacy", "simulation");
  }

  @Test
  void packagesDependOnlyDownwardAndFormNoCycle() {
    Architecture.checkLayers("dev.cohort.analytics", "iblt", ".");
  }
}
