package dev.cohort.analytics.iblt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.testing.Cases;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Laws of the sketch on seeded random parameters and dictionaries. */
class IbltPropertiesTest {
  private static final String[] ALPHABET = {"a", "b", "z", " ", ",", "é", "ß", "क", "新", "年", "☺", "😇", "\u0000"};

  static Stream<Cases.Case> cases() {
    return Cases.of(20260514L, 150);
  }

  /** A random sketch shape: 3 to 6 repetitions, any seed, TFF's hash family for the capacity (random). */
  private static IbltParameters parameters(Cases.Case c) {
    return IbltParameters.of(c.between(1, 300), c.between(1, 40), c.between(3, 6), c.random().nextInt());
  }

  /** {@link #parameters} or, half of the time, the same with coupled hashes of any rescale factor. */
  private static IbltParameters anyFamily(Cases.Case c) {
    IbltParameters p = parameters(c);
    if (c.random().nextBoolean()) {
      p = p.withHashFamily(HashFamily.coupled(c.uniform(0.5, p.tableSize() - 1)));
    }
    return p;
  }

  /** A random string of up to twice the bytes the sketch keeps, so that some are truncated. */
  private static String key(Cases.Case c, IbltParameters p) {
    StringBuilder b = new StringBuilder();
    int bytes = c.between(0, 2 * p.maxKeyBytes());
    while (b.toString().getBytes(UTF_8).length < bytes) {
      b.append(ALPHABET[c.between(0, ALPHABET.length - 1)]);
    }
    return b.toString();
  }

  /** The key as the sketch stores it, computed here from the rule: the first maxKeyBytes bytes without NULs. */
  private static ByteBuffer stored(String key, IbltParameters p) {
    byte[] utf8 = key.getBytes(UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < Math.min(utf8.length, p.maxKeyBytes()); i++) {
      if (utf8[i] != 0) {
        out.write(utf8[i]);
      }
    }
    return ByteBuffer.wrap(out.toByteArray());
  }

  @ParameterizedTest
  @MethodSource("cases")
  void theSketchOfAUnionIsTheSumOfTheSketchesOfItsParts(Cases.Case c) {
    IbltParameters p = anyFamily(c);
    int parts = c.between(2, 4);
    List<Iblt> sketches = new ArrayList<>();
    for (int i = 0; i < parts; i++) {
      sketches.add(Iblt.create(p, 1));
    }
    Iblt whole = Iblt.create(p, 1);
    Iblt plainWhole = Iblt.create(p);
    Iblt plainFirst = Iblt.create(p);
    Iblt plainRest = Iblt.create(p);
    int n = c.between(0, 2 * p.capacity());
    for (int i = 0; i < n; i++) {
      String k = key(c, p);
      long count = c.between(1, 1000);
      long value = c.between(-1000, 1000);
      int part = c.between(0, parts - 1);
      sketches.get(part).insert(k, count, value);
      whole.insert(k, count, value);
      long signed = c.random().nextBoolean() ? count : -count;
      plainWhole.insert(k, signed);
      (part == 0 ? plainFirst : plainRest).insert(k, signed);
    }
    Iblt sum = Iblt.create(p, 1);
    for (Iblt s : sketches) {
      sum.addInPlace(s);
    }
    assertThat(sum.sketchTensor()).isEqualTo(whole.sketchTensor());
    assertThat(sum.valuesTensor()).isEqualTo(whole.valuesTensor());
    plainWhole.subtractInPlace(plainFirst);
    assertThat(plainWhole.sketchTensor()).isEqualTo(plainRest.sketchTensor());
  }

  @ParameterizedTest
  @MethodSource("cases")
  void decodingReturnsOnlyTrueKeysAndCountsWhatItCannotDecode(Cases.Case c) {
    IbltParameters p = anyFamily(c);
    Map<ByteBuffer, Long> truth = new HashMap<>();
    Iblt sketch = Iblt.create(p);
    int n = c.between(0, 3 * p.capacity());
    for (int i = 0; i < n; i++) {
      String k = key(c, p);
      long count = c.between(1, 1000);
      sketch.insert(k, count);
      truth.merge(stored(k, p), count, Long::sum);
    }
    Iblt.Decoded d = sketch.decode();
    Map<ByteBuffer, Long> undecoded = new HashMap<>(truth);
    for (Iblt.Entry e : d.entries()) {
      ByteBuffer k = ByteBuffer.wrap(e.keyBytes());
      assertThat(undecoded).as("%s: decoded %s", c, e).containsEntry(k, e.count());
      undecoded.remove(k);
    }
    assertThat(d.numNotDecoded()).as("%s", c).isEqualTo(undecoded.values().stream().mapToLong(x -> x).sum());
  }

  /**
   * At most {@code capacity} distinct keys nearly always decode in full with TFF's sizing (about 97% at full load
   * for capacities of 10 to 300, measured separately). These 400 fixed cases decode 397 in full; the bound of 95%
   * leaves that margin and fails if peeling is lost for more than a few sketches.
   */
  @Test
  void dictionariesWithinCapacityDecodeInFull() {
    int full = 0;
    int total = 0;
    for (Cases.Case c : Cases.of(20260515L, 400).toList()) {
      IbltParameters p = parameters(c);
      Map<ByteBuffer, Long> truth = new HashMap<>();
      Iblt sketch = Iblt.create(p);
      int distinct = c.between(0, p.capacity());
      for (int attempt = 0; truth.size() < distinct && attempt < 100 * distinct; attempt++) {
        String k = key(c, p);
        ByteBuffer stored = stored(k, p);
        if (stored.remaining() > 0) {
          sketch.insert(k, 1);
          truth.merge(stored, 1L, Long::sum);
        }
      }
      Iblt.Decoded d = sketch.decode();
      total++;
      if (d.numNotDecoded() == 0 && d.entries().size() == truth.size()) {
        full++;
      }
    }
    assertThat(full).as("sketches decoded in full, of %d", total).isGreaterThanOrEqualTo(total * 95 / 100);
  }

  @Test
  void keysOfOnlyNulsOrNothingStayUndecoded() {
    IbltParameters p = IbltParameters.of(50, 6);
    Iblt sketch = Iblt.create(p);
    sketch.insert(new byte[0], 3);
    sketch.insert(new byte[] {0, 0, 0}, 2);
    sketch.insert(Arrays.copyOf("x".getBytes(UTF_8), 4), 1);
    assertThat(sketch.decode().entries()).extracting(Iblt.Entry::key).containsExactly("x");
    assertThat(sketch.decode().numNotDecoded()).isEqualTo(5);
  }
}
