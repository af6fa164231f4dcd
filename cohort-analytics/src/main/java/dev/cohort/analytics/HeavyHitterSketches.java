package dev.cohort.analytics;

import dev.cohort.analytics.iblt.Iblt;
import dev.cohort.analytics.iblt.IbltParameters;
import dev.cohort.analytics.iblt.Utf8;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The local (per-client and server) work of {@link HeavyHitters}: a client's capped word histogram encoded as an IBLT
 * whose count column holds 1 per distinct word and whose value holds the word's count (TFF's
 * {@code compute_sketch}), and the server's decoding with k-anonymity and top-k (TFF's
 * {@code decode_heavy_hitters}).
 */
final class HeavyHitterSketches {
  private final HeavyHitters.Settings settings;
  private final IbltParameters parameters;
  private final Iblt.Encoder encoder;

  HeavyHitterSketches(HeavyHitters.Settings settings) {
    this.settings = settings;
    this.parameters = settings.iblt();
    this.encoder = Iblt.encoder(parameters, 1);
  }

  /**
   * The client's sketch as sparse contributions ({@link Iblt.Encoder}): for each distinct (truncated) word, count
   * column 1 and value its count, in each of its cells. Summed into a table they give {@link #encode}'s sketch.
   */
  Tensor contributions(Sequence dataset) {
    Map<ByteBuffer, Long> histogram = histogram(dataset);
    List<byte[]> keys = new ArrayList<>(histogram.size());
    long[] ones = new long[histogram.size()];
    long[] counts = new long[histogram.size()];
    int i = 0;
    for (Map.Entry<ByteBuffer, Long> e : histogram.entrySet()) {
      keys.add(e.getKey().array());
      ones[i] = 1;
      counts[i++] = e.getValue();
    }
    long[] packed = encoder.encode(keys, ones, counts);
    return Tensor.wrap(packed, Shape.of(packed.length));
  }

  /** The fold's starting point: {@code <sketch=int64[0],values=int64[0]>}, read as the empty table. */
  static Struct emptyAccumulator() {
    return Struct.of(List.of("sketch", "values"), List.of(Tensor.ofLongs(new long[0], 0), Tensor.ofLongs(new long[0], 0)));
  }

  /**
   * {@code accumulator} with a client's contributions added. The zero accumulator (empty tensors) is replaced by a
   * new table; a table is updated in place and returned, since the fold that calls this owns it and passes each
   * accumulator on exactly once. This keeps a client's cost at {@code O(words)} instead of {@code O(table)}.
   */
  Struct accumulate(Struct accumulator, Tensor contributions) {
    Struct acc = ((Tensor) accumulator.get(0)).size() == 0 ? newTable() : accumulator;
    encoder.addInto(contributions.longData(), ((Tensor) acc.get(0)).longData(), ((Tensor) acc.get(1)).longData());
    return acc;
  }

  /** The sum of two accumulators, in a new table (or the other one if one is empty). */
  Struct merge(Struct a, Struct b) {
    if (((Tensor) a.get(0)).size() == 0) {
      return b;
    }
    if (((Tensor) b.get(0)).size() == 0) {
      return a;
    }
    Struct sum = newTable();
    long[] cells = ((Tensor) sum.get(0)).longData();
    long[] values = ((Tensor) sum.get(1)).longData();
    for (Struct s : List.of(a, b)) {
      long[] c = ((Tensor) s.get(0)).longData();
      long[] v = ((Tensor) s.get(1)).longData();
      for (int i = 0; i < cells.length; i++) {
        cells[i] = (cells[i] + c[i]) % IbltParameters.FIELD_SIZE;
      }
      for (int i = 0; i < values.length; i++) {
        values[i] += v[i];
      }
    }
    return sum;
  }

  /** {@link #decode} of an accumulator (the empty one reads as the empty table). */
  Struct decodeAccumulated(Struct accumulator) {
    Struct acc = ((Tensor) accumulator.get(0)).size() == 0 ? newTable() : accumulator;
    int r = parameters.repetitions();
    int s = parameters.tableSize();
    return decode(Tensor.wrap(((Tensor) acc.get(0)).longData(), Shape.of(r, s, parameters.cellWidth())),
        Tensor.wrap(((Tensor) acc.get(1)).longData(), Shape.of(r, s, 1)));
  }

  private Struct newTable() {
    int cells = parameters.repetitions() * parameters.tableSize();
    return Struct.of(List.of("sketch", "values"), List.of(
        Tensor.wrap(new long[cells * parameters.cellWidth()], Shape.of(cells * parameters.cellWidth())),
        Tensor.wrap(new long[cells], Shape.of(cells))));
  }

