package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command, at every depth, answers {@code --help} with its usage and examples, and {@code --version}. */
class HelpTest {
  private static final String NL = System.lineSeparator();

  private static void collect(CommandLine cl, List<String> path, List<List<String>> out) {
    out.add(path);
    for (Map.Entry<String, CommandLine> sub : cl.getSubcommands().entrySet()) {
      List<String> p = new ArrayList<>(path);
      p.add(sub.getKey());
      collect(sub.getValue(), p, out);
    }
  }

  @Test
  void everyCommandHasHelpWithExamplesAndAVersion() {
    List<List<String>> commands = new ArrayList<>();
    collect(Cohort.newCommandLine(), List.of(), commands);
    assertThat(commands).contains(List.of("train"), List.of("evaluate"), List.of("data", "inspect"),
        List.of("info"), List.of("privacy", "epsilon"), List.of("analytics", "histogram"), List.of("tutorial"));
    for (List<String> path : commands) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      CliRun help = CliRun.of(args.toArray(new String[0]));
      assertThat(help.code()).as(args.toString()).isZero();
      assertThat(help.out()).as(args.toString())
          .startsWith("Usage: cohort" + (path.isEmpty() ? "" : " " + String.join(" ", path)))
          .contains(NL + "Examples:" + NL + "  cohort ");
      args.set(args.size() - 1, "--version");
      CliRun version = CliRun.of(args.toArray(new String[0]));
      assertThat(version.code()).isZero();
      assertThat(version.out()).isEqualTo("cohort " + InfoCommand.version() + NL);
    }
  }
}
