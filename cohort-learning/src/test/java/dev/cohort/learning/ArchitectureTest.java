package dev.cohort.learning;

import dev.cohort.testing.Architecture;
import org.junit.jupiter.api.Test;

/**
 * The layout rules of cohort-learning (see {@link Architecture}): it uses tensor, nn and core, and its packages form
 * layers {@code . ← optimizers, models ← templates ← algorithms}.
 */
class ArchitectureTest {
  @Test
  void usesOnlyTheModulesBelowIt() {
    Architecture.checkModuleDependencies("learning", "tensor", "nn", "core", "aggregators");
  }

  @Test
  void packagesDependOnlyDownwardAndFormNoCycle() {
    Architecture.checkLayers("dev.cohort.learning", ".", "optimizers models", "templates", "algorithms");
  }
}
