package dev.cohort.analytics.iblt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sketch against TFF's {@code iblt_lib_test.py} and the vectors of shared/reference/privacy.md §5, which a Python
 * port of TFF's hashing computed.
 */
class IbltTest {
  private static final long P = IbltParameters.FIELD_SIZE;

  /** The strings of TFF's {@code test_iblt_encode_and_decode}. */
  private static final List<String> TFF_STRINGS = List.of("2019", "seattle", "heavy", "hitters", "क", "☺️",
      "has space", "has, comma", "新年快乐", "☺️😇");

  /**
   * privacy.md §5 "[computed] IBLT vectors", capacity 10, string_max_bytes 12, seed 0: each string's chunks, its
   * cells in repetitions 0, 1, 2 and its check value.
   */
  private static final Object[][] VECTORS = {
    {"2019", new long[] {3223602, 57, 0, 0}, new int[] {6, 7, 13}, 893216744L},
    {"seattle", new long[] {6382963, 7107700, 101, 0}, new int[] {11, 0, 0}, 225460618L},
    {"heavy", new long[] {6382952, 31094, 0, 0}, new int[] {4, 1, 1}, 1320374479L},
    {"hitters", new long[] {7629160, 7497076, 115, 0}, new int[] {9, 12, 0}, 273088108L},
    {"क", new long[] {9807072, 0, 0, 0}, new int[] {5, 6, 5}, 2019666228L},
    {"☺️", new long[] {12228834, 9418991, 0, 0}, new int[] {2, 1, 0}, 1281873350L},
    {"has space", new long[] {7561576, 7369504, 6644577, 0}, new int[] {1, 6, 13}, 347601524L},
    {"has, comma", new long[] {7561576, 6496300, 7171439, 97}, new int[] {1, 10, 6}, 389566887L},
    {"新年快乐", new long[] {11572966, 11844069, 11255781, 9484772}, new int[] {2, 10, 12}, 371784468L},
    {"☺️😇", new long[] {12228834, 9418991, 10002416, 135}, new int[] {11, 7, 9}, 423948982L},
  };

  @Test
  void aKeyLandsInTheCellsTffsHashingGivesIt() {
    IbltParameters p = IbltParameters.of(10, 12);
    for (Object[] v : VECTORS) {
      Iblt sketch = Iblt.create(p);
      sketch.insert((String) v[0], 1);
      long[] cells = sketch.sketchTensor().longData();
      long[] chunks = (long[]) v[1];
      int[] at = (int[]) v[2];
      for (int r = 0; r < 3; r++) {
        int base = (r * p.tableSize() + at[r]) * p.cellWidth();
        long[] expected = new long[p.cellWidth()];
        System.arraycopy(chunks, 0, expected, 0, chunks.length);
        expected[4] = 1;
        expected[5] = (long) v[3];
        assertThat(Arrays.copyOfRange(cells, base, base + p.cellWidth())).as("%s, repetition %d", v[0], r)
            .containsExactly(expected);
      }
      assertThat(Arrays.stream(cells).filter(x -> x != 0).count()).as("%s touches only its cells", v[0])
          .isEqualTo(3L * Arrays.stream(expectedCell(chunks, (long) v[3])).filter(x -> x != 0).count());
    }
  }

  private static long[] expectedCell(long[] chunks, long check) {
    long[] cell = Arrays.copyOf(chunks, chunks.length + 2);
    cell[chunks.length] = 1;
    cell[chunks.length + 1] = check;
    return cell;
  }

  @Test
  void theSeededVectorsOfACapacity100SketchMatch() {
    // privacy.md §5: capacity 100, string_max_bytes 20 (S = 54, K = 7), seed 1.
    Hyperedges h = new Hyperedges(IbltParameters.of(100, 20, 3, 1));
    int[] at = new int[3];
    h.cells(bytes("hello"), at);
    assertThat(at).containsExactly(36, 3, 34);
    assertThat(h.check(bytes("hello"))).isEqualTo(425448934L);
    h.cells(bytes("pumpkin"), at);
    assertThat(at).containsExactly(10, 41, 48);
    assertThat(h.check(bytes("pumpkin"))).isEqualTo(1568546687L);
    h.cells(bytes("hi"), at);
    assertThat(at).containsExactly(20, 49, 38);
    assertThat(h.check(bytes("hi"))).isEqualTo(1577397013L);
  }

