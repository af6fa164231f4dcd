package dev.cohort.cli;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * One column of a CSV file grouped by a client column: the input of {@code cohort analytics histogram} and
 * {@code distinct}. The file is UTF-8 RFC 4180 CSV (Apache Commons CSV: quoted fields, embedded newlines) whose first
 * record is the header; clients appear in the order of their first record. A column the header lacks is a usage
 * error ({@link Flags.FlagException}, naming the flag and the columns there are); a file that cannot be read, is not
 * UTF-8, is malformed, or has a record without the two columns is a {@link UserFileException} naming the file and
 * the line.
 */
final class CsvColumn {
  private CsvColumn() {}

  /** The values of {@code column} for each client of {@code clientColumn}, in file order. */
  static Map<String, List<String>> byClient(Path file, String columnFlag, String column, String clientFlag,
      String clientColumn) {
    CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get();
    try (Reader in = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
         CSVParser parser = CSVParser.builder().setReader(in).setFormat(format).get()) {
      List<String> header = parser.getHeaderNames();
      if (header.isEmpty()) {
        throw new UserFileException(file + ": no header record; expected a first line naming the columns", null);
      }
      int valueIndex = index(header, file, columnFlag, column);
      int clientIndex = index(header, file, clientFlag, clientColumn);
      Map<String, List<String>> clients = new LinkedHashMap<>();
      for (CSVRecord r : parser) {
        int needed = Math.max(valueIndex, clientIndex) + 1;
        if (r.size() < needed) {
          throw new UserFileException(file + ": line " + parser.getCurrentLineNumber() + ": record "
              + r.getRecordNumber() + " has " + r.size() + " field(s); columns '" + clientColumn + "' and '" + column
              + "' need " + needed, null);
        }
        clients.computeIfAbsent(r.get(clientIndex), k -> new ArrayList<>()).add(r.get(valueIndex));
      }
      return clients;
    } catch (IOException | UncheckedIOException | IllegalStateException e) {
      // Commons CSV reports malformed input (an unclosed quote, a duplicate header) as these.
      Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
      throw new UserFileException("cannot read the CSV file " + file + ": " + cause.getMessage(), e);
    } catch (IllegalArgumentException e) {
      if (e instanceof Flags.FlagException f) {
        throw f;
      }
      throw new UserFileException("cannot read the CSV file " + file + ": " + e.getMessage(), e);
    }
  }

  private static int index(List<String> header, Path file, String flag, String column) {
    int i = header.indexOf(column);
    if (i < 0) {
      throw new Flags.FlagException(flag + " (" + column + ") is not a column of " + file + "; its columns are "
          + String.join(", ", header));
    }
    return i;
  }
}