  /** The client's sketch: for each distinct (truncated) word, count column 1 and value its count. */
  Iblt encode(Sequence dataset) {
    Iblt sketch = Iblt.create(parameters, 1);
    for (Map.Entry<ByteBuffer, Long> e : histogram(dataset).entrySet()) {
      sketch.insert(e.getKey().array(), 1, e.getValue());
    }
    return sketch;
  }

  /**
   * The words a client contributes, in order of first appearance, with their counts, as TFF's
   * {@code data_processing} computes them: each word cut to {@code string_max_bytes} bytes; with
   * {@code max_words_per_user} and multiple contributions, only the first {@code max_words_per_user / batch_size}
   * batches ({@code get_capped_elements_with_counts}); without multiple contributions, the
   * {@code max_words_per_user} most frequent words (ties: the first seen), each with count 1
   * ({@code get_top_elements_with_counts}). NUL bytes are removed after the cut (the sketch stores keys without
   * them, so that a word with and without NULs is one word).
   */
  Map<ByteBuffer, Long> histogram(Sequence dataset) {
    Integer maxWords = settings.maxWordsPerUser();
    boolean multi = settings.multiContribution();
    long batchesToRead = maxWords != null && multi ? maxWords / settings.batchSize() : Long.MAX_VALUE;
    Map<ByteBuffer, Long> counts = new LinkedHashMap<>();
    long batch = 0;
    for (Object element : dataset) {
      if (batch >= batchesToRead) {
        break;
      }
      String[] words = ((Tensor) element).stringData();
      for (int i = 0; i < words.length; i++) {
        byte[] utf8;
        try {
          utf8 = Utf8.encode(words[i]);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("word " + i + " of batch " + batch + ": " + e.getMessage(), e);
        }
        counts.merge(ByteBuffer.wrap(withoutNuls(Utf8.truncate(utf8, settings.stringMaxBytes()))), 1L, Long::sum);
      }
      batch++;
    }
    if (multi) {
      return counts;
    }
    List<Map.Entry<ByteBuffer, Long>> ranked = new ArrayList<>(counts.entrySet());
    if (maxWords != null && ranked.size() > maxWords) {
      ranked.sort(Map.Entry.<ByteBuffer, Long>comparingByValue().reversed());
      ranked = ranked.subList(0, maxWords);
    }
    Map<ByteBuffer, Long> ones = new LinkedHashMap<>();
    for (Map.Entry<ByteBuffer, Long> e : ranked) {
      ones.put(e.getKey(), 1L);
    }
    return ones;
  }

  private static byte[] withoutNuls(byte[] bytes) {
    int n = 0;
    byte[] out = new byte[bytes.length];
    for (byte b : bytes) {
      if (b != 0) {
        out[n++] = b;
      }
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  /**
   * The server's result from the summed sketch and values: the decoded words whose unique count (the count column,
   * one per client) is at least {@code k_anonymity}, ordered by count, then unique count, descending, then by their
   * bytes; the first {@code max_heavy_hitters} of them if set; and the number not decoded.
   */
  Struct decode(Tensor sketch, Tensor values) {
    Iblt.Decoded decoded = Iblt.fromTensors(parameters, sketch, values).decode();
    List<Iblt.Entry> kept = new ArrayList<>();
    for (Iblt.Entry e : decoded.entries()) {
      if (e.count() >= settings.kAnonymity()) {
        kept.add(e);
      }
    }
    kept.sort(Comparator.comparingLong((Iblt.Entry e) -> e.values()[0]).reversed()
        .thenComparing(Comparator.comparingLong(Iblt.Entry::count).reversed())
        .thenComparing(Iblt.Entry::keyBytes, Arrays::compareUnsigned));
    Integer max = settings.maxHeavyHitters();
    if (max != null && kept.size() > max) {
      kept = kept.subList(0, max);
    }
    int n = kept.size();
    String[] words = new String[n];
    long[] uniqueCounts = new long[n];
    long[] counts = new long[n];
    for (int i = 0; i < n; i++) {
      Iblt.Entry e = kept.get(i);
      words[i] = e.key();
      uniqueCounts[i] = e.count();
      counts[i] = e.values()[0];
    }
    return Struct.of(List.of("heavy_hitters", "heavy_hitters_unique_counts", "heavy_hitters_counts",
        "num_not_decoded"), List.of(Tensor.ofStrings(words, n), Tensor.ofLongs(uniqueCounts, n),
        Tensor.ofLongs(counts, n), Tensor.scalar(decoded.numNotDecoded())));
  }
}
