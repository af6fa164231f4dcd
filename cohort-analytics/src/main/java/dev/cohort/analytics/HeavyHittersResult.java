package dev.cohort.analytics;

import dev.cohort.core.types.Placement;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server output of a {@link HeavyHitters} computation read into Java values.
 *
 * @param clients the number of clients that took part
 * @param heavyHitters the words found, in the computation's order
 * @param numNotDecoded the count the sketch could not decode (0 when every distinct word was recovered)
 * @param roundTimestamp the second (since the epoch, UTC) at which the server started the round
 */
public record HeavyHittersResult(int clients, List<HeavyHitter> heavyHitters, long numNotDecoded,
    long roundTimestamp) {
  /**
   * A word found.
   *
   * @param word the word (cut to {@code string_max_bytes}; a character cut in two is dropped)
   * @param uniqueCount the number of clients that sent it
   * @param count the number of times they sent it
   */
  public record HeavyHitter(String word, long uniqueCount, long count) {}

  /** Copies the list. */
  public HeavyHittersResult {
    heavyHitters = List.copyOf(heavyHitters);
  }

  /**
   * Reads what {@code computation.call(...)} returned: the {@code ServerOutput} struct at SERVER (or the struct).
   *
   * @throws IllegalArgumentException if it is not a heavy-hitters output
   */
  public static HeavyHittersResult of(Object serverOutput) {
    Object v = serverOutput instanceof FederatedValue f && f.placement() == Placement.SERVER ? f.value()
        : serverOutput;
    if (!(v instanceof Struct s) || !s.names().equals(HeavyHitters.SERVER_OUTPUT.names())) {
      throw new IllegalArgumentException("expected the output of a heavy-hitters computation, a struct "
          + HeavyHitters.SERVER_OUTPUT + " at SERVER, got " + serverOutput);
    }
    String[] words = ((Tensor) s.get(1)).stringData();
    long[] unique = ((Tensor) s.get(2)).longData();
    long[] counts = ((Tensor) s.get(3)).longData();
    List<HeavyHitter> found = new ArrayList<>(words.length);
    for (int i = 0; i < words.length; i++) {
      found.add(new HeavyHitter(words[i], unique[i], counts[i]));
    }
    return new HeavyHittersResult(((Tensor) s.get(0)).intValue(), found, ((Tensor) s.get(4)).longValue(),
        ((Tensor) s.get(5)).longValue());
  }

  /**
   * The words with their (unique count, count), in order, as TFF's tests print them:
   * {@code {hello=[5, 5], pumpkin=[3, 4]}}. Words that decode to the same text (two cut characters) keep the first.
   */
  public Map<String, List<Long>> asMap() {
    Map<String, List<Long>> m = new LinkedHashMap<>();
    for (HeavyHitter h : heavyHitters) {
      m.putIfAbsent(h.word(), List.of(h.uniqueCount(), h.count()));
    }
    return m;
  }
}
