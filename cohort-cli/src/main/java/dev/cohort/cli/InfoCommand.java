package dev.cohort.cli;

import dev.cohort.tensor.Blas;
import dev.cohort.tensor.Convolution;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code cohort info}: the version, the Java runtime, the BLAS route, the vector kernels and the garbage collector in use, and the data sets
 * the tasks find
 * without {@code --data} ({@link Task#defaultData}: the shipped FEMNIST sample, Debian's Fashion-MNIST, and what
 * {@code $COHORT_DATA} holds).
 */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = InfoCommand.Version.class,
    description = "Print the Cohort version, the Java runtime, the BLAS and vector routes in use and the data sets "
        + "found.",
    footer = {"", "Data sets: each task's default --data is $" + Task.DATA_ENV + "/<folder> where that holds the task's data (folders "
        + "femnist_leaf, fashion_mnist, mnist, shakespeare, stackexchange_tags, restaurant_ratings, as in the "
        + "project's shared data), else the FEMNIST sample in data/femnist_leaf and Debian's "
        + "/usr/share/datasets/fashion-mnist.",
        "", "Examples:",
        "  cohort info",
        "  COHORT_DATA=../shared/data cohort info     # and the data sets there"})
final class InfoCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  static String version() {
    String v = Cohort.class.getPackage().getImplementationVersion();
    return v == null ? "development build" : v;
  }

  @Override
  public void run() {
    var out = spec.commandLine().getOut();
    out.println("cohort " + version());
    out.println("java   " + System.getProperty("java.vm.name") + " " + Runtime.version()
        + " (" + Runtime.getRuntime().availableProcessors() + " processors)");
    out.println("blas   " + Blas.describe());
    out.println("vector " + Convolution.describeKernels());
    out.println("gc     " + collectors());
    dataLines(System.getenv()).forEach(out::println);
  }

  /** The JVM's garbage collectors, e.g. {@code PS Scavenge, PS MarkSweep} (the launcher picks Parallel GC). */
  static String collectors() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", "));
  }

  /** The "data" lines: each task whose default data exists and where, then what {@code $COHORT_DATA} is. */
  static List<String> dataLines(Map<String, String> env) {
    List<String> lines = new ArrayList<>();
    DataOptions.found(env).forEach((task, path) -> lines.add("data   " + task.flag() + ": " + path));
    String root = env.get(Task.DATA_ENV);
    lines.add("data   " + (root == null || root.isEmpty() ? "$" + Task.DATA_ENV + " is not set (a directory of "
        + "data sets; see cohort info --help)" : "$" + Task.DATA_ENV + " = " + root));
    return lines;
  }

  /** Supplies {@code --version} (and {@code -V}) to {@code cohort} and each of its subcommands. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"cohort " + version()};
    }
  }
}
