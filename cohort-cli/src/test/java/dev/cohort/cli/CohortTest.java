package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** End-to-end tests of the root {@code cohort} command. */
class CohortTest {
  private static final String NL = System.lineSeparator();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = Cohort.newCommandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void versionPrintsCohortAndItsVersion() {
    assertThat(run("--version")).isZero();
    assertThat(err.toString()).isEmpty();
    assertThat(out.toString()).isEqualTo("cohort " + InfoCommand.version() + NL);
    assertThat(InfoCommand.version()).isEqualTo("development build"); // classes carry no manifest version
  }

  @Test
  void withoutACommandCohortPrintsItsUsageAndTheCommands() {
    assertThat(run()).isZero();
    assertThat(err.toString()).isEmpty();
    assertThat(out.toString()).startsWith("Usage: cohort [-hV] [COMMAND]" + NL
        + "Federated learning and federated analytics for the JVM." + NL)
        .contains(NL + "  info ", NL + "  privacy ", NL + "  tutorial ");
  }

  @Test
  void anUnknownCommandExitsWithTwoAndSaysWhich() {
    assertThat(run("train")).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).startsWith("Unmatched argument at index 0: 'train'");
  }
}