  @Test
  void randomCellsAreBucketsOfTheSaltedKey() {
    // Computed here from the definition: salt_r = str(seed + r) + ';', q = bucket('hash_check_' + str(seed) + key, p).
    IbltParameters p = IbltParameters.of(100, 20, 4, -2);
    Hyperedges h = new Hyperedges(p);
    int[] at = new int[4];
    h.cells(bytes("word"), at);
    for (int r = 0; r < 4; r++) {
      assertThat(at[r]).isEqualTo((int) HashBuckets.bucket(bytes((r - 2) + ";word"), p.tableSize()));
    }
    assertThat(h.check(bytes("word"))).isEqualTo(HashBuckets.bucket(bytes("hash_check_-2word"), P));
  }

  @Test
  void coupledCellsFollowTffsFloat32Formula() {
    double z = 4;
    IbltParameters p = IbltParameters.of(10, 12).withHashFamily(HashFamily.coupled(z));
    Hyperedges h = new Hyperedges(p);
    int[] at = new int[3];
    for (String key : TFF_STRINGS) {
      h.cells(bytes(key), at);
      // CoupledHyperEdgeHasher: position in [0.5, z + 0.5), offsets in [-0.5, 0.5), float32 throughout.
      float position = (float) HashBuckets.bucket(bytes(key), Integer.MAX_VALUE) / 2147483648f * (float) z + 0.5f;
      for (int r = 0; r < 3; r++) {
        float offset = (float) HashBuckets.bucket(bytes(r + ";" + key), Integer.MAX_VALUE) / 2147483648f - 0.5f;
        int cell = (int) Math.floor((position + offset) * (float) (p.tableSize() / (z + 1)));
        assertThat(at[r]).as("%s, repetition %d", key, r).isEqualTo(cell);
      }
      // The offsets span one window of S / (z + 1) = 2.8 cells.
      assertThat(Arrays.stream(at).max().getAsInt() - Arrays.stream(at).min().getAsInt()).as("%s", key)
          .isLessThanOrEqualTo(3);
    }
  }

  @Test
  void allTenStringsInsertedOnceFillTheCountColumnsAsInTff() {
    Iblt sketch = sketchOf(IbltParameters.of(10, 12), TFF_STRINGS);
    // privacy.md §5: the count columns of repetitions 0, 1, 2.
    long[][] counts = {
      {0, 2, 2, 0, 1, 1, 1, 0, 0, 1, 0, 2, 0, 0},
      {1, 2, 0, 0, 0, 0, 2, 2, 0, 0, 2, 0, 1, 0},
      {3, 1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 1, 2},
    };
    long[] cells = sketch.sketchTensor().longData();
    for (int r = 0; r < 3; r++) {
      for (int i = 0; i < 14; i++) {
        assertThat(cells[(r * 14 + i) * 6 + 4]).as("count of cell (%d, %d)", r, i).isEqualTo(counts[r][i]);
      }
    }
  }

  @Test
  void aKnownDictionaryDecodesExactly() {
    // TFF's test_iblt_encode_and_decode.
    Iblt.Decoded d = sketchOf(IbltParameters.of(10, 12), TFF_STRINGS).decode();
    assertThat(d.numNotDecoded()).isZero();
    assertThat(keys(d)).containsExactlyInAnyOrderElementsOf(TFF_STRINGS);
    assertThat(d.entries()).allSatisfy(e -> assertThat(e.count()).isEqualTo(1));
  }

  @Test
  void coupledHashesAndTinyCapacitiesDecodeTheDictionaryToo() {
    // TFF's test_iblt_with_coupled_hash_edges (rescale_factor 4) and test_iblt_tensorflow's 'small_capacity' (1).
    for (IbltParameters p : List.of(IbltParameters.of(10, 12).withHashFamily(HashFamily.coupled(4)),
        IbltParameters.of(1, 12))) {
      Iblt.Decoded d = sketchOf(p, TFF_STRINGS).decode();
      assertThat(keys(d)).as("%s", p).containsExactlyInAnyOrderElementsOf(TFF_STRINGS);
      assertThat(d.numNotDecoded()).isZero();
    }
  }

