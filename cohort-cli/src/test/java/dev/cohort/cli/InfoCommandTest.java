package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** End-to-end tests of {@code cohort info}. */
class InfoCommandTest {
  private static final String NL = System.lineSeparator();
  private CliRun last;

  private int run(String... args) {
    last = CliRun.of(args);
    return last.code();
  }

  @Test
  void infoPrintsTheVersionTheJavaRuntimeAndTheBlasRoute() {
    assertThat(run("info")).isZero();
    assertThat(last.err()).isEmpty();
    String[] lines = last.out().split(NL);
    assertThat(lines).hasSize(4);
    // Tests run from classes, which carry no manifest version.
    assertThat(lines[0]).isEqualTo("cohort " + InfoCommand.version()).isEqualTo("cohort development build");
    assertThat(lines[1]).isEqualTo("java   " + System.getProperty("java.vm.name") + " " + Runtime.version() + " ("
        + Runtime.getRuntime().availableProcessors() + " processors)");
    assertThat(lines[2]).startsWith("blas   ").hasSizeGreaterThan("blas   ".length());
    // The test build adds jdk.incubator.vector, as the launcher does.
    assertThat(lines[3]).startsWith("vector jdk.incubator.vector, ").endsWith("-bit");
  }

  @Test
  void infoHelpPrintsItsUsage() {
    // It used to answer "Unknown option: '--help'" with exit code 2.
    assertThat(run("info", "--help")).isZero();
    assertThat(last.err()).isEmpty();
    assertThat(last.out()).isEqualTo(String.join(NL,
        "Usage: cohort info [-hV] [--verbose]",
        "Print the Cohort version, the Java runtime, the BLAS and vector routes in use.",
        "  -h, --help      Show this help message and exit.",
        "  -V, --version   Print version information and exit.",
        "      --verbose   On an internal error, print its stack trace.",
        ""));
  }

  @Test
  void infoVersionPrintsTheVersion() {
    assertThat(run("info", "-V")).isZero();
    assertThat(last.out()).isEqualTo("cohort development build" + NL);
  }

  @Test
  void anUnknownInfoOptionExitsWithTwo() {
    // --verbose is every command's option now (for internal errors); an option info lacks is still rejected.
    assertThat(run("info", "--json")).isEqualTo(2);
    assertThat(last.out()).isEmpty();
    assertThat(last.err()).isEqualTo("cohort info: error: Unknown option: '--json'; see 'cohort info --help'" + NL);
  }
}
