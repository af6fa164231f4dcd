package dev.cohort.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.testing.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real text (shared/data/shakespeare, SOURCE.md): with a capacity above the number of distinct words, the decoded
 * counts equal the counts computed directly from the text.
 */
class ShakespeareHeavyHittersTest {
  private static final Path FILE = Path.of("shared", "data", "shakespeare", "tinyshakespeare_input.txt");

  /** The file under the nearest ancestor of the working directory that has {@code shared/data}, or null. */
  private static Path locate() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(FILE))) {
        return dir.resolve(FILE);
      }
    }
    return null;
  }

  /** Speaker turns (SOURCE.md's rule): blocks split on blank lines, a "NAME:" line, then the speech. */
  private static Map<String, List<String[]>> clients(String text, int maxClients) {
    Map<String, List<String[]>> bySpeaker = new LinkedHashMap<>();
    for (String block : text.strip().split("\n{2,}")) {
      int newline = block.indexOf('\n');
      if (newline < 0) {
        continue;
      }
      String speaker = block.substring(0, newline - 1);
      if (!bySpeaker.containsKey(speaker) && bySpeaker.size() == maxClients) {
        continue;
      }
      String[] tokens = Arrays.stream(block.substring(newline + 1).toLowerCase(Locale.ROOT).split("\\s+"))
          .filter(t -> t.codePoints().anyMatch(Character::isLetterOrDigit)).toArray(String[]::new);
      bySpeaker.computeIfAbsent(speaker, k -> new ArrayList<>()).add(tokens);
    }
    return bySpeaker;
  }

  @Test
  void decodedCountsEqualTheCountsOfTheText() throws IOException {
    Path file = locate();
    Prerequisites.require(file != null, "shared/data/shakespeare/tinyshakespeare_input.txt above the working"
        + " directory", "the shared data set of this project (see shared/data/shakespeare/SOURCE.md)");
    Map<String, List<String[]>> clients = clients(Files.readString(file, StandardCharsets.UTF_8), 30);
    Map<String, long[]> truth = new LinkedHashMap<>();
    for (List<String[]> turns : clients.values()) {
      LinkedHashSet<String> distinct = new LinkedHashSet<>();
      for (String[] turn : turns) {
        for (String t : turn) {
          String word = t.length() > 20 ? t.substring(0, 20) : t;  // ASCII text: 20 bytes are 20 chars
          truth.computeIfAbsent(word, k -> new long[2])[1]++;
          distinct.add(word);
        }
      }
      distinct.forEach(w -> truth.get(w)[0]++);
    }
    assertThat(truth.size()).as("distinct words of 30 speakers").isGreaterThan(5000);
    HeavyHittersResult r = HeavyHittersResult.of(HeavyHitters.builder().capacity(2 * truth.size())
        .stringMaxBytes(20).secureSumBitwidth(32).build().call(new ArrayList<>(clients.values())));
    assertThat(r.clients()).isEqualTo(30);
    assertThat(r.numNotDecoded()).isZero();
    Map<String, List<Long>> expected = new LinkedHashMap<>();
    truth.forEach((w, c) -> expected.put(w, List.of(c[0], c[1])));
    assertThat(r.asMap()).containsExactlyInAnyOrderEntriesOf(expected);
  }
}