  @Test
  void longKeysAreTruncatedOnByteBoundaries() {
    // TFF's test_iblt_trim_strings_above_max_length: string_max_bytes 4 keeps 6 bytes; '新年快乐' keeps two of its
    // 3-byte characters, and '😇☺️' keeps 😇 (4 bytes) and two bytes of ☺ that decode to nothing.
    List<String> in = List.of("2019", "seattle", "heavy", "hitters", "क", "☺️", "has space", "has, comma",
        "新年快乐", "😇☺️");
    Iblt.Decoded d = sketchOf(IbltParameters.of(10, 4), in).decode();
    assertThat(keys(d)).containsExactlyInAnyOrder("2019", "seattl", "heavy", "hitter", "क", "☺️", "has sp", "has, c",
        "新年", "😇");
    Iblt.Entry cut = d.entries().stream().filter(e -> e.key().equals("😇")).findFirst().orElseThrow();
    assertThat(cut.keyBytes()).hasSize(6).startsWith(bytes("😇"));
  }

  @Test
  void countsAreModuloTheFieldAndVanishAtItsMultiples() {
    // TFF's test_iblt_with_counts.
    Map<String, Long> in = new LinkedHashMap<>();
    in.put("201", 10L);
    in.put("seattle", -1L);
    in.put("heavy", P);
    in.put("hitters", 1L << 16);
    in.put("क", P - 1);
    in.put("☺️", 0L);
    in.put("新年快乐", 100L);
    Iblt sketch = Iblt.create(IbltParameters.of(10, 12));
    in.forEach((k, c) -> sketch.insert(k, c));
    Iblt.Decoded d = sketch.decode();
    assertThat(counts(d)).containsExactlyInAnyOrderEntriesOf(
        Map.of("201", 10L, "seattle", 2147483646L, "hitters", 65536L, "क", 2147483646L, "新年快乐", 100L));
    assertThat(d.numNotDecoded()).isZero();
  }

  @Test
  void sumsOfSketchesDecodeToTheUnionWithSummedCountsAndValues() {
    IbltParameters p = IbltParameters.of(20, 10);
    Iblt a = Iblt.create(p, 2);
    a.insert("apple", 3, 30, 1);
    a.insert("pear", 1, 10, 1);
    Iblt b = Iblt.create(p, 2);
    b.insert("apple", 2, 20, 1);
    b.insert("fig", 5, 50, 1);
    Iblt sum = Iblt.create(p, 2);
    sum.addInPlace(a);
    sum.addInPlace(b);
    Map<String, String> decoded = new LinkedHashMap<>();
    for (Iblt.Entry e : sum.decode().entries()) {
      decoded.put(e.key(), e.count() + " " + Arrays.toString(e.values()));
    }
    assertThat(decoded).containsExactlyInAnyOrderEntriesOf(
        Map.of("apple", "5 [50, 2]", "pear", "1 [10, 1]", "fig", "5 [50, 1]"));
    Iblt whole = Iblt.create(p, 2);
    whole.insert("apple", 3, 30, 1);
    whole.insert("pear", 1, 10, 1);
    whole.insert("apple", 2, 20, 1);
    whole.insert("fig", 5, 50, 1);
    assertThat(sum.sketchTensor()).isEqualTo(whole.sketchTensor());
    assertThat(sum.valuesTensor()).isEqualTo(whole.valuesTensor());
  }

