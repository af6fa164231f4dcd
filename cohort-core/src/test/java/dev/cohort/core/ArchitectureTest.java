package dev.cohort.core;

import dev.cohort.testing.Architecture;
import org.junit.jupiter.api.Test;

/**
 * The layout rules of cohort-core (see {@link Architecture}): the language in downward-only layers,
 * {@code types ← values ← ast ← serialization ← core ← compiler, runtime}, and only cohort-tensor below it.
 */
class ArchitectureTest {
  @Test
  void usesOnlyTheModulesBelowIt() {
    Architecture.checkModuleDependencies("core", "tensor");
  }

  @Test
  void packagesDependOnlyDownwardAndFormNoCycle() {
    Architecture.checkLayers("dev.cohort.core", "types", "values", "ast", "serialization", ".", "compiler runtime");
  }
}
