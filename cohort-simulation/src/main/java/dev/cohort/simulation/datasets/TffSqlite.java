package dev.cohort.simulation.datasets;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.Dataset;
import dev.cohort.simulation.proto.Example;
import dev.cohort.simulation.proto.Feature;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.tukaani.xz.LZMAInputStream;
import org.tukaani.xz.XZIOException;
import org.tukaani.xz.XZInputStream;

/**
 * TFF's SQLite ClientData ({@code tff.simulation.datasets.SqlClientData}), as {@code tff.simulation.datasets}
 * writes EMNIST, Shakespeare and StackOverflow: a table {@code examples(split_name, client_id,
 * serialized_example_proto)} whose blobs are serialized {@code tf.train.Example}s, and a table
 * {@code client_metadata(client_id, split_name, num_examples)}.
 *
 * <pre>{@code
 * ClientData train = TffSqlite.load(Path.of("emnist_all.sqlite.lzma"), "train", ExampleSpec.EMNIST);
 * }</pre>
 *
 * <p>A split's clients are those {@code client_metadata} lists for it (sorted); a client's examples are read when
 * its dataset is iterated ({@code SELECT serialized_example_proto FROM examples WHERE split_name = ? AND client_id = ?
 * ORDER BY rowid}), parsed with protobuf-java and checked against the {@link ExampleSpec} and the count
 * {@code client_metadata} gives. A {@code .lzma} file (TFF hosts its files as {@code .sqlite.lzma}: XZ, or the legacy
 * LZMA format) is decompressed once into a temporary file, written to a temporary name and renamed when complete,
 * deleted when the JVM exits. The database is opened read-only.
 *
 * <p>A file that is not SQLite, lacks a table or a column, names a split with no clients, or holds a malformed or
 * mismatching {@code tf.train.Example} raises {@link DatasetFormatException} naming the file, the split, the client
 * and the example (its index and rowid).
 */
public final class TffSqlite {
  private TffSqlite() {}

