package dev.cohort.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.testing.Prerequisites;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateHeavyHittersTest {
  @TempDir
  Path tmp;

  static Path data() {
    for (Path p : new Path[] {PrivateHeavyHitters.SHARED, Path.of("..", "..", "shared", "data", "shakespeare")}) {
      if (Files.isRegularFile(p.resolve(PrivateHeavyHitters.FILE))) {
        return p;
      }
    }
    return null;
  }

  /**
   * The tutorial's histogram computed directly from the text: SOURCE.md's turn rule, the first 10 speakers in sorted
   * order, words split on white space, lower-cased, kept if they hold a letter or digit (the file's other characters
   * are ASCII punctuation); each speaker's 8 most frequent words (ties: the first seen), once; words cut to 20 bytes
   * (ASCII); the 10 with the most speakers, ties by the word.
   */
  static Map<String, Long> expected(String text, int top) {
    TreeMap<String, List<String>> bySpeaker = new TreeMap<>();
    for (String block : text.strip().split("\n{2,}")) {
      int nl = block.indexOf('\n');
      if (nl >= 0) {
        bySpeaker.computeIfAbsent(block.substring(0, nl - 1), k -> new ArrayList<>()).addAll(
            Arrays.stream(block.substring(nl + 1).toLowerCase(Locale.ROOT).split("\\s+"))
                .filter(t -> t.chars().anyMatch(Character::isLetterOrDigit)).toList());
      }
    }
    Map<String, Long> users = new LinkedHashMap<>();
    int n = 0;
    for (List<String> words : bySpeaker.values()) {
      if (n++ == 10) {
        break;
      }
      Map<String, Long> counts = new LinkedHashMap<>();
      words.forEach(w -> counts.merge(w.length() > 20 ? w.substring(0, 20) : w, 1L, Long::sum));
      List<Map.Entry<String, Long>> ranked = new ArrayList<>(counts.entrySet());
      ranked.sort(Map.Entry.<String, Long>comparingByValue().reversed());   // stable: ties by first appearance
      ranked.subList(0, Math.min(8, ranked.size())).forEach(e -> users.merge(e.getKey(), 1L, Long::sum));
    }
    List<Map.Entry<String, Long>> all = new ArrayList<>(users.entrySet());
    all.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
    Map<String, Long> out = new LinkedHashMap<>();
    all.subList(0, Math.min(top, all.size())).forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** A dict line as the tutorial prints it, read back ({'to': 8, "'tis": 3}). */
  static Map<String, Long> parse(String dict) {
    Map<String, Long> m = new LinkedHashMap<>();
    Matcher mt = Pattern.compile("(?:'([^']*)'|\"([^\"]*)\"): (\\d+)").matcher(dict);
    while (mt.find()) {
      m.put(mt.group(1) != null ? mt.group(1) : mt.group(2), Long.parseLong(mt.group(3)));
    }
    return m;
  }

  @Test
  void printsTheTop10WordsOfTheFirst10SpeakersAsCountedFromTheText() throws IOException {
    Path dir = data();
    Prerequisites.require(dir != null, "shared/data/shakespeare/" + PrivateHeavyHitters.FILE + " next to the"
        + " checkout", "the project's shared data (see shared/data/shakespeare/SOURCE.md)");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new PrivateHeavyHitters().run(new PrintStream(bytes, true, StandardCharsets.UTF_8), dir);
    List<String> lines = Arrays.stream(bytes.toString(StandardCharsets.UTF_8).split("\n"))
        .filter(l -> !l.startsWith("# ")).toList();
    String text = Files.readString(dir.resolve(PrivateHeavyHitters.FILE), StandardCharsets.UTF_8);
    Map<String, Long> expected = expected(text, 10);
    assertThat(lines.get(0)).isEqualTo("({str[?]*}@CLIENTS -> <clients=int32,heavy_hitters=str[?],"
        + "heavy_hitters_unique_counts=int64[?],heavy_hitters_counts=int64[?],num_not_decoded=int64,"
        + "round_timestamp=int64>@SERVER)");
    assertThat(lines.get(1)).isEqualTo("Number of clients participated: 10");
    assertThat(lines.get(2)).isEqualTo("Discovered heavy hitters and counts:");
    assertThat(parse(lines.get(3))).containsExactlyEntriesOf(expected);
    assertThat(lines.get(3)).isEqualTo(PrivateHeavyHitters.dict(expected.entrySet().stream()
        .map(e -> new dev.cohort.analytics.HeavyHittersResult.HeavyHitter(e.getKey(), e.getValue(), e.getValue()))
        .toList()));
    // τ = 1 + (8/20) ln(8 / 0.02) (tff.md §1.5: 0.4 and 3.3966).
    assertThat(lines.get(4)).isEqualTo("epsilon = 20, delta = 0.01, laplace scale = 0.4, threshold = "
        + dev.cohort.privacy.Numbers.format(1 + 0.4 * Math.log(8 / 0.02)));
    assertThat(lines.get(4)).contains("threshold = 3.3965");
    assertThat(lines.get(5)).isEqualTo("Discovered heavy hitters and counts with central DP:");
    // Released words come from the full histogram, with noisy counts near the exact ones and at least τ.
    Map<String, Long> full = expected(text, Integer.MAX_VALUE);
    Map<String, Long> released = parse(lines.get(6));
    assertThat(released).isNotEmpty();
    released.forEach((w, c) -> {
      assertThat(full).containsKey(w);
      assertThat(c).isBetween(3L, full.get(w) + 3);
    });
    assertThat(lines).hasSize(7);
  }

  @Test
  void aDataDirectoryWithoutTheTextIsAPreciseError() {
    assertThatThrownBy(() -> new PrivateHeavyHitters().run(new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8), tmp)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--data " + tmp + ": expected tinyshakespeare_input.txt in that directory; pass --data DIR with"
            + " tiny shakespeare's tinyshakespeare_input.txt");
  }

  @Test
  void pythonReprQuotesAsPythonDoes() {
    assertThat(PrivateHeavyHitters.pythonRepr("to")).isEqualTo("'to'");
    assertThat(PrivateHeavyHitters.pythonRepr("'tis")).isEqualTo("\"'tis\"");
    assertThat(PrivateHeavyHitters.pythonRepr("a'b\"c")).isEqualTo("'a\\'b\"c'");
    assertThat(PrivateHeavyHitters.pythonRepr("back\\slash")).isEqualTo("'back\\\\slash'");
  }
}
