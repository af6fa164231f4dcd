package dev.cohort.analytics.iblt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class Utf8Test {
  @Test
  void encodingIsStrictAboutSurrogates() {
    assertThat(Utf8.encode("😇")).containsExactly(0xF0 - 256, 0x9F - 256, 0x98 - 256, 0x87 - 256);
    assertThatThrownBy(() -> Utf8.encode("\uDE07x"))
        .hasMessage("string \"\\uDE07x\" is not valid Unicode: unpaired surrogate \\uDE07 at char index 0 has no"
            + " UTF-8 encoding");
    assertThatThrownBy(() -> Utf8.encode("a\"\uD83D"))
        .hasMessage("string \"a\\u0022\\uD83D\" is not valid Unicode: unpaired surrogate \\uD83D at char index 2"
            + " has no UTF-8 encoding");
  }

  @Test
  void truncationCutsBytesAndDecodingDropsCutCharacters() {
    byte[] newYear = "新年快乐".getBytes(UTF_8);
    assertThat(Utf8.truncate(newYear, 20)).isSameAs(newYear);
    assertThat(Utf8.decode(Utf8.truncate(newYear, 7))).isEqualTo("新年");
    assertThat(Utf8.decode(Utf8.truncate(newYear, 2))).isEmpty();
    assertThat(Utf8.decode(Utf8.truncate("ab".getBytes(UTF_8), 1))).isEqualTo("a");
  }
}
