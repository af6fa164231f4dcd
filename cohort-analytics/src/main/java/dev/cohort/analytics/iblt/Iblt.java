package dev.cohort.analytics.iblt;

import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An invertible Bloom lookup table over string keys (Goodrich and Mitzenmacher, "Invertible Bloom Lookup Tables",
 * arXiv 1101.2245), laid out and hashed as TFF's {@code IbltEncoder} / {@code IbltTensorEncoder} lay it out, so that
 * the same keys give the same cells.
 *
 * <p><b>Layout.</b> {@code R} repetitions of {@code S} cells ({@link IbltParameters}); cell {@code (r, i)} holds, modulo
 * the prime {@code p = 2^31 - 1}, the sums over the keys {@code k} whose cell in repetition {@code r} is {@code i}
 * of {@code count * chunk_j(k)} for each of the {@code K} key chunks, of {@code count}, and of {@code count * q(k)}
 * for the check hash {@code q}. They are one {@code long[]} of {@code R * S * (K + 2)} elements, row-major, as the
 * int64 tensor {@code [R, S, K + 2]} TFF sums. Optionally each cell also carries {@code V} plain int64 sums of
 * per-key values (TFF's value tensor {@code [R, S, V]}), added without a modulus.
 *
 * <p><b>Keys.</b> A key is its UTF-8 bytes, truncated to {@link IbltParameters#maxKeyBytes()} (on a byte boundary,
 * as TFF does) and with NUL bytes removed (TFF reads NUL as padding: "a\0b" is the key "ab"); chunk {@code j} packs
 * bytes {@code 3j, 3j+1, 3j+2} little-endian. The empty key is inserted but can never be decoded, as in TFF.
 *
 * <p><b>Linearity.</b> Sketches with the same parameters add ({@link #addInPlace}) and, without values, subtract
 * ({@link #subtractInPlace}): a key's count in {@code a + b} is the sum of its counts, so a sum of client sketches
 * (computed under secure aggregation with a modular sum mod {@code p}) is the sketch of all their keys.
 *
 * <p><b>Decoding</b> ({@link #decode()}) peels: a cell holding one key reveals it (chunks = sums / count mod p), the key
 * is accepted if its check matches and the cell is where the key hashes, and it is removed from its {@code R} cells,
 * which may free others. What cannot be peeled is reported in {@link Decoded#numNotDecoded()}.
 *
 * <p>A sketch is mutable and not thread-safe; sum sketches of different clients into a fresh one.
 */
public final class Iblt {
  private static final long P = IbltParameters.FIELD_SIZE;
  private static final long CHUNK_LIMIT = 1L << (8 * IbltParameters.BYTES_PER_CHUNK);

  private final IbltParameters parameters;
  private final Hyperedges hyperedges;
  private final int tableSize;
  private final int numChunks;
  private final int width;
  private final int valueWidth;
  private final long[] cells;
  private final long[] values;

  private Iblt(IbltParameters parameters, int valueWidth, long[] cells, long[] values) {
    this.parameters = parameters;
    this.hyperedges = new Hyperedges(parameters);
    this.tableSize = parameters.tableSize();
    this.numChunks = parameters.numChunks();
    this.width = parameters.cellWidth();
    this.valueWidth = valueWidth;
    this.cells = cells;
    this.values = values;
  }

  /** An empty sketch without values. */
  public static Iblt create(IbltParameters parameters) {
    return create(parameters, 0);
  }

  /**
   * An empty sketch whose keys each carry {@code valueWidth} int64 values.
   *
   * @throws IllegalArgumentException if {@code valueWidth} is negative or the value table would not fit a Java array
   */
  public static Iblt create(IbltParameters parameters, int valueWidth) {
    Objects.requireNonNull(parameters, "parameters");
    if (valueWidth < 0) {
      throw new IllegalArgumentException("valueWidth must be at least 0, got " + valueWidth);
    }
    long valueCount = (long) parameters.repetitions() * parameters.tableSize() * valueWidth;
    if (valueCount > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a value table of " + valueCount + " elements does not fit a Java array");
    }
    long[] cells = new long[parameters.repetitions() * parameters.tableSize() * parameters.cellWidth()];
    return new Iblt(parameters, valueWidth, cells, new long[(int) valueCount]);
  }

  /**
   * The sketch held by the int64 tensors {@code sketch [R, S, K + 2]} (any integers: they are reduced modulo
   * {@code p}, as TFF's decoder reduces a sum) and {@code values [R, S, V]}, e.g. sums of {@link #sketchTensor()}
   * and {@link #valuesTensor()} over clients. The tensors are copied.
   *
   * @throws IllegalArgumentException if a tensor is not int64 or its shape does not fit the parameters, naming the
   *     expected and the actual shape
   */
  public static Iblt fromTensors(IbltParameters parameters, Tensor sketch, Tensor values) {
    Objects.requireNonNull(parameters, "parameters");
    Shape expected = Shape.of(parameters.repetitions(), parameters.tableSize(), parameters.cellWidth());
    checkTensor("sketch", sketch, expected);
    if (values.dtype() != DType.INT64 || values.rank() != 3 || values.shape().dim(0) != parameters.repetitions()
        || values.shape().dim(1) != parameters.tableSize()) {
      throw new IllegalArgumentException("values must be an int64 tensor of shape [" + parameters.repetitions() + ", "
          + parameters.tableSize() + ", V], got " + values.dtype() + " " + values.shape());
    }
    long[] cells = sketch.longData().clone();
    for (int i = 0; i < cells.length; i++) {
      cells[i] = Math.floorMod(cells[i], P);
    }
    return new Iblt(parameters, values.shape().dim(2), cells, values.longData().clone());
  }

  private static void checkTensor(String name, Tensor t, Shape expected) {
    if (t.dtype() != DType.INT64 || !t.shape().equals(expected)) {
      throw new IllegalArgumentException(name + " must be an int64 tensor of shape " + expected + ", got "
          + t.dtype() + " " + t.shape());
    }
  }

  /** The parameters this sketch was made with. */
  public IbltParameters parameters() {
    return parameters;
  }

  /** The number of int64 values each key carries. */
  public int valueWidth() {
    return valueWidth;
  }

  /**
   * Adds {@code count} occurrences of {@code key} (its UTF-8 bytes, see {@link #insert(byte[], long, long...)}).
   *
   * @throws IllegalArgumentException if the key has an unpaired surrogate (no UTF-8 encodes it), or as
   *     {@link #insert(byte[], long, long...)}
   */
  public void insert(String key, long count, long... keyValues) {
    insert(Utf8.encode(key), count, keyValues);
  }

  /**
   * Adds {@code count} occurrences of the key with these bytes (truncated to {@link IbltParameters#maxKeyBytes()},
   * NUL bytes removed) and its {@link #valueWidth()} values. The count is taken modulo {@code p}: a negative count
   * subtracts, and a count that is a multiple of {@code p} leaves the key absent (TFF's {@code test_iblt_with_counts}).
   *
   * @throws IllegalArgumentException if the number of values is not {@link #valueWidth()}, or if the sketch
   *     carries values and {@code count} is not positive (values of a key whose count cancels could not be decoded)
   */
  public void insert(byte[] key, long count, long... keyValues) {
    if (keyValues.length != valueWidth) {
      throw new IllegalArgumentException("insert: this sketch carries " + valueWidth + " value(s) per key, got "
          + keyValues.length);
    }
    if (valueWidth > 0 && count <= 0) {
      throw new IllegalArgumentException("insert: a sketch with values needs a positive count per key, got " + count);
    }
    byte[] k = normalize(key);
    long c = Math.floorMod(count, P);
    long[] chunks = chunks(k);
    long q = hyperedges.check(k);
    int[] at = new int[parameters.repetitions()];
    hyperedges.cells(k, at);
    for (int r = 0; r < at.length; r++) {
      int cell = r * tableSize + at[r];
      add(cells, cell * width, c, chunks, q);
      for (int v = 0; v < valueWidth; v++) {
        values[cell * valueWidth + v] += keyValues[v];
      }
    }
  }

  /** Adds {@code c} times the key with {@code chunks} and check {@code q} to the cell at {@code base}. */
  private void add(long[] t, int base, long c, long[] chunks, long q) {
    for (int j = 0; j < numChunks; j++) {
      t[base + j] = (t[base + j] + c * chunks[j]) % P;
    }
    t[base + numChunks] = (t[base + numChunks] + c) % P;
    t[base + numChunks + 1] = (t[base + numChunks + 1] + c * q % P) % P;
  }

  /**
   * Adds {@code other} into this sketch, cell by cell: afterwards every key's count (and values) is the sum of its
   * counts (and values) in both.
   *
   * @throws IllegalArgumentException if the sketches differ in parameters or value width
   */
  public void addInPlace(Iblt other) {
    checkCompatible("addInPlace", other);
    for (int i = 0; i < cells.length; i++) {
      cells[i] = (cells[i] + other.cells[i]) % P;
    }
    for (int i = 0; i < values.length; i++) {
      values[i] += other.values[i];
    }
  }

  /**
   * Subtracts {@code other} from this sketch: every key's count becomes its count here minus its count there, modulo
   * {@code p} (a key only in {@code other} decodes with count {@code p - c}).
   *
   * @throws IllegalArgumentException if the sketches differ in parameters
   * @throws IllegalStateException if the sketches carry values, which TFF's value tensor cannot subtract: a key
   *     whose counts cancel would leave its values in cells no key accounts for
   */
  public void subtractInPlace(Iblt other) {
    checkCompatible("subtractInPlace", other);
    if (valueWidth > 0) {
      throw new IllegalStateException("subtractInPlace: sketches with values (" + valueWidth + " per key) can be added"
          + " but not subtracted");
    }
    for (int i = 0; i < cells.length; i++) {
      cells[i] = Math.floorMod(cells[i] - other.cells[i], P);
    }
  }

  private void checkCompatible(String op, Iblt other) {
    if (!parameters.equals(other.parameters) || valueWidth != other.valueWidth) {
      throw new IllegalArgumentException(op + ": sketches must have equal parameters and value widths; this one has "
          + parameters + " with " + valueWidth + " value(s), the other " + other.parameters + " with "
          + other.valueWidth);
    }
  }

  /** An independent copy of this sketch. */
  public Iblt copy() {
    return new Iblt(parameters, valueWidth, cells.clone(), values.clone());
  }

  /** The cells as a new int64 tensor {@code [R, S, K + 2]}, each element in {@code [0, p)}. */
  public Tensor sketchTensor() {
    return Tensor.wrap(cells.clone(), Shape.of(parameters.repetitions(), tableSize, width));
  }

  /** The values as a new int64 tensor {@code [R, S, V]}. */
  public Tensor valuesTensor() {
    return Tensor.wrap(values.clone(), Shape.of(parameters.repetitions(), tableSize, valueWidth));
  }

  // ------------------------------------------------------------------ sparse contributions

  /**
   * An encoder of keys into sparse contributions: what {@link #insert(byte[], long, long...)} would add to each of a
   * key's {@code R} cells, without a table. Summing contributions into a table gives the same table as inserting the
   * keys, so a client with a few keys can send (or a fold can apply) {@code O(keys)} numbers instead of a whole
   * {@code R · S · (K + 2)} sketch. Immutable and thread-safe.
   *
   * <p>A contribution is packed as {@link #stride()} longs per (key, repetition): the flat cell index
   * {@code r · S + h_r(key)}, the {@code K + 2} cell columns (each in {@code [0, p)}), then the key's values.
   */
  public static final class Encoder {
    private final IbltParameters parameters;
    private final Hyperedges hyperedges;
    private final int valueWidth;
    private final int width;

    private Encoder(IbltParameters parameters, int valueWidth) {
      this.parameters = parameters;
      this.hyperedges = new Hyperedges(parameters);
      this.valueWidth = valueWidth;
      this.width = parameters.cellWidth();
    }

    /** The longs of one (key, repetition) contribution: {@code 1 + (K + 2) + valueWidth}. */
    public int stride() {
      return 1 + width + valueWidth;
    }

    /**
     * The packed contributions of {@code keys}, key {@code i} with count {@code counts[i]} and values
     * {@code values[i * valueWidth ..]}; keys are truncated and stripped of NULs as {@link #insert} does.
     *
     * @throws IllegalArgumentException if the arrays' lengths disagree, or a count is not positive while the
     *     sketch carries values
     */
    public long[] encode(List<byte[]> keys, long[] counts, long[] values) {
      if (counts.length != keys.size() || values.length != keys.size() * valueWidth) {
        throw new IllegalArgumentException("encode: " + keys.size() + " keys need " + keys.size() + " counts and "
            + keys.size() * valueWidth + " values, got " + counts.length + " and " + values.length);
      }
      int repetitions = parameters.repetitions();
      int numChunks = parameters.numChunks();
      int stride = stride();
      long[] out = new long[keys.size() * repetitions * stride];
      int[] at = new int[repetitions];
      int o = 0;
      for (int i = 0; i < keys.size(); i++) {
        if (valueWidth > 0 && counts[i] <= 0) {
          throw new IllegalArgumentException("encode: a sketch with values needs a positive count per key, got "
              + counts[i]);
        }
        byte[] k = normalize(parameters, keys.get(i));
        long c = Math.floorMod(counts[i], P);
        long[] chunks = chunks(numChunks, k);
        long q = hyperedges.check(k);
        hyperedges.cells(k, at);
        for (int r = 0; r < repetitions; r++) {
          out[o] = (long) r * parameters.tableSize() + at[r];
          for (int j = 0; j < numChunks; j++) {
            out[o + 1 + j] = c * chunks[j] % P;
          }
          out[o + 1 + numChunks] = c;
          out[o + 2 + numChunks] = c * q % P;
          System.arraycopy(values, i * valueWidth, out, o + 1 + width, valueWidth);
          o += stride;
        }
      }
      return out;
    }

    /**
     * Adds packed contributions into the arrays of a table, {@code cells} ({@code R · S · (K + 2)}, elements in
     * {@code [0, p)}) and {@code values} ({@code R · S · valueWidth}), in place: the arrays then hold the table
     * with the contributions' keys inserted (the layout of {@link Iblt#sketchTensor()} and
     * {@link Iblt#valuesTensor()}).
     *
     * @throws IllegalArgumentException if the arrays or the contributions do not fit the parameters, or a column
     *     is outside {@code [0, p)}
     */
    public void addInto(long[] contributions, long[] cells, long[] values) {
      int cellCount = parameters.repetitions() * parameters.tableSize();
      int stride = stride();
      if (cells.length != cellCount * width || values.length != cellCount * valueWidth
          || contributions.length % stride != 0) {
        throw new IllegalArgumentException("addInto: expected " + cellCount * width + " cells, " + cellCount
            * valueWidth + " values and a multiple of " + stride + " contributions, got " + cells.length + ", "
            + values.length + " and " + contributions.length);
      }
      for (int o = 0; o < contributions.length; o += stride) {
        long cell = contributions[o];
        if (cell < 0 || cell >= cellCount) {
          throw new IllegalArgumentException("addInto: cell " + cell + " outside [0, " + cellCount + ")");
        }
        int base = (int) cell * width;
        for (int j = 0; j < width; j++) {
          long x = contributions[o + 1 + j];
          if (x < 0 || x >= P) {
            throw new IllegalArgumentException("addInto: column " + j + " of contribution " + o / stride + " is " + x
                + ", outside [0, p)");
          }
          long sum = cells[base + j] + x;      // both in [0, p): one subtraction reduces it (no division)
          cells[base + j] = sum >= P ? sum - P : sum;
        }
        for (int v = 0; v < valueWidth; v++) {
          values[(int) cell * valueWidth + v] += contributions[o + 1 + width + v];
        }
      }
    }
  }

  /** An encoder of sparse contributions for sketches of these parameters carrying {@code valueWidth} values. */
  public static Encoder encoder(IbltParameters parameters, int valueWidth) {
    Objects.requireNonNull(parameters, "parameters");
    if (valueWidth < 0) {
      throw new IllegalArgumentException("valueWidth must be at least 0, got " + valueWidth);
    }
    return new Encoder(parameters, valueWidth);
  }

  // ------------------------------------------------------------------ decoding

  /**
   * A key recovered by {@link #decode()}.
   *
   * @param keyBytes the key's bytes (after truncation and NUL removal); may end inside a multi-byte character
   * @param count its count modulo {@code p}, in {@code [1, p)}: a count of {@code -c} reads {@code p - c}, as in TFF
   * @param values its {@link #valueWidth()} values
   */
  public record Entry(byte[] keyBytes, long count, long[] values) {
    /** Copies the arrays. */
    public Entry {
      keyBytes = keyBytes.clone();
      values = values.clone();
    }

    /** A copy of the key's bytes. */
    @Override
    public byte[] keyBytes() {
      return keyBytes.clone();
    }

    /** A copy of the values. */
    @Override
    public long[] values() {
      return values.clone();
    }

    /** The key as text, dropping a character cut by truncation ({@link Utf8#decode}). */
    public String key() {
      return Utf8.decode(keyBytes);
    }

    /** Equal keys, counts and values. */
    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e && Arrays.equals(keyBytes, e.keyBytes) && count == e.count
          && Arrays.equals(values, e.values);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * Arrays.hashCode(keyBytes) + Long.hashCode(count)) + Arrays.hashCode(values);
    }

    /** {@code key=count} or {@code key=count [values]}. */
    @Override
    public String toString() {
      return key() + "=" + count + (values.length == 0 ? "" : " " + Arrays.toString(values));
    }
  }

  /**
   * What a sketch decodes to.
   *
   * @param entries the recovered keys, in the order they were peeled
   * @param numNotDecoded the remaining count: the sum of the count column over all cells after peeling, divided by
   *     the number of repetitions (TFF's {@code num_not_decoded}); 0 when every key was recovered
   */
  public record Decoded(List<Entry> entries, long numNotDecoded) {
    /** Copies the list. */
    public Decoded {
      entries = List.copyOf(entries);
    }
  }

  /**
   * Recovers the keys by peeling, without changing this sketch. Cells are examined in order (repetition, then
   * index), and the cells of each recovered key again, until no cell yields a key.
   *
   * <p>A cell yields a key when its count {@code c} is not 0, its chunks divided by {@code c} are byte triples of a
   * non-empty key, the check column equals {@code c * q(key)} and the key hashes to this cell. The last two
   * conditions make a false key (a cell of several keys that happens to look like one) unlikely, about 1 in
   * {@code p} per cell: TFF checks only the first three, so in the rare case where TFF would accept a wrong key this
   * decoder reports it as not decoded instead. A key is recovered at most once, and at most {@code R * S} keys are
   * (a sketch of non-negative counts below {@code p} cannot hold more decodable keys: each peel empties a cell for
   * good), so decoding ends on any sketch, including one crafted to make peeling cycle.
   */
  public Decoded decode() {
    long[] t = cells.clone();
    long[] v = values.clone();
    int repetitions = parameters.repetitions();
    int numCells = repetitions * tableSize;
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int cell = 0; cell < numCells; cell++) {
      if (t[cell * width + numChunks] != 0) {
        queue.add(cell);
      }
    }
    List<Entry> entries = new ArrayList<>();
    Set<ByteBuffer> seen = new HashSet<>();
    int[] at = new int[repetitions];
    long[] peeled = new long[valueWidth];
    while (!queue.isEmpty() && entries.size() < numCells) {
      int cell = queue.poll();
      int base = cell * width;
      long c = t[base + numChunks];
      if (c == 0) {
        continue;
      }
      long[] chunks = new long[numChunks];
      byte[] key = keyOf(t, base, c, chunks);
      if (key == null) {
        continue;
      }
      hyperedges.cells(key, at);
      long q = hyperedges.check(key);
      if (at[cell / tableSize] != cell % tableSize || t[base + numChunks + 1] != c * q % P
          || !seen.add(ByteBuffer.wrap(key))) {
        continue;
      }
      System.arraycopy(v, cell * valueWidth, peeled, 0, valueWidth);
      for (int r = 0; r < repetitions; r++) {
        int other = r * tableSize + at[r];
        add(t, other * width, P - c, chunks, q);
        for (int j = 0; j < valueWidth; j++) {
          v[other * valueWidth + j] -= peeled[j];
        }
        if (t[other * width + numChunks] != 0) {
          queue.add(other);
        }
      }
      entries.add(new Entry(key, c, peeled));
    }
    long remaining = 0;
    for (int cell = 0; cell < numCells; cell++) {
      remaining += t[cell * width + numChunks];
    }
    return new Decoded(entries, remaining / repetitions);
  }

  /**
   * The key of the cell at {@code base} if it holds exactly {@code c} times one key: its chunks (into
   * {@code chunks}) are {@code sum_j / c mod p}, each a byte triple, and the bytes without NULs are not empty. Null
   * otherwise.
   */
  private byte[] keyOf(long[] t, int base, long c, long[] chunks) {
    long inverse = inverse(c);
    byte[] bytes = new byte[numChunks * IbltParameters.BYTES_PER_CHUNK];
    int n = 0;
    for (int j = 0; j < numChunks; j++) {
      long chunk = t[base + j] * inverse % P;
      if (chunk >= CHUNK_LIMIT) {
        return null;
      }
      chunks[j] = chunk;
      for (int b = 0; b < IbltParameters.BYTES_PER_CHUNK; b++) {
        byte x = (byte) (chunk >>> (8 * b));
        if (x != 0) {
          bytes[n++] = x;
        }
      }
    }
    return n == 0 ? null : Arrays.copyOf(bytes, n);
  }

  /** {@code c^(p-2) mod p}, the inverse of {@code c} in the prime field (Fermat). */
  private static long inverse(long c) {
    long result = 1;
    long base = c;
    for (long e = P - 2; e > 0; e >>= 1) {
      if ((e & 1) == 1) {
        result = result * base % P;
      }
      base = base * base % P;
    }
    return result;
  }

  // ------------------------------------------------------------------ keys

  /** The key's bytes as the sketch stores them: at most {@code maxKeyBytes}, without NULs. */
  private byte[] normalize(byte[] key) {
    return normalize(parameters, key);
  }

  private static byte[] normalize(IbltParameters parameters, byte[] key) {
    int limit = Math.min(key.length, parameters.maxKeyBytes());
    byte[] out = new byte[limit];
    int n = 0;
    for (int i = 0; i < limit; i++) {
      if (key[i] != 0) {
        out[n++] = key[i];
      }
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  /** Chunk {@code j} packs bytes {@code 3j..3j+2} little-endian; missing bytes are 0. */
  private long[] chunks(byte[] key) {
    return chunks(numChunks, key);
  }

  private static long[] chunks(int numChunks, byte[] key) {
    long[] chunks = new long[numChunks];
    for (int i = 0; i < key.length; i++) {
      chunks[i / IbltParameters.BYTES_PER_CHUNK] |= (key[i] & 0xFFL) << (8 * (i % IbltParameters.BYTES_PER_CHUNK));
    }
    return chunks;
  }
}
