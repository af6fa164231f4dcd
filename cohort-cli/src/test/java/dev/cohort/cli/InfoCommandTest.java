package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    assertThat(lines).hasSize(5 + InfoCommand.dataLines(System.getenv()).size());
    // Tests run from classes, which carry no manifest version.
    assertThat(lines[0]).isEqualTo("cohort " + InfoCommand.version()).isEqualTo("cohort development build");
    assertThat(lines[1]).isEqualTo("java   " + System.getProperty("java.vm.name") + " " + Runtime.version() + " ("
        + Runtime.getRuntime().availableProcessors() + " processors)");
    assertThat(lines[2]).startsWith("blas   ").hasSizeGreaterThan("blas   ".length());
    // The test build adds jdk.incubator.vector, as the launcher does.
    assertThat(lines[3]).startsWith("vector jdk.incubator.vector, ").endsWith("-bit");
    // Surefire's JVM runs the JVM's default collector; the launcher picks Parallel GC.
    assertThat(lines[4]).isEqualTo("gc     " + InfoCommand.collectors());
    assertThat(InfoCommand.collectors()).isNotEmpty();
  }

  @Test
  void infoListsTheDataSetsTheTasksFind(@TempDir Path root) throws IOException {
    // The shipped FEMNIST sample is found from the working directory (the module, below the repository).
    assertThat(InfoCommand.dataLines(Map.of())).startsWith("data   femnist: " + TrainData.defaultFemnist())
        .endsWith("data   $COHORT_DATA is not set (a directory of data sets; see cohort info --help)");
    Files.createDirectories(root.resolve("shakespeare"));
    Files.writeString(root.resolve("shakespeare").resolve("plays.txt"), "A:\nhello\n");
    Files.createDirectories(root.resolve("restaurant_ratings"));
    Files.writeString(root.resolve("restaurant_ratings").resolve("rating_final.csv"), "userID,placeID,rating\n");
    Files.writeString(root.resolve("restaurant_ratings").resolve("geoplaces2.csv"), "placeID\n");
    Files.createDirectories(root.resolve("femnist_leaf").resolve("train"));
    Files.createDirectories(root.resolve("femnist_leaf").resolve("test"));
    // A Fashion-MNIST folder with the test split alone (as the shared data's) is not Fashion-MNIST's default.
    Files.createDirectories(root.resolve("fashion_mnist"));
    Files.writeString(root.resolve("fashion_mnist").resolve("t10k-images-idx3-ubyte.gz"), "");
    Files.createDirectories(root.resolve("stackexchange_tags")); // no Posts.xml in it: not listed
    List<String> lines = InfoCommand.dataLines(Map.of("COHORT_DATA", root.toString()));
    assertThat(lines).contains("data   femnist: " + root.resolve("femnist_leaf"),
        "data   shakespeare: " + root.resolve("shakespeare").resolve("plays.txt"),
        "data   ratings: " + root.resolve("restaurant_ratings").resolve("rating_final.csv"),
        "data   $COHORT_DATA = " + root).noneMatch(l -> l.contains("stackoverflow-tags"));
    assertThat(Task.FASHION_MNIST.defaultData(Map.of("COHORT_DATA", root.toString())))
        .isNotEqualTo(root.resolve("fashion_mnist"));
    // The tasks' default --data is what info lists.
    assertThat(Task.SHAKESPEARE.defaultData(Map.of("COHORT_DATA", root.toString())))
        .isEqualTo(root.resolve("shakespeare").resolve("plays.txt"));
  }

  @Test
  void infoHelpPrintsItsUsage() {
    // It used to answer "Unknown option: '--help'" with exit code 2.
    assertThat(run("info", "--help")).isZero();
    assertThat(last.err()).isEmpty();
    assertThat(last.out()).isEqualTo(String.join(NL,
        "Usage: cohort info [-hV] [--verbose]",
        "Print the Cohort version, the Java runtime, the BLAS and vector routes in use",
        "and the data sets found.",
        "  -h, --help      Show this help message and exit.",
        "  -V, --version   Print version information and exit.",
        "      --verbose   On an internal error, print its stack trace.",
        "",
        "Data sets: each task's default --data is $COHORT_DATA/<folder> where that holds",
        "the task's data (folders femnist_leaf, fashion_mnist, mnist, shakespeare,",
        "stackexchange_tags, restaurant_ratings, as in the project's shared data), else",
        "the FEMNIST sample in data/femnist_leaf and Debian's",
        "/usr/share/datasets/fashion-mnist.",
        "",
        "Examples:",
        "  cohort info",
        "  COHORT_DATA=../shared/data cohort info     # and the data sets there",
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
