package dev.cohort.cli;

import dev.cohort.tensor.Blas;
import dev.cohort.tensor.Convolution;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code cohort info}: the version, the Java runtime, the BLAS route and the vector kernels in use. */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = InfoCommand.Version.class,
    description = "Print the Cohort version, the Java runtime, the BLAS and vector routes in use.")
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
  }

  /** Supplies {@code --version} (and {@code -V}) to {@code cohort} and each of its subcommands. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"cohort " + version()};
    }
  }
}
