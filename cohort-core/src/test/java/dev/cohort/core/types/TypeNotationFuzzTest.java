package dev.cohort.core.types;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.testing.Fuzz;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzing of TFF's type notation: {@link Type#parse} either rejects a mutated string with its
 * documented {@link IllegalArgumentException}, or the type it returns prints, in both notations, to strings that
 * parse back to an equal type.
 */
class TypeNotationFuzzTest {
  /** Valid notations: TFF's tutorial types and random types, each compact and formatted. */
  private static List<byte[]> validNotations() {
    List<String> notations = new ArrayList<>(List.of(
        "({float32}@CLIENTS -> float32@SERVER)",
        "(<model=<weights=float32[784,10],bias=float32[10]>@SERVER,data={<x=float32[?,784],y=int32[?]>*}@CLIENTS>"
            + " -> float32@SERVER)",
        "<a=int32,b=<'float32'(shape=None),str[2,?]>,bool*>",
        "(<T,placement> -> {T}@SERVER)",
        "( -> <>)"));
    SplittableRandom random = new SplittableRandom(20260425);
    for (int i = 0; i < 30; i++) {
      Type t = RandomTypes.any(random);
      notations.add(t.toString());
      notations.add(t.formatted());
    }
    List<byte[]> out = new ArrayList<>();
    for (String s : notations) {
      out.add(s.getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void mutatedNotationIsRejectedWithItsDocumentedExceptionOrRoundTrips() {
    Fuzz.Report report = Fuzz.format("type-notation", validNotations())
        .seed(8).mutations(5000).atLeast(1000).budget(Duration.ofSeconds(4))
        .rejects(IllegalArgumentException.class)
        .run(bytes -> {
          Type t = Type.parse(new String(bytes, StandardCharsets.UTF_8));
          roundTrips(t, t.toString());
          roundTrips(t, t.formatted());
        });
    assertThat(report.tried()).isGreaterThanOrEqualTo(1000);
    assertThat(report.accepted()).isPositive();
    assertThat(report.rejected()).isPositive();
  }

  /** Fails (an {@link AssertionError}, which the fuzzer reports with the input) unless {@code printed} reads back. */
  private static void roundTrips(Type t, String printed) {
    Type back;
    try {
      back = Type.parse(printed);
    } catch (IllegalArgumentException e) {
      throw new AssertionError("accepted type " + t + " prints '" + printed + "', which does not parse back", e);
    }
    if (!back.equals(t) || !back.toString().equals(t.toString())) {
      throw new AssertionError("accepted type " + t + " prints '" + printed + "', which parses back to " + back);
    }
  }
}
