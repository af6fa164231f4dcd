package dev.cohort.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.datasets.SpeakerText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordsTest {
  @TempDir
  Path dir;

  @Test
  void tokensAreWhitespaceSeparatedCaseFoldedAndNotOnlyPunctuation() {
    assertThat(Words.of("Speak, speak.\n  -- What?\tO'ER  'tis ... $ & 3 Ünd «»  !x"))
        .containsExactly("speak,", "speak.", "what?", "o'er", "'tis", "3", "ünd", "!x");
    assertThat(Words.of("")).isEmpty();
    assertThat(Words.of(" \n\t ")).isEmpty();
    assertThat(Words.of("a\u00a0b\u2003c")).containsExactly("a", "b", "c");
  }

  @Test
  void punctuationIsUnicodePunctuationOrAsciiPunct() {
    for (char c : "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".toCharArray()) {
      assertThat(Words.isPunctuation(c)).as("%s", c).isTrue();
    }
    assertThat(Words.isPunctuation('«')).isTrue();
    assertThat(Words.isPunctuation('—')).isTrue();
    assertThat(Words.isPunctuation('a')).isFalse();
    assertThat(Words.isPunctuation('7')).isFalse();
    assertThat(Words.isPunctuation('€')).isFalse();
  }

  @Test
  void aClientsWordsAreThoseOfItsTurnsInOrder() throws IOException {
    Path p = dir.resolve("play.txt");
    Files.writeString(p, "B:\nHere, sir.\n\nA:\nGo -- go!\n\nB:\nGone.\n");
    ClientData cd = SpeakerText.load(p);
    assertThat(Words.ofClient(cd, "B")).containsExactly("here,", "sir.", "gone.");
    assertThat(Words.ofClient(cd, "A")).containsExactly("go", "go!");
    assertThat(Words.batches(List.of("a", "b", "c"), 2)).containsExactly(new String[] {"a", "b"},
        new String[] {"c"});
    assertThat(Words.batches(List.of(), 2)).isEmpty();
    assertThatThrownBy(() -> Words.batches(List.of("a"), 0)).hasMessage("batch_size must be at least 1, got 0");
  }
}
