package dev.cohort.cli;

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
import org.junit.jupiter.api.io.TempDir;

/** {@code cohort analytics heavy-hitters} in process: output, flags and exit codes. */
class HeavyHittersCommandTest {
  private static final String NL = System.lineSeparator();
  private static final String PLAY = "Anne:\nThe king, the KING -- he comes.\n\nBob:\nThe king? No.\nThe queen.\n\n"
      + "Anne:\nNo, the queen.\n\nCara:\nThe end.\n";

  @TempDir
  Path dir;

  private Path play() throws IOException {
    Path p = dir.resolve("play.txt");
    Files.writeString(p, PLAY);
    return p;
  }

  private static String lines(String... lines) {
    return String.join(NL, lines) + NL;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> json(CliRun r) {
    assertThat(r.out().strip()).doesNotContain("\n");
    return (Map<String, Object>) new PrivacyCommandTest.JsonParser(r.out().strip()).parse();
  }

  @Test
  void eachDistinctWordOfAClientCountsOnce() throws IOException {
    // Anne: the king, the king -- he comes. / no, the queen.  Bob: the king? no. the queen.  Cara: the end.
    CliRun r = CliRun.of("analytics", "heavy-hitters", "--text", play().toString(), "--capacity", "50");
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo(lines(
        "clients            3",
        "num not decoded    0",
        "word         count     clients",
        "the              3           3",
        "queen.           2           2",
        "comes.           1           1",
        "end.             1           1",
        "he               1           1",
        "king             1           1",
        "king,            1           1",
        "king?            1           1",
        "no,              1           1",
        "no.              1           1"));
  }

  @Test
  void jsonHasTheServerOutputsAndMultiContributionCountsEveryWord() throws IOException {
    CliRun r = CliRun.of("analytics", "heavy-hitters", "--text", play().toString(), "--capacity", "50",
        "--multi-contribution", "--max-heavy-hitters", "2", "--json");
    assertThat(r.code()).isZero();
    assertThat(json(r)).containsEntry("command", "heavy-hitters").containsEntry("clients", 3.0)
        .containsEntry("heavy_hitters", List.of("the", "queen."))
        .containsEntry("heavy_hitters_counts", List.of(6.0, 2.0))
        .containsEntry("heavy_hitters_unique_counts", List.of(3.0, 2.0)).containsEntry("num_not_decoded", 0.0);
  }

  @Test
  void aCapKeepsAClientsMostFrequentWordsWithTiesByFirstAppearance() throws IOException {
    // Anne's words by count: the 3, then king, king, -- he comes. no, queen. once each (first: "king,").
    CliRun r = CliRun.of("analytics", "heavy-hitters", "--text", play().toString(), "--capacity", "50",
        "--max-words-per-client", "2", "--json");
    assertThat(r.code()).isZero();
    Map<String, Object> j = json(r);
    assertThat(j.get("heavy_hitters")).isEqualTo(List.of("the", "end.", "king,", "king?"));
    assertThat(j.get("heavy_hitters_unique_counts")).isEqualTo(List.of(3.0, 1.0, 1.0, 1.0));
    // With multiple contributions a client keeps the same W words and sends every occurrence of them: Anne "the"
    // x3 and "king,", Bob "the" x2 and "king?", Cara "the" and "end.": "the" counts 6.
    CliRun multi = CliRun.of("analytics", "heavy-hitters", "--text", play().toString(), "--capacity", "50",
        "--max-words-per-client", "2", "--multi-contribution", "--json");
    assertThat(json(multi).get("heavy_hitters")).isEqualTo(List.of("the", "end.", "king,", "king?"));
    assertThat(json(multi).get("heavy_hitters_counts")).isEqualTo(List.of(6.0, 1.0, 1.0, 1.0));
    assertThat(json(multi).get("heavy_hitters_unique_counts")).isEqualTo(List.of(3.0, 1.0, 1.0, 1.0));
  }

  @Test
  void theShakespeareTaskCountsWhatTheTextHolds() throws IOException {
    Path dataDir = null;
    for (Path p : new Path[] {Path.of("..", "shared", "data", "shakespeare"),
        Path.of("..", "..", "shared", "data", "shakespeare")}) {
      if (Files.isRegularFile(p.resolve(HeavyHittersCommand.SHAKESPEARE_FILE))) {
        dataDir = p;
      }
    }
    Prerequisites.require(dataDir != null, "shared/data/shakespeare/" + HeavyHittersCommand.SHAKESPEARE_FILE
        + " next to the checkout", "the project's shared data (see shared/data/shakespeare/SOURCE.md)");
    String text = Files.readString(dataDir.resolve(HeavyHittersCommand.SHAKESPEARE_FILE), StandardCharsets.UTF_8);
    // Independently: SOURCE.md's turn rule, words split on white space, lower-cased, kept if they hold a letter or
    // digit (the file's only other characters are ASCII punctuation); unique counts = speakers using a word.
    Map<String, LinkedHashSet<String>> bySpeaker = new LinkedHashMap<>();
    for (String block : text.strip().split("\n{2,}")) {
      int nl = block.indexOf('\n');
      if (nl < 0) {
        continue;
      }
      LinkedHashSet<String> words = bySpeaker.computeIfAbsent(block.substring(0, nl - 1),
          k -> new LinkedHashSet<>());
      Arrays.stream(block.substring(nl + 1).toLowerCase(Locale.ROOT).split("\\s+"))
          .filter(t -> t.chars().anyMatch(Character::isLetterOrDigit))
          .map(t -> t.length() > 10 ? t.substring(0, 10) : t).forEach(words::add);
    }
    Map<String, Long> users = new LinkedHashMap<>();
    bySpeaker.values().forEach(ws -> ws.forEach(w -> users.merge(w, 1L, Long::sum)));
    List<Map.Entry<String, Long>> top = new ArrayList<>(users.entrySet());
    top.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));

