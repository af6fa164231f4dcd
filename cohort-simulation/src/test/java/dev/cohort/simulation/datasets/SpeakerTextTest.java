package dev.cohort.simulation.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.tensor.Tensor;
import dev.cohort.testing.Fuzz;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpeakerTextTest {
  static final String PLAY = "First Citizen:\nBefore we proceed,\nhear me speak.\n\nAll:\nSpeak, speak.\n\n\n"
      + "Lost:\n\nFirst Citizen:\nYou are all resolved?\n";

  @TempDir
  Path dir;

  static List<String> snippets(ClientData cd, String speaker) {
    List<String> out = new ArrayList<>();
    for (Object e : cd.dataset(speaker)) {
      out.add(((Tensor) ((Struct) e).get("snippets")).stringValue());
    }
    return out;
  }

  @Test
  void tinyShakespeareHasTheSpeakersAndTurnsItsSourceStates() {
    ClientData cd = SpeakerText.load(SharedData.require("shakespeare").resolve("tinyshakespeare_input.txt"));
    assertThat(cd.size()).isEqualTo(299);
    assertThat(cd.elementType()).hasToString("<snippets=str>");
    long turns = 0;
    long characters = 0;
    int atLeastTwo = 0;
    for (String speaker : cd.clientIds()) {
      List<String> s = snippets(cd, speaker);
      turns += s.size();
      atLeastTwo += s.size() >= 2 ? 1 : 0;
      characters += s.stream().mapToLong(String::length).sum();
    }
    assertThat(turns).isEqualTo(7097);
    assertThat(characters).isEqualTo(1_020_755);
    assertThat(atLeastTwo).isEqualTo(247);
    assertThat(cd.dataset("GLOUCESTER").count()).isEqualTo(211);
    assertThat(cd.dataset("ROMEO").count()).isEqualTo(160);
    assertThat(cd.dataset("JULIET").count()).isEqualTo(124);
    assertThat(cd.dataset("First Citizen").count()).isEqualTo(43);
    assertThat(snippets(cd, "First Citizen").get(0)).isEqualTo("Before we proceed any further, hear me speak.");
  }

  @Test
  void turnsAreSplitOnBlankLinesAndEmptyTurnsAreSkipped() throws IOException {
    Path p = dir.resolve("play.txt");
    Files.writeString(p, PLAY);
    ClientData cd = SpeakerText.load(p);
    assertThat(cd.clientIds()).containsExactly("All", "First Citizen");
    assertThat(snippets(cd, "First Citizen")).containsExactly("Before we proceed,\nhear me speak.",
        "You are all resolved?");
    assertThat(snippets(cd, "All")).containsExactly("Speak, speak.");
    Files.writeString(p, PLAY.replace("\n\n\nLost:", "\n\n\nLost\n"));
    assertThatThrownBy(() -> SpeakerText.load(p)).isInstanceOf(DatasetFormatException.class)
        .hasMessage(p + ": line 9: a turn must start with a 'NAME:' line, found 'Lost'");
  }

  @Test
  void speechThatIsNotUtf8IsAnErrorNamingTheLineAndSpeaker() throws IOException {
    Path p = dir.resolve("bad.txt");
    byte[] bytes = PLAY.getBytes(StandardCharsets.UTF_8);
    bytes[PLAY.indexOf("Speak,")] = (byte) 0xff;
    Files.write(p, bytes);
    ClientData cd = SpeakerText.load(p);
    assertThatThrownBy(() -> cd.dataset("All").toList()).isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(p + ": line 6: client 'All': the text is not valid UTF-8");
  }

  @Test
  void mutatedTextIsReadOrRejected() {
    Fuzz.Report r = Fuzz.format("speaker-text", List.of(PLAY.getBytes(StandardCharsets.UTF_8)))
        .seed(20260504).mutations(800).budget(Duration.ofSeconds(120))
        .rejects(DatasetFormatException.class)
        .run(bytes -> {
          Path p = dir.resolve("fuzz.txt");
          Files.write(p, bytes);
          ClientData cd = SpeakerText.load(p);
          for (String id : cd.clientIds()) {
            cd.dataset(id).batch(2).toList();
          }
        });
    assertThat(r.tried()).isEqualTo(800); // all of them: the budget only guards against a hang
    assertThat(r.accepted()).isPositive();
    assertThat(r.rejected()).isPositive();
  }
}
