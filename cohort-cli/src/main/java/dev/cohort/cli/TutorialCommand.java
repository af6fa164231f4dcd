package dev.cohort.cli;

import dev.cohort.examples.DataFileException;
import dev.cohort.examples.Tutorial;
import dev.cohort.examples.Tutorials;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cohort tutorial <name> [--data DIR]}: runs the Cohort counterpart of one of TFF's tutorials and prints what
 * the tutorial's notebook prints (custom-federated-algorithms-2 trains on all of Fashion-MNIST's t10k split, so it has
 * no held-out data for the notebook's closing test-set losses). Without a name it lists the tutorials.
 *
 * <p>Exit status: 2 for an unknown name, {@code --data} given to a tutorial that reads no data, or a data directory
 * without the files; 1 for data files that cannot be read.
 */
@Command(name = "tutorial", mixinStandardHelpOptions = true, versionProvider = InfoCommand.Version.class,
    description = "Run the Cohort counterpart of a TFF tutorial and print its outputs.",
    footer = {"", "Examples:",
        "  cohort tutorial                                   # lists the tutorials",
        "  cohort tutorial custom-federated-algorithms-1"})
final class TutorialCommand implements Callable<Integer> {
  /** The tutorials that read data files, so take {@code --data}; the others reject it. */
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The tutorial to run; omit to list them.")
  String name;

  @Option(names = "--data", paramLabel = "DIR",
      description = "Directory with the tutorial's data files (for image-classification, working-with-client-data"
          + " and the other learning tutorials: the FEMNIST LEAF directories train/ and test/; for custom-federated-algorithms-2:"
          + " t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz; for private-heavy-hitters:"
          + " tinyshakespeare_input.txt).")
  Path data;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (name == null) {
      Flags.notApplicable(spec, "--data", "without a tutorial NAME: it names the tutorial's data directory");
      out.println("Tutorials (run one with: cohort tutorial NAME):");
      for (Tutorial t : Tutorials.all()) {
        out.printf("  %-32s %s%n", t.name(), t.summary());
      }
      out.flush();
      return 0;
    }
    Tutorial tutorial;
    try {
      tutorial = Tutorials.find(name);
    } catch (IllegalArgumentException e) {
      throw new Flags.FlagException(e.getMessage(), e); // "unknown tutorial '…'; available: …"
    }
    if (!tutorial.readsData()) {
      Flags.notApplicable(spec, "--data", "with " + tutorial.name() + ": that tutorial reads no data");
    }
    // Tutorials print to a PrintStream; forward it, line by line, to picocli's writer.
    PrintStream stream = new PrintStream(new ByteArrayOutputStream() {
      @Override
      public void flush() {
        out.print(toString(StandardCharsets.UTF_8));
        out.flush();
        reset();
      }
    }, true, StandardCharsets.UTF_8);
    try {
      tutorial.run(stream, data);
    } catch (IllegalArgumentException e) {
      // Tutorial.run's contract: the data cannot be found or read. A file that is there but unusable, or that
      // reading failed on, exits 1; a --data directory without the files is a usage error.
      if (e instanceof DataFileException) {
        throw new UserFileException(e.getMessage(), e);
      }
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof IOException) {
          throw new UserFileException(e.getMessage(), e);
        }
      }
      throw new Flags.FlagException(e.getMessage(), e);
    }
    stream.flush();
    return 0;
  }
}
