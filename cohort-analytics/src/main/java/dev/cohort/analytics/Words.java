package dev.cohort.analytics;

import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.datasets.SpeakerText;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Words of text as the heavy-hitters examples count them (TFF's private heavy-hitters tutorial): the
 * whitespace-separated tokens, case-folded ({@link String#toLowerCase(Locale)} with {@link Locale#ROOT}), without the
 * tokens made only of punctuation. A code point is punctuation if its Unicode category is one of the P categories
 * (connector, dash, open, close, initial, final, other) or it is an ASCII character of POSIX {@code [:punct:]}
 * (which adds {@code $ + < = > ^ ` | ~}). So {@code "Speak, speak."} gives {@code speak,} and {@code speak.}, and
 * {@code "--"} gives nothing.
 *
 * <pre>{@code
 * ClientData speakers = SpeakerText.load(Path.of("tinyshakespeare_input.txt"));
 * List<String> words = Words.ofClient(speakers, "ROMEO");     // every word of ROMEO's turns, in order
 * List<String[]> dataset = Words.batches(words, 5);           // a client's dataset for HeavyHitters
 * }</pre>
 */
public final class Words {
  private Words() {}

  /** The words of {@code text}, in order. */
  public static List<String> of(String text) {
    List<String> words = new ArrayList<>();
    addWords(text, words);
    return words;
  }

  /**
   * The words of every turn of {@code client} in {@code speakers} (a {@link SpeakerText} data set, elements
   * {@code <snippets=str>}), in order.
   *
   * @throws IllegalArgumentException if the client is not in the data set or its elements are not speaker text
   */
  public static List<String> ofClient(ClientData speakers, String client) {
    if (!speakers.elementType().equals(SpeakerText.ELEMENT_TYPE)) {
      throw new IllegalArgumentException("expected speaker text, elements " + SpeakerText.ELEMENT_TYPE + ", got "
          + speakers.elementType());
    }
    List<String> words = new ArrayList<>();
    for (Object turn : speakers.dataset(client)) {
      addWords(((Tensor) ((Struct) turn).get("snippets")).stringValue(), words);
    }
    return words;
  }

  /**
   * {@code words} in batches of {@code batchSize} (the last may be shorter), a client's dataset of type
   * {@code str[?]*} for {@link HeavyHitters}.
   *
   * @throws IllegalArgumentException if {@code batchSize} is below 1
   */
  public static List<String[]> batches(List<String> words, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch_size must be at least 1, got " + batchSize);
    }
    List<String[]> out = new ArrayList<>((words.size() + batchSize - 1) / batchSize);
    for (int i = 0; i < words.size(); i += batchSize) {
      out.add(words.subList(i, Math.min(words.size(), i + batchSize)).toArray(new String[0]));
    }
    return out;
  }

  /** Whether {@code codePoint} is punctuation as this class defines it. */
  public static boolean isPunctuation(int codePoint) {
    if (codePoint < 0x80) {
      return codePoint > 0x20 && codePoint < 0x7f && !Character.isLetterOrDigit(codePoint);
    }
    return switch (Character.getType(codePoint)) {
      case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
          Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION -> true;
      default -> false;
    };
  }

  private static void addWords(String text, List<String> words) {
    int n = text.length();
    int i = 0;
    while (i < n) {
      while (i < n && isSpace(text.codePointAt(i))) {
        i += Character.charCount(text.codePointAt(i));
      }
      int start = i;
      boolean allPunctuation = true;
      while (i < n && !isSpace(text.codePointAt(i))) {
        int cp = text.codePointAt(i);
        allPunctuation &= isPunctuation(cp);
        i += Character.charCount(cp);
      }
      if (i > start && !allPunctuation) {
        words.add(text.substring(start, i).toLowerCase(Locale.ROOT));
      }
    }
  }

  /** Unicode white space (TF Text's WhitespaceTokenizer splits on ICU's white space). */
  private static boolean isSpace(int codePoint) {
    return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint);
  }
}
