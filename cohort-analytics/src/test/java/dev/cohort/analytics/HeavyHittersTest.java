package dev.cohort.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.Computation;
import dev.cohort.core.ast.Expr;
import dev.cohort.core.ast.Exprs;
import dev.cohort.core.runtime.ClientFailureException;
import dev.cohort.core.types.TensorType;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TFF's {@code iblt_tff_test.py} (tff.md §7.3, privacy.md §5): the same ten clients, parameters and expected words with
 * their (unique count, count).
 */
class HeavyHittersTest {
  /** {@code DATA} of iblt_tff_test.py. */
  static final List<List<String>> DATA = List.of(
      List.of("hello", "hey", "hi", "hi", "hi", "新年快乐"),
      List.of("hello", "pumpkin", "folks", "I am on my way"),
      List.of("hello", "world", "☺️😇", "I am on my way"),
      List.of("hi how are", "you :-)", "I will be", "there soon", "I am on my way"),
      List.of("hey", "hi", "hi how are", "you :-)", "I will be", "pumpkin"),
      List.of("hello", "worm", "新年快乐", "Seattle", "Seattle"),
      List.of("hello", "world", "pumpkin", "pumpkin"),
      List.of("way", "I", "I am on my way"),
      List.of("way", "☺️😇", "worm", ":-)"),
      List.of(":-)", "there soon"));

  /** Each client's words as a dataset of batches of {@code batchSize} (TFF's {@code batch(.., drop_remainder=True)}). */
  static List<List<String[]>> datasets(List<List<String>> data, int batchSize) {
    List<List<String[]>> clients = new ArrayList<>();
    for (List<String> words : data) {
      List<String[]> batches = new ArrayList<>();
      for (int i = 0; i + batchSize <= words.size(); i += batchSize) {
        batches.add(words.subList(i, i + batchSize).toArray(new String[0]));
      }
      clients.add(batches);
    }
    return clients;
  }

  static HeavyHittersResult run(HeavyHitters.Builder builder, List<List<String>> data) {
    return HeavyHittersResult.of(builder.build().call(datasets(data, 1)));
  }

  private static Map<String, List<Long>> expected(Object... wordsAndCounts) {
    Map<String, List<Long>> m = new LinkedHashMap<>();
    for (int i = 0; i < wordsAndCounts.length; i += 3) {
      m.put((String) wordsAndCounts[i], List.of(((Integer) wordsAndCounts[i + 1]).longValue(),
          ((Integer) wordsAndCounts[i + 2]).longValue()));
    }
    return m;
  }

  /** The ground truth computed here from DATA: per word, the clients that have it and its total count. */
  private static Map<String, List<Long>> groundTruth(boolean multiContribution, String suffix) {
    Map<String, long[]> m = new LinkedHashMap<>();
    for (List<String> client : DATA) {
      for (String w : client) {
        m.computeIfAbsent(w + suffix, k -> new long[2])[1]++;
      }
      for (String w : new java.util.LinkedHashSet<>(client)) {
        m.get(w + suffix)[0]++;
      }
    }
    Map<String, List<Long>> out = new LinkedHashMap<>();
    m.forEach((w, c) -> out.put(w, List.of(c[0], multiContribution ? c[1] : c[0])));
    return out;
  }

  private static final Computation APPEND_ABCDEFG = Computation.local("test.analytics.append_abcdefg",
      TensorType.of(DType.STRING, TensorType.UNKNOWN), TensorType.of(DType.STRING, TensorType.UNKNOWN), x -> {
        String[] in = ((Tensor) x).stringData();
        String[] out = new String[in.length];
        for (int i = 0; i < in.length; i++) {
          out[i] = in[i] + "abcdefg";
        }
        return Tensor.ofStrings(out, out.length);
      });

  @Test
  void theDefaultComputationHasTffsTypeSignature() {
    assertThat(HeavyHitters.builder().build().typeSignature().toString()).isEqualTo("({str[?]*}@CLIENTS -> <clients="
        + "int32,heavy_hitters=str[?],heavy_hitters_unique_counts=int64[?],heavy_hitters_counts=int64[?],"
        + "num_not_decoded=int64,round_timestamp=int64>@SERVER)");
  }