  /**
   * The clients of {@code split} in {@code file} ({@code .sqlite}, or {@code .lzma}-compressed), their examples read
   * as {@code spec} says.
   *
   * @throws DatasetFormatException if the file is not TFF's layout, or the split has no clients
   * @throws UncheckedIOException if the file cannot be read or decompressed
   */
  public static ClientData load(Path file, String split, ExampleSpec spec) {
    Path db = file.getFileName().toString().endsWith(".lzma") ? decompress(file) : file;
    if (!Files.isRegularFile(db)) {
      throw new UncheckedIOException(new FileNotFoundException(file + ": no such file"));
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    try (Connection c = open(file, db)) {
      requireTable(file, c, "examples", "split_name", "client_id", "serialized_example_proto");
      requireTable(file, c, "client_metadata", "client_id", "split_name", "num_examples");
      try (PreparedStatement s = c.prepareStatement(
          "SELECT client_id, num_examples FROM client_metadata WHERE split_name = ?")) {
        s.setString(1, split);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            String id = r.getString(1);
            long n = r.getLong(2);
            if (id == null || n < 0 || n > Integer.MAX_VALUE - 8) {
              throw new DatasetFormatException(file, "table client_metadata, split '" + split + "'", id,
                  "num_examples " + n + " is not a count of examples", null);
            }
            if (counts.put(id, (int) n) != null) {
              throw new DatasetFormatException(file, "table client_metadata, split '" + split + "'", id,
                  "the client is listed twice", null);
            }
          }
        }
      }
      if (counts.isEmpty()) {
        throw new DatasetFormatException(file, "table client_metadata", null, "no clients in split '" + split
            + "' (splits: " + splits(c) + ")", null);
      }
    } catch (SQLException e) {
      throw sqlProblem(file, "reading client_metadata", null, e);
    }
    StructType type = spec.elementType();
    return ClientData.of(counts.keySet(), type, id -> Dataset.defer(type,
        () -> Dataset.fromTensorSlices(read(file, db, split, id, counts.get(id), spec))));
  }

  private static Connection open(Path file, Path db) throws SQLException {
    Properties p = new Properties();
    p.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath(), p);
    try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM sqlite_master")) {
      s.executeQuery().close(); // SQLite reads the header only now: a file that is not SQLite fails here
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  private static void requireTable(Path file, Connection c, String table, String... columns) throws SQLException {
    List<String> found = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement("SELECT name FROM pragma_table_info(?)")) {
      s.setString(1, table);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          found.add(r.getString(1));
        }
      }
    }
    if (found.isEmpty()) {
      throw new DatasetFormatException(file, "schema", null, "no table '" + table + "' (tables: " + tables(c)
          + "); TFF's SQLite ClientData has examples(split_name, client_id, serialized_example_proto) and"
          + " client_metadata(client_id, split_name, num_examples)", null);
    }
    for (String column : columns) {
      if (!found.contains(column)) {
        throw new DatasetFormatException(file, "schema, table " + table, null, "no column '" + column
            + "' (columns: " + found + ")", null);
      }
    }
  }

  private static TreeSet<String> tables(Connection c) throws SQLException {
    TreeSet<String> out = new TreeSet<>();
    try (PreparedStatement s = c.prepareStatement("SELECT name FROM sqlite_master WHERE type = 'table'");
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        out.add(r.getString(1));
      }
    }
    return out;
  }

  private static TreeSet<String> splits(Connection c) throws SQLException {
    TreeSet<String> out = new TreeSet<>();
    try (PreparedStatement s = c.prepareStatement("SELECT DISTINCT split_name FROM client_metadata");
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        out.add(String.valueOf(r.getString(1)));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- reading a client

  private static Struct read(Path file, Path db, String split, String id, int count, ExampleSpec spec) {
    StructType type = spec.elementType();
    int fields = type.size();
    Object[] columns = new Object[fields];
    int[] sizes = new int[fields];
    for (int f = 0; f < fields; f++) {
      TensorType t = (TensorType) type.type(f);
      sizes[f] = t.toShape().size();
      if ((long) sizes[f] * count > Integer.MAX_VALUE - 8) {
        throw new DatasetFormatException(file, "split '" + split + "'", id, count + " examples of " + t
            + " do not fit in one tensor", null);
      }
      columns[f] = allocate(t.dtype(), sizes[f] * count);
    }
    int n = 0;
    try (Connection c = open(file, db); PreparedStatement s = c.prepareStatement("SELECT rowid,"
        + " serialized_example_proto FROM examples WHERE split_name = ? AND client_id = ? ORDER BY rowid")) {
      s.setString(1, split);
      s.setString(2, id);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          long rowid = r.getLong(1);
          String where = "split '" + split + "', example " + n + " (rowid " + rowid + ")";
          if (n == count) {
            throw new DatasetFormatException(file, where, id, "the client has more examples than the "
                + count + " client_metadata gives", null);
          }
          byte[] blob = r.getBytes(2);
          Example example;
          try {
            example = Example.parseFrom(blob == null ? new byte[0] : blob);
          } catch (InvalidProtocolBufferException e) {
            throw new DatasetFormatException(file, where, id, "malformed tf.train.Example: " + e.getMessage(), e);
          }
          Map<String, Feature> features = example.getFeatures().getFeatureMap();
          for (int f = 0; f < fields; f++) {
            fill(file, where, id, type.name(f), (TensorType) type.type(f), features, columns[f], n * sizes[f]);
          }
          n++;
        }
      }
    } catch (SQLException e) {
      throw sqlProblem(file, "reading split '" + split + "'", id, e);
    }
    if (n != count) {
      throw new DatasetFormatException(file, "split '" + split + "'", id, "client_metadata gives " + count
          + " examples, the examples table holds " + n, null);
    }
    List<String> names = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    for (int f = 0; f < fields; f++) {
      TensorType t = (TensorType) type.type(f);
      int[] dims = t.toShape().dims();
      int[] batched = new int[dims.length + 1];
      batched[0] = count;
      System.arraycopy(dims, 0, batched, 1, dims.length);
      names.add(type.name(f));
      values.add(wrap(t.dtype(), columns[f], Shape.of(batched)));
    }
    return Struct.of(names, values);
  }

  private static void fill(Path file, String where, String id, String name, TensorType t,
      Map<String, Feature> features, Object dest, int offset) {
    Feature feature = features.get(name);
    if (feature == null) {
      throw new DatasetFormatException(file, where, id, "no feature '" + name + "' (the Example has "
          + new TreeSet<>(features.keySet()) + ")", null);
    }
    int size = t.toShape().size();
    String expected = switch (t.dtype()) {
      case FLOAT32 -> "float_list";
      case STRING -> "bytes_list";
      case INT32, INT64, BOOL -> "int64_list";
    };
    int found = switch (feature.getKindCase()) {
      case FLOAT_LIST -> t.dtype() == DType.FLOAT32 ? feature.getFloatList().getValueCount() : -1;
      case BYTES_LIST -> t.dtype() == DType.STRING ? feature.getBytesList().getValueCount() : -1;
      case INT64_LIST -> expected.equals("int64_list") ? feature.getInt64List().getValueCount() : -1;
      case KIND_NOT_SET -> -1;
    };
    if (found < 0) {
      throw new DatasetFormatException(file, where, id, "feature '" + name + "' is a "
          + kindName(feature) + ", expected a " + expected + " for " + t, null);
    }
    if (found != size) {
      throw new DatasetFormatException(file, where, id, "feature '" + name + "' has " + found + " values, "
          + t + " needs " + size, null);
    }
    for (int k = 0; k < size; k++) {
      switch (t.dtype()) {
        case FLOAT32 -> ((float[]) dest)[offset + k] = feature.getFloatList().getValue(k);
        case INT64 -> ((long[]) dest)[offset + k] = feature.getInt64List().getValue(k);
        case INT32 -> {
          long v = feature.getInt64List().getValue(k);
          if (v != (int) v) {
            throw new DatasetFormatException(file, where, id, "feature '" + name + "' value " + v
                + " does not fit int32", null);
          }
          ((int[]) dest)[offset + k] = (int) v;
        }
        case BOOL -> {
          long v = feature.getInt64List().getValue(k);
          if (v != 0 && v != 1) {
            throw new DatasetFormatException(file, where, id, "feature '" + name + "' value " + v
                + " is not a bool (0 or 1)", null);
          }
          ((boolean[]) dest)[offset + k] = v == 1;
        }
        case STRING -> {
          try {
            ((String[]) dest)[offset + k] = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(feature.getBytesList().getValue(k).toByteArray())).toString();
          } catch (CharacterCodingException e) {
            throw new DatasetFormatException(file, where, id, "feature '" + name + "' value " + k
                + " is not UTF-8 text", e);
          }
        }
      }
    }
  }

  private static Object allocate(DType dtype, int n) {
    return switch (dtype) {
      case FLOAT32 -> new float[n];
      case INT32 -> new int[n];
      case INT64 -> new long[n];
      case BOOL -> new boolean[n];
      case STRING -> new String[n];
    };
  }

  private static Tensor wrap(DType dtype, Object array, Shape shape) {
    return switch (dtype) {
      case FLOAT32 -> Tensor.wrap((float[]) array, shape);
      case INT32 -> Tensor.wrap((int[]) array, shape);
      case INT64 -> Tensor.wrap((long[]) array, shape);
      case BOOL -> Tensor.wrap((boolean[]) array, shape);
      case STRING -> Tensor.wrap((String[]) array, shape);
    };
  }

  private static String kindName(Feature f) {
    return switch (f.getKindCase()) {
      case FLOAT_LIST -> "float_list";
      case BYTES_LIST -> "bytes_list";
      case INT64_LIST -> "int64_list";
      case KIND_NOT_SET -> "feature with no list";
    };
  }

  private static DatasetFormatException sqlProblem(Path file, String what, String id, SQLException e) {
    return new DatasetFormatException(file, what, id, "SQLite: " + e.getMessage(), e);
  }

  // ---------------------------------------------------------------- .lzma

  /**
   * Decompresses {@code file} (XZ or legacy LZMA) into a temporary file, renamed into place when complete; a stream
   * that fails leaves no file behind.
   */
  private static Path decompress(Path file) {
    try {
      Path partial = Files.createTempFile("cohort-tff-", ".sqlite.partial");
      partial.toFile().deleteOnExit();
      boolean complete = false;
      try {
        try (BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            InputStream in = lzma(file, raw);
            OutputStream out = Files.newOutputStream(partial)) {
          in.transferTo(out);
        } catch (XZIOException | EOFException e) {
          throw new DatasetFormatException(file, "compressed stream", null, "cannot decompress: " + e, e);
        }
        Path target = Files.createTempFile("cohort-tff-", ".sqlite");
        target.toFile().deleteOnExit();
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        complete = true;
        return target;
      } finally {
        if (!complete) {
          Files.deleteIfExists(partial);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot decompress " + file, e);
    }
  }

  private static InputStream lzma(Path file, BufferedInputStream raw) throws IOException {
    raw.mark(6);
    byte[] magic = raw.readNBytes(6);
    raw.reset();
    boolean xz = magic.length == 6 && (magic[0] & 0xff) == 0xfd && magic[1] == '7' && magic[2] == 'z'
        && magic[3] == 'X' && magic[4] == 'Z' && magic[5] == 0;
    try {
      return xz ? new XZInputStream(raw) : new LZMAInputStream(raw);
    } catch (XZIOException | EOFException e) {
      throw new DatasetFormatException(file, "byte 0", null, "not an XZ or LZMA stream (" + e.getMessage() + ")", e);
    }
  }
}
