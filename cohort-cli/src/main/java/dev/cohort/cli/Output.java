package dev.cohort.cli;

import java.util.Locale;
import picocli.CommandLine;

/** Text output every command shares: aligned "label value" rows and warnings on standard error. */
final class Output {
  private Output() {}

  /** "label" padded to 18 columns, then the value: {@code epsilon            0.7242234026}. */
  static String row(String label, String value) {
    return String.format(Locale.ROOT, "%-18s %s", label, value);
  }

  /** Prints "cohort &lt;command&gt;: warning: {@code message}" on standard error. */
  static void warn(CommandLine.Model.CommandSpec spec, String message) {
    spec.commandLine().getErr().println(spec.qualifiedName() + ": warning: " + message);
  }
}
