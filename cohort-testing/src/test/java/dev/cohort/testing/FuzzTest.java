package dev.cohort.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FuzzTest {
  private static final byte[] VALID = "header:0005:hello".getBytes(StandardCharsets.US_ASCII);

  /** A toy format: "header:NNNN:" then exactly NNNN bytes. */
  private static void read(byte[] file) throws IOException {
    String s = new String(file, StandardCharsets.ISO_8859_1);
    if (!s.startsWith("header:") || s.length() < 12 || s.charAt(11) != ':') {
      throw new IOException("bad header");
    }
    int n;
    try {
      n = Integer.parseInt(s.substring(7, 11));
    } catch (NumberFormatException e) {
      throw new IOException("bad length " + s.substring(7, 11));
    }
    if (s.length() - 12 != n) {
      throw new IOException("expected " + n + " bytes, found " + (s.length() - 12));
    }
  }

  @Test
  void theSameSeedGivesTheSameMutations() {
    for (int i = 0; i < 200; i++) {
      StringBuilder a = new StringBuilder();
      StringBuilder b = new StringBuilder();
      SplittableRandom ra = new SplittableRandom(i);
      SplittableRandom rb = new SplittableRandom(i);
      assertThat(Fuzz.mutate(VALID, ra, a)).isEqualTo(Fuzz.mutate(VALID, rb, b));
      assertThat(a.toString()).isEqualTo(b.toString());
    }
  }

  @Test
  void aReaderThatRejectsWithItsDocumentedExceptionPassesAndTheCountsAddUp() {
    Fuzz.Report r = Fuzz.format("toy", List.of(VALID)).seed(3).mutations(500).rejects(IOException.class)
        .run(FuzzTest::read);
    assertThat(r.tried()).isEqualTo(500);
    assertThat(r.accepted() + r.rejected()).isEqualTo(500);
    assertThat(r.rejected()).isPositive();
  }

  @Test
  void anUndocumentedExceptionFailsNamingTheMutationAndTheSeed() {
    assertThatThrownBy(() -> Fuzz.format("toy", List.of(VALID)).seed(3).mutations(500).rejects(IOException.class)
        .run(file -> {
          read(file);
          if (file.length > 10) {
            throw new ArrayIndexOutOfBoundsException(17);
          }
        }))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("fuzz toy: mutation ")
        .hasMessageContaining("seed 3")
        .hasMessageContaining("undocumented exception");
  }

  @Test
  void aMessageWithoutTheRequiredPrefixFails() {
    Fuzz.Report named = Fuzz.format("toy", List.of(VALID)).seed(3).mutations(200).rejects(IOException.class)
        .messagesStartWith("toy.bin: ")
        .run(file -> {
          try {
            read(file);
          } catch (IOException e) {
            throw new IOException("toy.bin: " + e.getMessage(), e);
          }
        });
    assertThat(named.rejected()).isPositive();
    assertThatThrownBy(() -> Fuzz.format("toy", List.of(VALID)).seed(3).mutations(200).rejects(IOException.class)
        .messagesStartWith("toy.bin: ").run(FuzzTest::read))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("a message not starting with 'toy.bin: '");
  }

  @Test
  void theMinimumIsTriedEvenWhenTheBudgetIsSpent() {
    Fuzz.Report r = Fuzz.format("toy", List.of(VALID)).seed(4).mutations(1000).atLeast(300)
        .budget(Duration.ZERO).rejects(IOException.class).run(FuzzTest::read);
    assertThat(r.tried()).isEqualTo(300);
  }

  @Test
  void aHangFailsAfterThePerInputLimit() {
    assertThatThrownBy(() -> Fuzz.format("toy", List.of(VALID)).mutations(5).perInputLimit(Duration.ofMillis(50))
        .rejects(IOException.class)
        .run(file -> Thread.sleep(10_000)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("took longer than 50 ms");
  }
}