  /**
   * test_computation of SecAggIbltTffExecutionTest and SecAggIbltUniqueCountsTffTest, batch 1: (capacity,
   * string_max_bytes, repetitions, seed, secure_sum_bitwidth), with and without the postprocessor that appends
   * 'abcdefg', with and without multiple contributions.
   */
  static Stream<Arguments> exactRecovery() {
    List<Arguments> cases = new ArrayList<>();
    for (boolean multi : new boolean[] {true, false}) {
      for (boolean postprocess : new boolean[] {false, true}) {
        cases.add(Arguments.of(10, 20, 3, 0, null, postprocess, multi));
        cases.add(Arguments.of(20, 30, 6, 1, 32, postprocess, multi));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "capacity {0}, {1} bytes, {2} repetitions, seed {3}, bitwidth {4}, postprocess {5},"
      + " multi {6}")
  @MethodSource("exactRecovery")
  void everyWordIsRecoveredWithItsClientsAndCount(int capacity, int bytes, int repetitions, int seed,
      Integer bitwidth, boolean postprocess, boolean multi) {
    HeavyHitters.Builder b = HeavyHitters.builder().capacity(capacity).stringMaxBytes(bytes).repetitions(repetitions)
        .seed(seed).multiContribution(multi);
    if (bitwidth != null) {
      b.secureSumBitwidth(bitwidth);
    }
    if (postprocess) {
      b.stringPostprocessor(APPEND_ABCDEFG);
    }
    HeavyHittersResult r = run(b, DATA);
    assertThat(r.numNotDecoded()).isZero();
    assertThat(r.clients()).isEqualTo(10);
    assertThat(r.asMap()).containsExactlyInAnyOrderEntriesOf(groundTruth(multi, postprocess ? "abcdefg" : ""));
  }

  static Stream<Arguments> tffCases() {
    return Stream.of(
        // SecAggIbltTffExecutionTest (multi_contribution=True), capacity 100, max_words_per_user 10.
        Arguments.of("string_max_bytes 5, top 4", true, 5, 1, 4,
            expected("hello", 5, 5, "pumpk", 3, 4, "hi", 2, 4, "I am ", 4, 4)),
        Arguments.of("string_max_bytes 30, top 4", true, 30, 1, 4,
            expected("hello", 5, 5, "pumpkin", 3, 4, "hi", 2, 4, "I am on my way", 4, 4)),
        Arguments.of("k 3", true, 30, 3, null, expected("hello", 5, 5, "I am on my way", 4, 4, "pumpkin", 3, 4)),
        Arguments.of("k 3, 5 bytes", true, 5, 3, null, expected("hello", 5, 5, "I am ", 4, 4, "pumpk", 3, 4)),
        Arguments.of("k 3, 2 bytes", true, 2, 3, null,
            expected("he", 6, 7, "hi", 3, 6, "I ", 5, 6, "wo", 4, 4, "pu", 3, 4)),
        Arguments.of("k 4, 2 bytes", true, 2, 4, null, expected("he", 6, 7, "I ", 5, 6, "wo", 4, 4)),
        Arguments.of("k 5, 1 byte", true, 1, 5, null, expected("h", 7, 13, "w", 5, 6, "I", 5, 7)),
        // SecAggIbltUniqueCountsTffTest (multi_contribution=False), capacity 100, max_words_per_user 10.
        Arguments.of("single, top 3", false, 30, 1, 3, expected("hello", 5, 5, "I am on my way", 4, 4, "pumpkin", 3, 3)),
        Arguments.of("single, k 3", false, 30, 3, null, expected("hello", 5, 5, "I am on my way", 4, 4, "pumpkin", 3, 3)),
        Arguments.of("single, k 3, 5 bytes", false, 5, 3, null, expected("hello", 5, 5, "I am ", 4, 4, "pumpk", 3, 3)),
        Arguments.of("single, k 3, 2 bytes", false, 2, 3, null,
            expected("he", 6, 6, "hi", 3, 3, "I ", 5, 5, "pu", 3, 3, "wo", 4, 4)),
        Arguments.of("single, k 4, 2 bytes", false, 2, 4, null, expected("he", 6, 6, "I ", 5, 5, "wo", 4, 4)),
        Arguments.of("single, k 5, 1 byte", false, 1, 5, null, expected("h", 7, 7, "w", 5, 5, "I", 5, 5)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tffCases")
  void truncationKAnonymityAndTopKGiveTffsWords(String name, boolean multi, int bytes, int k, Integer top,
      Map<String, List<Long>> expected) {
    HeavyHitters.Builder b = HeavyHitters.builder().capacity(100).stringMaxBytes(bytes).maxWordsPerUser(10)
        .kAnonymity(k).multiContribution(multi);
    if (top != null) {
      b.maxHeavyHitters(top);
    }
    assertThat(run(b, DATA).asMap()).containsExactlyInAnyOrderEntriesOf(expected);
  }

  @Test
  void wordsCutInsideACharacterAreKeptByTheirBytes() {
    // SecAggIbltUniqueCountsTffTest.test_computation_with_string_max_bytes: 'max_length_6' and 'max_length_2'.
    HeavyHittersResult six = run(HeavyHitters.builder().capacity(20).stringMaxBytes(6).repetitions(3).seed(0)
        .maxWordsPerUser(10).multiContribution(false), DATA);
    assertThat(six.asMap()).containsExactlyInAnyOrderEntriesOf(expected("hello", 5, 5, "hey", 2, 2, "hi", 2, 2,
        "新年", 2, 2, "pumpki", 3, 3, "folks", 1, 1, "I am o", 4, 4, "world", 2, 2, "☺️", 2, 2, "hi how", 2, 2,
        "you :-", 2, 2, "I will", 2, 2, "there ", 2, 2, "worm", 2, 2, "Seattl", 1, 1, "way", 2, 2, "I", 1, 1,
        ":-)", 2, 2));
    HeavyHittersResult two = run(HeavyHitters.builder().capacity(100).stringMaxBytes(2).repetitions(6).seed(1)
        .maxWordsPerUser(10).multiContribution(false), DATA);
    // '新年快乐' and '☺️😇' both keep two bytes of a three-byte character: two words that read as '', (2, 2) each.
    assertThat(two.asMap()).containsExactlyInAnyOrderEntriesOf(expected("he", 6, 6, "hi", 3, 3, "", 2, 2, "pu", 3, 3,
        "fo", 1, 1, "I ", 5, 5, "wo", 4, 4, "yo", 2, 2, "th", 2, 2, "Se", 1, 1, "wa", 2, 2, "I", 1, 1, ":-", 2, 2));
    assertThat(two.heavyHitters()).filteredOn(h -> h.word().isEmpty()).hasSize(2);
  }

  @Test
  void multibyteWordsAreCutOnByteBoundaries() {
    // test_computation_with_string_max_bytes_multibyte: each first character is 3 bytes.
    List<List<String>> data = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      data.add(List.of("七転び八起き", "取らぬ狸の皮算用", "一石二鳥"));
    }
    HeavyHittersResult r = run(HeavyHitters.builder().capacity(100).stringMaxBytes(3).maxWordsPerUser(10)
        .maxHeavyHitters(4), data);
    assertThat(r.asMap()).containsExactlyInAnyOrderEntriesOf(expected("一", 10, 10, "七", 10, 10, "取", 10, 10));
  }

  @Test
  void resultsAreOrderedByCountAndStampedWithTheRound() {
    long before = Instant.now().getEpochSecond();
    HeavyHittersResult r = run(HeavyHitters.builder().capacity(100).stringMaxBytes(30), DATA);
    long after = Instant.now().getEpochSecond();
    assertThat(r.roundTimestamp()).isBetween(before, after);
    assertThat(r.heavyHitters()).isSortedAccordingTo((x, y) -> x.count() != y.count()
        ? Long.compare(y.count(), x.count()) : Long.compare(y.uniqueCount(), x.uniqueCount()));
    assertThat(r.heavyHitters().get(0)).isEqualTo(new HeavyHittersResult.HeavyHitter("hello", 5, 5));
  }

  @Test
  void noClientsAndEmptyDatasetsGiveAnEmptyResult() {
    Computation hh = HeavyHitters.builder().capacity(10).build();
    HeavyHittersResult none = HeavyHittersResult.of(hh.call(List.of()));
    assertThat(none).isEqualTo(new HeavyHittersResult(0, List.of(), 0, none.roundTimestamp()));
    HeavyHittersResult empty = HeavyHittersResult.of(hh.call(List.of(List.of(), Collections.singletonList(new String[0]))));
    assertThat(empty.clients()).isEqualTo(2);
    assertThat(empty.heavyHitters()).isEmpty();
    assertThat(empty.numNotDecoded()).isZero();
  }

  @Test
  void contributionsAreCappedInWholeBatchesOrToTheMostFrequentWords() {
    List<List<String>> data = List.of(List.of("a", "b", "b", "c", "c", "c", "d"));
    // max_words_per_user 3 with batches of 2: the first 3 // 2 = 1 batch, ['a', 'b'].
    Object two = HeavyHitters.builder().capacity(10).maxWordsPerUser(3).batchSize(2).build()
        .call(datasets(data, 2));
    assertThat(HeavyHittersResult.of(two).asMap()).containsExactlyInAnyOrderEntriesOf(expected("a", 1, 1, "b", 1, 1));
    // Without multiple contributions: the 2 most frequent, each once; ties go to the word seen first.
    HeavyHittersResult single = run(HeavyHitters.builder().capacity(10).maxWordsPerUser(2).multiContribution(false),
        data);
    assertThat(single.asMap()).containsExactlyInAnyOrderEntriesOf(expected("c", 1, 1, "b", 1, 1));
    HeavyHittersResult tie = run(HeavyHitters.builder().capacity(10).maxWordsPerUser(1).multiContribution(false),
        List.of(List.of("x", "y", "y", "x")));
    assertThat(tie.asMap()).containsExactlyEntriesOf(expected("x", 1, 1));
    // With fewer words than the cap of a batch, a client sends nothing (max_words_per_user // batch_size = 0).
    Object none = HeavyHitters.builder().capacity(10).maxWordsPerUser(1).batchSize(2).build().call(datasets(data, 2));
    assertThat(HeavyHittersResult.of(none).heavyHitters()).isEmpty();
  }

  @Test
  void aWordThatIsNotUnicodeFailsItsClientNamingTheWord() {
    // The aggregation that folds the clients' sketches is the stage that reports it.
    Computation hh = HeavyHitters.builder().capacity(10).build();
    List<List<String[]>> data = List.of(Collections.singletonList(new String[] {"ok"}),
        Collections.singletonList(new String[] {"fine", "bad\uDC00"}));
    assertThatThrownBy(() -> hh.call(data))
        .isInstanceOf(ClientFailureException.class)
        .hasMessage("federated_aggregate: client 1 of 2 failed: word 1 of batch 0: string \"bad\\uDC00\" is not valid"
            + " Unicode: unpaired surrogate \\uDC00 at char index 3 has no UTF-8 encoding");
  }

  @Test
  void secureAggregationBoundsEveryClientsCounts() {
    Computation secure = HeavyHitters.builder().capacity(10).secureSumBitwidth(1).build();
    assertThat(Exprs.contains(secure.expr(), e -> e instanceof Expr.Intrinsic i && i.def().isSecure())).isTrue();
    assertThat(Exprs.contains(HeavyHitters.builder().capacity(10).build().expr(),
        e -> e instanceof Expr.Intrinsic i && i.def().isSecure())).isFalse();
    // A count of 2 does not fit 1 bit: the client fails, as a secure sum's range check makes it.
    assertThatThrownBy(() -> secure.call(datasets(List.of(List.of("a", "a")), 1)))
        .isInstanceOf(ClientFailureException.class)
        .hasMessageContaining("federated_secure_sum: client 0 of 1 failed")
        .hasMessageContaining("input 2 (element");
  }

  @Test
  void aSerializedComputationRunsTheSame() {
    Computation hh = HeavyHitters.builder().capacity(100).stringMaxBytes(5).maxWordsPerUser(10).maxHeavyHitters(4)
        .build();
    Computation back = Computation.deserialize(hh.serialize());
    assertThat(back.typeSignature()).isEqualTo(hh.typeSignature());
    assertThat(HeavyHittersResult.of(back.call(datasets(DATA, 1))).asMap())
        .isEqualTo(HeavyHittersResult.of(hh.call(datasets(DATA, 1))).asMap());
  }

  @Test
  void parametersOutsideTffsRangesAreRejected() {
    Map<String, UnaryOperator<HeavyHitters.Builder>> bad = new LinkedHashMap<>();
    bad.put("capacity must be at least 1, got 0", b -> b.capacity(0));
    bad.put("string_max_bytes must be at least 1, got -1", b -> b.stringMaxBytes(-1));
    bad.put("repetitions must be at least 3, got 2", b -> b.repetitions(2));
    bad.put("max_words_per_user must be at least 1 when set, got 0", b -> b.maxWordsPerUser(0));
    bad.put("k_anonymity must be at least 1, got 0", b -> b.kAnonymity(0));
    bad.put("max_heavy_hitters must be at least 1 when set, got -1", b -> b.maxHeavyHitters(-1));
    bad.put("secure_sum_bitwidth must be in [1, 62] when set, got 0", b -> b.secureSumBitwidth(0));
    bad.put("secure_sum_bitwidth must be in [1, 62] when set, got 63", b -> b.secureSumBitwidth(63));
    bad.put("batch_size must be at least 1, got 0", b -> b.batchSize(0));
    bad.put("string_postprocessor must have type (str[?] -> str[?]), got (str -> str)", b -> b.stringPostprocessor(
        Computation.local("test.analytics.scalar_string", TensorType.STRING, TensorType.STRING, x -> x)));
    bad.forEach((message, setter) -> assertThatThrownBy(() -> setter.apply(HeavyHitters.builder()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message));
    HeavyHitters.Builder edges = HeavyHitters.builder().capacity(1).stringMaxBytes(1).repetitions(3)
        .maxWordsPerUser(1).kAnonymity(1).maxHeavyHitters(1).secureSumBitwidth(62).batchSize(1);
    assertThat(edges.build().typeSignature()).isEqualTo(HeavyHitters.builder().build().typeSignature());
  }

  @Test
  void otherOutputsAreNotReadAsResults() {
    assertThatThrownBy(() -> HeavyHittersResult.of(Tensor.scalar(1)))
        .hasMessage("expected the output of a heavy-hitters computation, a struct " + HeavyHitters.SERVER_OUTPUT
            + " at SERVER, got 1");
  }
}
