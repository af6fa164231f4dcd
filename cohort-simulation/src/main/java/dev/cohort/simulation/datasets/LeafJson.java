package dev.cohort.simulation.datasets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.Dataset;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.CharConversionException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * LEAF's JSON layout as a {@link ClientData}: each file one object
 * {@code {"users": [ids], "num_samples": [counts], "user_data": {id: {"x": [...], "y": [...]}}}}, files plain
 * ({@code .json}) or gzip-compressed ({@code .json.gz}), several files merged (a client may appear in only one).
 *
 * <p><b>Streaming.</b> Loading reads each file once with Jackson's streaming parser and keeps only an index: for every
 * client its file, its example count and the byte offset of its {@code user_data} entry (in the decompressed
 * stream). Every check happens then: {@code users} and {@code num_samples} agree with {@code user_data}, each
 * example fits the {@link LeafFeatures}, the JSON is well formed to its end. A client's examples are read when its
 * dataset is iterated: a plain file is opened at the entry's offset and only that entry is parsed; a gzip file is
 * decompressed from its start and skipped (not parsed) up to the offset, so reading a client costs decompressing
 * the file up to it. For gzip files of hundreds of megabytes that are read client by client many times,
 * decompress them once ({@code gunzip}) and load the {@code .json}. No file is ever held in memory, and a pass holds
 * one client's examples, in two tensors.
 *
 * <p>A file that changed after it was loaded is refused when a client is read from it. Bad input raises
 * {@link DatasetFormatException} naming the file, the line and column (byte offset when reading a client), the
 * client and the problem; an I/O failure raises {@link UncheckedIOException}.
 */
public final class LeafJson {
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private LeafJson() {}

  /** Where a client's examples are: its file, the offset of its entry, how many there are. */
  private record Entry(LeafFile file, long offset, int count, String position) {}

  /** A loaded file and what identified it when it was indexed. */
  private record LeafFile(Path path, boolean gzip, long size, FileTime modified) {
    String name() {
      return path.toString();
    }
  }

  /**
   * The clients of {@code files}, merged, each example read as {@code features} say.
   *
   * @throws DatasetFormatException if a file is not valid LEAF JSON for these features, or a client is in two files
   * @throws UncheckedIOException if a file cannot be read
   */
  public static ClientData load(LeafFeatures features, List<Path> files) {
    Map<String, Entry> entries = new HashMap<>();
    for (Path path : files) {
      LeafFile file = describe(path);
      for (Map.Entry<String, Entry> e : index(file, features).entrySet()) {
        Entry previous = entries.putIfAbsent(e.getKey(), e.getValue());
        if (previous != null) {
          throw new DatasetFormatException(path, e.getValue().position(), e.getKey(),
              "this client is also in " + previous.file().name() + " (" + previous.position()
                  + "); a client may appear in only one file", null);
        }
      }
    }
    return ClientData.of(entries.keySet(), features.elementType(),
        id -> Dataset.defer(features.elementType(), () -> Dataset.fromTensorSlices(read(entries.get(id), id,
            features))));
  }

