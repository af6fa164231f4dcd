package dev.cohort.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The input flags of the CSV analytics commands: the file, the column to analyse and the column naming clients. */
final class CsvOptions {
  @Option(names = "--csv", required = true, paramLabel = "FILE",
      description = "A CSV file (UTF-8, RFC 4180) whose first line names the columns.")
  Path file;

  @Option(names = "--column", required = true, paramLabel = "NAME", description = "The column to analyse.")
  String column;

  @Option(names = "--client-column", required = true, paramLabel = "NAME",
      description = "The column naming each record's client; each distinct value is one client.")
  String clientColumn;

  /** The column's values for each client. */
  Map<String, List<String>> read() {
    return CsvColumn.byClient(file, "--column", column, "--client-column", clientColumn);
  }
}
