package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** End-to-end tests of the root {@code cohort} command. */
class CohortTest {
  private static final String NL = System.lineSeparator();
  private CliRun last;

  private int run(String... args) {
    last = CliRun.of(args);
    return last.code();
  }

  @Test
  void versionPrintsCohortAndItsVersion() {
    assertThat(run("--version")).isZero();
    assertThat(last.err()).isEmpty();
    assertThat(last.out()).isEqualTo("cohort " + InfoCommand.version() + NL);
    assertThat(InfoCommand.version()).isEqualTo("development build"); // classes carry no manifest version
  }

  @Test
  void withoutACommandCohortPrintsItsUsageAndTheCommands() {
    assertThat(run()).isZero();
    assertThat(last.err()).isEmpty();
    assertThat(last.out()).startsWith("Usage: cohort [-hV] [--verbose] [COMMAND]" + NL
        + "Federated learning and federated analytics for the JVM." + NL)
        .contains(NL + "  info ", NL + "  privacy ", NL + "  tutorial ", NL + "  train ");
  }

  @Test
  void anUnknownCommandExitsWithTwoAndSaysWhich() {
    assertThat(run("trian")).isEqualTo(2);
    assertThat(last.out()).isEmpty();
    assertThat(last.err()).isEqualTo("cohort: error: Unmatched argument at index 0: 'trian'; did you mean tutorial or "
        + "train or privacy?; see 'cohort --help'" + NL);
  }
}