  /**
   * The LEAF files of a directory, {@code *.json} and {@code *.json.gz}, sorted by name.
   *
   * @throws UncheckedIOException if the directory cannot be listed
   */
  public static List<Path> filesIn(Path directory) {
    try (Stream<Path> s = Files.list(directory)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".json")
              || p.getFileName().toString().endsWith(".json.gz"))
          .filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the LEAF files in " + directory, e);
    }
  }

  /**
   * FEMNIST as LEAF's preprocessing writes it under {@code root}: {@code root/train} and {@code root/test}, each a
   * directory of LEAF files, read with {@link LeafFeatures#FEMNIST}.
   *
   * @throws IllegalArgumentException if either directory is missing or holds no LEAF file
   */
  public static ClientData.Split femnist(Path root) {
    return new ClientData.Split(split(root, "train"), split(root, "test"));
  }

  private static ClientData split(Path root, String name) {
    Path dir = root.resolve(name);
    List<Path> files = Files.isDirectory(dir) ? filesIn(dir) : List.of();
    if (files.isEmpty()) {
      throw new IllegalArgumentException("FEMNIST: expected LEAF files (*.json, *.json.gz) in " + dir);
    }
    return load(LeafFeatures.FEMNIST, files);
  }

  private static LeafFile describe(Path path) {
    try {
      return new LeafFile(path, path.getFileName().toString().endsWith(".gz"), Files.size(path),
          Files.getLastModifiedTime(path));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read LEAF file " + path, e);
    }
  }

  // ---------------------------------------------------------------- indexing

  /** What one user_data entry held, as the index pass found it. */
  private record Found(long offset, int xCount, int yCount, String position) {}

  private static Map<String, Entry> index(LeafFile file, LeafFeatures features) {
    JsonParser p = null;
    try (InputStream in = open(file)) {
      p = JSON.createParser(in);
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw problem(file, p, null, "expected a JSON object {\"users\", \"num_samples\", \"user_data\"}, found "
            + TensorReader.describe(p));
      }
      List<String> users = null;
      List<Integer> counts = null;
      String usersAt = null;
      Map<String, Found> data = null;
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "users" -> {
            usersAt = position(p.currentTokenLocation());
            users = strings(file, p, "users");
          }
          case "num_samples" -> counts = counts(file, p);
          case "user_data" -> data = userData(file, p, features);
          default -> p.skipChildren();
        }
      }
      if (t != JsonToken.END_OBJECT) {
        throw problem(file, p, null, "expected a field name or the end of the object, found "
            + TensorReader.describe(p));
      }
      if (p.nextToken() != null) {
        throw problem(file, p, null, "expected the end of the file after the JSON object, found "
            + TensorReader.describe(p));
      }
      String end = position(p.currentLocation());
      if (users == null || counts == null || data == null) {
        throw new DatasetFormatException(file.path(), end, null, "the object lacks "
            + (users == null ? "\"users\"" : counts == null ? "\"num_samples\"" : "\"user_data\"")
            + "; LEAF JSON needs users, num_samples and user_data", null);
      }
      return check(file, users, usersAt, counts, data);
    } catch (JsonProcessingException e) {
      throw new DatasetFormatException(file.path(), position(e.getLocation()), null,
          "malformed JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw streamFailure(file, p, 0, null, e);
    } finally {
      close(p);
    }
  }

  private static Map<String, Entry> check(LeafFile file, List<String> users, String usersAt, List<Integer> counts,
      Map<String, Found> data) {
    if (users.size() != counts.size()) {
      throw new DatasetFormatException(file.path(), usersAt, null, "users lists " + users.size()
          + " clients but num_samples has " + counts.size() + " counts", null);
    }
    Map<String, Entry> out = new LinkedHashMap<>();
    for (int k = 0; k < users.size(); k++) {
      String id = users.get(k);
      Found f = data.get(id);
      if (out.containsKey(id)) {
        throw new DatasetFormatException(file.path(), usersAt, id, "users lists this client twice", null);
      }
      if (f == null) {
        throw new DatasetFormatException(file.path(), usersAt, id,
            "listed in users (entry " + k + ") but has no entry in user_data", null);
      }
      int n = counts.get(k);
      if (f.xCount() != n || f.yCount() != n) {
        throw new DatasetFormatException(file.path(), f.position(), id, "num_samples says " + n
            + " examples, but x has " + f.xCount() + " and y has " + f.yCount(), null);
      }
      out.put(id, new Entry(file, f.offset(), n, f.position()));
    }
    for (Map.Entry<String, Found> e : data.entrySet()) {
      if (!out.containsKey(e.getKey())) {
        throw new DatasetFormatException(file.path(), e.getValue().position(), e.getKey(),
            "has an entry in user_data but is not listed in users", null);
      }
    }
    return out;
  }

  private static List<String> strings(LeafFile file, JsonParser p, String field) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw problem(file, p, null, "\"" + field + "\" must be an array of strings, found " + TensorReader.describe(p));
    }
    List<String> out = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.VALUE_STRING) {
        throw problem(file, p, null, "\"" + field + "\" must hold strings, found " + TensorReader.describe(p));
      }
      out.add(p.getText());
    }
    return out;
  }

  private static List<Integer> counts(LeafFile file, JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw problem(file, p, null, "\"num_samples\" must be an array of counts, found " + TensorReader.describe(p));
    }
    List<Integer> out = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT || p.getIntValue() < 0) {
        throw problem(file, p, null, "\"num_samples\" must hold counts (integers >= 0), found "
            + TensorReader.describe(p) + " " + p.getText());
      }
      out.add(p.getIntValue());
    }
    return out;
  }

  private static Map<String, Found> userData(LeafFile file, JsonParser p, LeafFeatures features) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw problem(file, p, null, "\"user_data\" must be an object keyed by client id, found "
          + TensorReader.describe(p));
    }
    TensorReader x = new TensorReader(features.xType());
    TensorReader y = new TensorReader(features.yType());
    Tensor xScratch = Tensor.zeros(features.xType().dtype(), features.xType().toShape());
    Tensor yScratch = Tensor.zeros(features.yType().dtype(), features.yType().toShape());
    Map<String, Found> out = new LinkedHashMap<>();
    for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
      String id = p.currentName();
      String at = position(p.currentTokenLocation());
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw problem(file, p, id, "a user_data entry must be an object {\"x\": [...], \"y\": [...]}, found "
            + TensorReader.describe(p));
      }
      long offset = p.currentTokenLocation().getByteOffset();
      int xCount = -1;
      int yCount = -1;
      for (JsonToken f = p.nextToken(); f == JsonToken.FIELD_NAME; f = p.nextToken()) {
        String name = p.currentName();
        p.nextToken();
        switch (name) {
          case "x" -> xCount = examples(file, p, id, "x", x, xScratch);
          case "y" -> yCount = examples(file, p, id, "y", y, yScratch);
          default -> p.skipChildren();
        }
      }
      if (xCount < 0 || yCount < 0) {
        throw new DatasetFormatException(file.path(), at, id, "the user_data entry lacks \""
            + (xCount < 0 ? "x" : "y") + "\"", null);
      }
      out.put(id, new Found(offset, xCount, yCount, at));
    }
    return out;
  }

  /** Checks the examples of one field against its reader and counts them. */
  private static int examples(LeafFile file, JsonParser p, String id, String field, TensorReader reader,
      Tensor scratch) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw problem(file, p, id, "\"" + field + "\" must be an array of examples, found " + TensorReader.describe(p));
    }
    int n = 0;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      try {
        reader.read(p, scratch, 0);
      } catch (TensorReader.Mismatch m) {
        throw new DatasetFormatException(file.path(), position(m.location), id,
            field + "[" + n + "]: " + m.getMessage(), null);
      }
      n++;
    }
    return n;
  }

  // ---------------------------------------------------------------- reading a client

  private static Struct read(Entry e, String id, LeafFeatures features) {
    LeafFile file = e.file();
    requireUnchanged(file, id);
    TensorType xType = features.xType();
    TensorType yType = features.yType();
    Tensor xs = Tensor.zeros(xType.dtype(), batched(e.count(), xType));
    Tensor ys = Tensor.zeros(yType.dtype(), batched(e.count(), yType));
    JsonParser p = null;
    try (InputStream in = openAt(file, e.offset())) {
      p = JSON.createParser(in);
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw readProblem(e, id, p, "expected the client's entry to start here, found " + TensorReader.describe(p));
      }
      for (JsonToken f = p.nextToken(); f == JsonToken.FIELD_NAME; f = p.nextToken()) {
        String name = p.currentName();
        p.nextToken();
        switch (name) {
          case "x" -> fill(e, id, p, "x", new TensorReader(xType), xs);
          case "y" -> fill(e, id, p, "y", new TensorReader(yType), ys);
          default -> p.skipChildren();
        }
      }
    } catch (JsonProcessingException ex) {
      throw new DatasetFormatException(file.path(), "byte " + (e.offset() + ex.getLocation().getByteOffset()), id,
          "malformed JSON in the client's entry (" + e.position() + "): " + ex.getOriginalMessage(), ex);
    } catch (IOException ex) {
      throw streamFailure(file, p, e.offset(), id, ex);
    } finally {
      close(p);
    }
    List<String> names = features.elementType().names();
    List<Object> values = new ArrayList<>();
    for (String name : names) {
      values.add(name.equals(features.x()) ? xs : ys);
    }
    return Struct.of(names, values);
  }

  private static Shape batched(int n, TensorType t) {
    int[] dims = t.toShape().dims();
    int[] out = new int[dims.length + 1];
    out[0] = n;
    System.arraycopy(dims, 0, out, 1, dims.length);
    if ((long) n * t.toShape().size() > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(n + " examples of " + t + " do not fit in one tensor");
    }
    return Shape.of(out);
  }

  private static void fill(Entry e, String id, JsonParser p, String field, TensorReader reader, Tensor dest)
      throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw readProblem(e, id, p, "\"" + field + "\" must be an array, found " + TensorReader.describe(p));
    }
    int i = 0;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (i == e.count()) {
        throw readProblem(e, id, p, "\"" + field + "\" has more than the " + e.count() + " examples indexed");
      }
      try {
        reader.read(p, dest, i);
      } catch (TensorReader.Mismatch m) {
        throw readProblem(e, id, p, field + "[" + i + "]: " + m.getMessage());
      }
      i++;
    }
    if (i != e.count()) {
      throw readProblem(e, id, p, "\"" + field + "\" has " + i + " examples, " + e.count() + " were indexed");
    }
  }

  private static void requireUnchanged(LeafFile file, String id) {
    try {
      long size = Files.size(file.path());
      FileTime modified = Files.getLastModifiedTime(file.path());
      if (size != file.size() || !modified.equals(file.modified())) {
        throw new DatasetFormatException(file.path(), "byte 0", id, "the file changed since it was loaded (size "
            + file.size() + " -> " + size + ", modified " + file.modified() + " -> " + modified
            + "); load it again", null);
      }
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot read LEAF file " + file.path() + " for client '" + id + "'", ex);
    }
  }

  // ---------------------------------------------------------------- streams and messages

  private static InputStream open(LeafFile file) throws IOException {
    InputStream raw = Files.newInputStream(file.path());
    if (!file.gzip()) {
      return raw;
    }
    try {
      return new GZIPInputStream(raw, 1 << 16);
    } catch (IOException e) {
      raw.close();
      throw e;
    }
  }

  private static InputStream openAt(LeafFile file, long offset) throws IOException {
    if (!file.gzip()) {
      FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.READ);
      channel.position(offset);
      return Channels.newInputStream(channel);
    }
    InputStream in = open(file);
    try {
      in.skipNBytes(offset);
      return in;
    } catch (IOException e) {
      in.close();
      throw e;
    }
  }

  /** A failure of the byte stream: corrupt or truncated gzip data is a format error, anything else I/O. */
  private static RuntimeException streamFailure(LeafFile file, JsonParser p, long base, String id, IOException e) {
    boolean corrupt = file.gzip() && (e instanceof ZipException || e instanceof EOFException);
    if (!corrupt && !(e instanceof CharConversionException)) {
      return new UncheckedIOException("cannot read LEAF file " + file.path()
          + (id != null ? " for client '" + id + "'" : ""), e);
    }
    long at = base + (p == null ? 0 : Math.max(0, p.currentLocation().getByteOffset()));
    String what = e instanceof CharConversionException ? "the text is not valid JSON encoding: " + e.getMessage()
        : e instanceof EOFException ? "the gzip stream is truncated (" + e.getMessage() + ")"
        : "the gzip stream is corrupt (" + e.getMessage() + ")";
    return new DatasetFormatException(file.path(), (file.gzip() ? "decompressed byte " : "byte ") + at, id, what, e);
  }

  private static DatasetFormatException problem(LeafFile file, JsonParser p, String id, String what) {
    return new DatasetFormatException(file.path(), position(p.currentTokenLocation()), id, what, null);
  }

  private static DatasetFormatException readProblem(Entry e, String id, JsonParser p, String what) {
    return new DatasetFormatException(e.file().path(), "byte " + (e.offset()
        + p.currentTokenLocation().getByteOffset()) + " (in the client's entry at " + e.position() + ")", id, what,
        null);
  }

  private static String position(JsonLocation at) {
    if (at == null) {
      return "unknown position";
    }
    return "line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  private static void close(JsonParser p) {
    if (p != null) {
      try {
        p.close();
      } catch (IOException ignored) {
        // the stream is closed by the try-with-resources that owns it; nothing was lost
      }
    }
  }
}