    CliRun r = CliRun.of("analytics", "heavy-hitters", "--task", "shakespeare", "--data", dataDir.toString(),
        "--capacity", Integer.toString(2 * users.size()), "--max-heavy-hitters", "20", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    Map<String, Object> j = json(r);
    assertThat(j).containsEntry("clients", (double) bySpeaker.size()).containsEntry("num_not_decoded", 0.0);
    assertThat(j.get("heavy_hitters")).isEqualTo(top.subList(0, 20).stream().map(Map.Entry::getKey).toList());
    assertThat(j.get("heavy_hitters_unique_counts"))
        .isEqualTo(top.subList(0, 20).stream().map(e -> (double) e.getValue()).toList());

    // A sketch too small for the vocabulary says so: exit 0, the undecoded count, a warning.
    CliRun small = CliRun.of("analytics", "heavy-hitters", "--task", "shakespeare", "--data",
        dataDir.resolve(HeavyHittersCommand.SHAKESPEARE_FILE).toString(), "--capacity", "100", "--json");
    assertThat(small.code()).isZero();
    assertThat((Double) json(small).get("num_not_decoded")).isPositive();
    assertThat(small.err()).contains("cohort analytics heavy-hitters: warning: the sketch could not decode ")
        .contains("raise --capacity");
  }

  @Test
  void centralDpReleasesNoisyCountsAboveTheThreshold() throws IOException {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      many.append("S").append(i).append(":\nCommon words").append(i < 10 ? " rare" : "").append(" s").append(i)
          .append("\n\n");
    }
    Path p = dir.resolve("many.txt");
    Files.writeString(p, many.toString());
    CliRun r = CliRun.of("analytics", "heavy-hitters", "--text", p.toString(), "--capacity", "200",
        "--max-words-per-client", "3", "--epsilon", "20", "--delta", "0.01", "--seed", "7", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    Map<String, Object> j = json(r);
    // L0 = 3: scale 3/20 = 0.15, threshold 1 + 0.15 ln(3 / 0.02); a word of one client stays below it w.p. >= 1 - δ.
    assertThat((Double) j.get("laplace_scale")).isEqualTo(0.15);
    assertThat((Double) j.get("threshold")).isEqualTo(1 + 0.15 * Math.log(3 / 0.02));
    // Each client sends "common", "words" and "rare" or its own word: 40, 40 and 10 clients, and 30 words of one.
    @SuppressWarnings("unchecked")
    List<Object> words = (List<Object>) j.get("heavy_hitters");
    List<?> counts = (List<?>) j.get("heavy_hitters_counts");
    assertThat(words.subList(0, 3)).containsExactlyInAnyOrder("common", "words", "rare");
    assertThat(words.get(2)).isEqualTo("rare");
    assertThat((Double) counts.get(0)).isBetween(38.0, 41.0);
    assertThat((Double) counts.get(1)).isBetween(38.0, 41.0);
    assertThat((Double) counts.get(2)).isBetween(8.0, 11.0);
    for (int i = 3; i < words.size(); i++) {   // a single client's word passes with probability below δ / L0
      assertThat((String) words.get(i)).matches("s[1-3][0-9]");
      assertThat((Double) counts.get(i)).isBetween(1.0, 2.0);
    }
    assertThat(words.size()).isLessThan(3 + 5);
    assertThat(j.get("heavy_hitters_counts")).isEqualTo(j.get("heavy_hitters_unique_counts"));
    CliRun text = CliRun.of("analytics", "heavy-hitters", "--text", p.toString(), "--capacity", "200",
        "--max-words-per-client", "3", "--epsilon", "20", "--delta", "0.01", "--seed", "7", "--max-heavy-hitters",
        "1");
    assertThat(text.out()).contains("privacy            (20, 0.01)-DP, Laplace scale 0.15, threshold ")
        .containsPattern(NL + "(common|words) ").doesNotContain("rare");
  }