  @Test
  void subtractingASketchRemovesItsKeysAndNegatesTheOthers() {
    IbltParameters p = IbltParameters.of(20, 10);
    Iblt all = sketchOf(p, List.of("a", "b", "c", "c"));
    Iblt some = sketchOf(p, List.of("b", "c", "d"));
    all.subtractInPlace(some);
    // a: 1, b: 0 (gone), c: 2 - 1 = 1, d: -1 = p - 1.
    assertThat(counts(all.decode())).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1L, "c", 1L, "d", P - 1));
    Iblt empty = sketchOf(p, List.of("x", "y"));
    empty.subtractInPlace(sketchOf(p, List.of("y", "x")));
    assertThat(empty.sketchTensor().longData()).containsOnly(0L);
  }

  @Test
  void sketchesWithValuesCannotBeSubtractedAndMustMatchToAdd() {
    IbltParameters p = IbltParameters.of(20, 10);
    Iblt withValues = Iblt.create(p, 1);
    assertThatThrownBy(() -> withValues.subtractInPlace(Iblt.create(p, 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("subtractInPlace: sketches with values (1 per key) can be added but not subtracted");
    assertThatThrownBy(() -> withValues.addInPlace(Iblt.create(p)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("addInPlace: sketches must have equal parameters and value widths; this one has ")
        .hasMessageEndingWith(" with 1 value(s), the other IbltParameters[capacity=20, stringMaxBytes=10,"
            + " repetitions=3, seed=0, hashFamily=Random[]] with 0");
    assertThatThrownBy(() -> Iblt.create(p).addInPlace(Iblt.create(IbltParameters.of(20, 10, 3, 1))))
        .hasMessageContaining("seed=1");
  }

  @Test
  void badInsertionsAreRejected() {
    Iblt plain = Iblt.create(IbltParameters.of(20, 10));
    assertThatThrownBy(() -> plain.insert("a", 1, 7))
        .hasMessage("insert: this sketch carries 0 value(s) per key, got 1");
    Iblt withValues = Iblt.create(IbltParameters.of(20, 10), 1);
    assertThatThrownBy(() -> withValues.insert("a", 0, 7))
        .hasMessage("insert: a sketch with values needs a positive count per key, got 0");
    assertThatThrownBy(() -> plain.insert("ab\uD800", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("string \"ab\\uD800\" is not valid Unicode: unpaired surrogate \\uD800 at char index 2 has no"
            + " UTF-8 encoding");
    assertThatThrownBy(() -> Iblt.create(IbltParameters.of(20, 10), -1))
        .hasMessage("valueWidth must be at least 0, got -1");
  }

  @Test
  void nulBytesArePaddingAndTheEmptyKeyIsNeverDecoded() {
    IbltParameters p = IbltParameters.of(20, 10);
    Iblt sketch = Iblt.create(p);
    sketch.insert("a\u0000b", 1);
    sketch.insert("ab", 2);
    sketch.insert("", 4);
    sketch.insert("\u0000\u0000", 1);
    Iblt.Decoded d = sketch.decode();
    assertThat(counts(d)).containsExactlyEntriesOf(Map.of("ab", 3L));
    // The empty key's count, 4 + 1, stays in its cells: (5 * 3 repetitions) / 3.
    assertThat(d.numNotDecoded()).isEqualTo(5);
  }

  @Test
  void anOverfullSketchReportsWhatItCannotDecodeInsteadOfWrongKeys() {
    IbltParameters p = IbltParameters.of(10, 10);
    Iblt sketch = Iblt.create(p);
    int n = 200;
    for (int i = 0; i < n; i++) {
      sketch.insert("key" + i, 1);
    }
    Iblt.Decoded d = sketch.decode();
    assertThat(d.entries()).allSatisfy(e -> {
      assertThat(e.key()).matches("key\\d+");
      assertThat(Integer.parseInt(e.key().substring(3))).isBetween(0, n - 1);
      assertThat(e.count()).isEqualTo(1);
    });
    assertThat(d.numNotDecoded()).isPositive();
    assertThat(d.entries().size() + d.numNotDecoded()).isEqualTo(n);
  }

  @Test
  void tensorsRoundTripAndUnreducedSumsDecodeTheSame() {
    IbltParameters p = IbltParameters.of(10, 12);
    Iblt sketch = Iblt.create(p, 1);
    for (String s : TFF_STRINGS) {
      sketch.insert(s, 1, s.length());
    }
    long[] unreduced = sketch.sketchTensor().longData();
    for (int i = 0; i < unreduced.length; i++) {
      unreduced[i] += (i % 3 - 1) * P;  // -p, 0 or +p: what a plain int64 sum of sketches may hold
    }
    Tensor sum = Tensor.ofLongs(unreduced, 3, p.tableSize(), p.cellWidth());
    Iblt back = Iblt.fromTensors(p, sum, sketch.valuesTensor());
    assertThat(back.sketchTensor()).isEqualTo(sketch.sketchTensor());
    assertThat(back.decode()).isEqualTo(sketch.decode());
    assertThat(back.decode().entries()).allSatisfy(e -> assertThat(e.values()).containsExactly(e.key().length()));
  }

  @Test
  void tensorsOfTheWrongShapeAreRejected() {
    IbltParameters p = IbltParameters.of(10, 12);
    Tensor values = Tensor.zeros(dev.cohort.tensor.DType.INT64, dev.cohort.tensor.Shape.of(3, 14, 1));
    assertThatThrownBy(() -> Iblt.fromTensors(p, Tensor.ofLongs(new long[6], 1, 1, 6), values))
        .hasMessage("sketch must be an int64 tensor of shape [3, 14, 6], got int64 [1, 1, 6]");
    Tensor sketch = Iblt.create(p).sketchTensor();
    assertThatThrownBy(() -> Iblt.fromTensors(p, sketch, Tensor.ofInts(new int[42], 3, 14, 1)))
        .hasMessage("values must be an int64 tensor of shape [3, 14, V], got int32 [3, 14, 1]");
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void aCraftedSketchThatWouldPeelForeverStops() {
    // "a" in repetition 0 only: peeling it leaves -a in repetitions 1 and 2, peeling -a there restores a in
    // repetition 0, and so on. A key is decoded at most once, so decoding stops after the first.
    IbltParameters p = IbltParameters.of(10, 12);
    Iblt one = sketchOf(p, List.of("a"));
    long[] cells = one.sketchTensor().longData();
    for (int i = p.tableSize() * p.cellWidth(); i < cells.length; i++) {
      cells[i] = 0;
    }
    Iblt crafted = Iblt.fromTensors(p, Tensor.ofLongs(cells, 3, p.tableSize(), p.cellWidth()),
        Iblt.create(p).valuesTensor());
    Iblt.Decoded d = crafted.decode();
    assertThat(counts(d)).containsExactlyEntriesOf(Map.of("a", 1L));
    // What is left, -a in two cells, is reported: 2 * (p - 1) / 3.
    assertThat(d.numNotDecoded()).isEqualTo(2 * (P - 1) / 3);
  }

  @Test
  void decodingLeavesTheSketchUnchanged() {
    Iblt sketch = sketchOf(IbltParameters.of(10, 12), TFF_STRINGS);
    Tensor before = sketch.sketchTensor();
    sketch.decode();
    assertThat(sketch.sketchTensor()).isEqualTo(before);
    Iblt copy = sketch.copy();
    copy.insert("more", 1);
    assertThat(sketch.sketchTensor()).isEqualTo(before);
  }

  static Iblt sketchOf(IbltParameters p, List<String> keys) {
    Iblt sketch = Iblt.create(p);
    for (String k : keys) {
      sketch.insert(k, 1);
    }
    return sketch;
  }

  static List<String> keys(Iblt.Decoded d) {
    return d.entries().stream().map(Iblt.Entry::key).toList();
  }

  static Map<String, Long> counts(Iblt.Decoded d) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (Iblt.Entry e : d.entries()) {
      m.put(e.key(), e.count());
    }
    return m;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void sparseContributionsSumToTheSketchOfInsertingTheKeys() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(99);
    for (int capacity : new int[] {10, 100, 100_000}) {   // random and coupled hash families
      IbltParameters p = IbltParameters.of(capacity, 12);
      Iblt inserted = Iblt.create(p, 1);
      Iblt.Encoder encoder = Iblt.encoder(p, 1);
      long[] cells = new long[p.repetitions() * p.tableSize() * p.cellWidth()];
      long[] values = new long[p.repetitions() * p.tableSize()];
      for (int client = 0; client < 30; client++) {
        List<byte[]> keys = new java.util.ArrayList<>();
        int n = 1 + r.nextInt(4);
        long[] counts = new long[n];
        long[] vals = new long[n];
        for (int i = 0; i < n; i++) {
          byte[] key = ("key-" + r.nextInt(50) + (r.nextBoolean() ? "-with-a-long-tail" : "")).getBytes(UTF_8);
          keys.add(key);
          counts[i] = 1 + r.nextInt(3);
          vals[i] = r.nextInt(1000);
          inserted.insert(key, counts[i], vals[i]);
        }
        long[] packed = encoder.encode(keys, counts, vals);
        assertThat(packed).hasSize(n * p.repetitions() * encoder.stride());
        encoder.addInto(packed, cells, values);
      }
      // isEqualTo compares arrays element-wise in O(n) (containsExactly is quadratic on 800,000 cells).
      assertThat(cells).as("capacity %d", capacity).isEqualTo(inserted.sketchTensor().longData());
      assertThat(values).isEqualTo(inserted.valuesTensor().longData());
    }
    Iblt.Encoder e = Iblt.encoder(IbltParameters.of(10, 3), 0);
    assertThatThrownBy(() -> e.addInto(new long[] {99, 0, 0, 0}, new long[126], new long[0]))
        .hasMessage("addInto: cell 99 outside [0, 42)");
    assertThatThrownBy(() -> e.addInto(new long[] {0, -1, 0, 0}, new long[126], new long[0]))
        .hasMessage("addInto: column 0 of contribution 0 is -1, outside [0, p)");
    assertThatThrownBy(() -> e.encode(List.of(new byte[1]), new long[0], new long[0]))
        .hasMessage("encode: 1 keys need 1 counts and 0 values, got 0 and 0");
  }
}