  @Test
  void badFlagsAreUsageErrorsNamingTheFlag() throws IOException {
    String f = play().toString();
    String[][] cases = {
        {"--capacity", "0"},
        {"--string-max-bytes", "0"},
        {"--k-anonymity", "0"},
        {"--max-words-per-client", "0"},
        {"--max-heavy-hitters", "0"},
        {"--epsilon", "1"},
        {"--delta", "0.1"},
        {"--epsilon", "1", "--delta", "0.1"},
        {"--epsilon", "1", "--delta", "0.1", "--max-words-per-client", "2", "--multi-contribution"},
        {"--epsilon", "1", "--delta", "0.1", "--max-words-per-client", "2", "--k-anonymity", "2"},
        {"--epsilon", "-1", "--delta", "0.1", "--max-words-per-client", "2"},
        {"--epsilon", "1", "--delta", "1", "--max-words-per-client", "2"},
        {"--data", f},
        {"--task", "shakespeare"},
    };
    String[] messages = {
        "--capacity (0): capacity must be at least 1, got 0",
        "--string-max-bytes (0): string_max_bytes must be at least 1, got 0",
        "--k-anonymity (0): k_anonymity must be at least 1, got 0",
        "--max-words-per-client (0): max_words_per_user must be at least 1 when set, got 0",
        "--max-heavy-hitters (0): max_heavy_hitters must be at least 1 when set, got 0",
        "--epsilon (1) needs --delta",
        "--delta (0.1) needs --epsilon",
        "--epsilon needs --max-words-per-client W",
        "--multi-contribution (true) must not be given with --epsilon",
        "--k-anonymity (2) must not be given with --epsilon",
        "--epsilon: epsilon must be positive and finite, got -1.0",
        "--delta: delta must be in (0, 1), got 1.0",
        "--data (" + f + ") must not be given with --text",
        "--text (" + f + ") and --task (shakespeare) must not be given together",
    };
    for (int i = 0; i < cases.length; i++) {
      List<String> argv = new ArrayList<>(List.of("analytics", "heavy-hitters", "--text", f));
      argv.addAll(List.of(cases[i]));
      CliRun r = CliRun.of(argv.toArray(new String[0]));
      assertThat(r.code()).as(argv.toString()).isEqualTo(2);
      assertThat(r.out()).isEmpty();
      assertThat(r.err()).as(argv.toString()).startsWith("cohort analytics heavy-hitters: error: " + messages[i]);
    }
    CliRun none = CliRun.of("analytics", "heavy-hitters");
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err()).isEqualTo("cohort analytics heavy-hitters: error: give --text FILE or --task shakespeare"
        + " --data PATH" + NL);
    CliRun task = CliRun.of("analytics", "heavy-hitters", "--task", "tiny");
    assertThat(task.err()).startsWith("cohort analytics heavy-hitters: error: --task (tiny) must be one of"
        + " shakespeare");
    CliRun noData = CliRun.of("analytics", "heavy-hitters", "--task", "shakespeare");
    assertThat(noData.code()).isEqualTo(2);
    assertThat(noData.err()).contains("--task shakespeare needs --data PATH");
  }

  @Test
  void aFileNotInTheSpeakerFormatOrMissingExitsWithOne() throws IOException {
    Path prose = dir.resolve("prose.txt");
    Files.writeString(prose, "It was a dark and stormy night.\nThe rain fell.\n");
    CliRun r = CliRun.of("analytics", "heavy-hitters", "--text", prose.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("cohort analytics heavy-hitters: error: " + prose + ": line 1: a turn must start"
        + " with a 'NAME:' line, found 'It was a dark and stormy night.' (expected a play in the speaker format:"
        + " a 'NAME:' line, then the turn, a blank line between turns)" + NL);
    Path binary = dir.resolve("binary.txt");
    Files.write(binary, new byte[] {'A', ':', '\n', (byte) 0xff, (byte) 0xfe, '\n'});
    CliRun bad = CliRun.of("analytics", "heavy-hitters", "--text", binary.toString());
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).startsWith("cohort analytics heavy-hitters: error: " + binary + ": line 2: client 'A':"
        + " the text is not valid UTF-8");
    CliRun missing = CliRun.of("analytics", "heavy-hitters", "--text", dir.resolve("absent.txt").toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).startsWith("cohort analytics heavy-hitters: error: cannot read the text file ");
    Path empty = dir.resolve("empty.txt");
    Files.writeString(empty, "");
    CliRun nothing = CliRun.of("analytics", "heavy-hitters", "--text", empty.toString(), "--json");
    assertThat(nothing.code()).isZero();
    assertThat(json(nothing)).containsEntry("clients", 0.0).containsEntry("heavy_hitters", List.of());
  }
}
