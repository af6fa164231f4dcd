package dev.cohort.simulation.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.proto.BytesList;
import dev.cohort.simulation.proto.Example;
import dev.cohort.simulation.proto.Feature;
import dev.cohort.simulation.proto.Features;
import dev.cohort.simulation.proto.FloatList;
import dev.cohort.simulation.proto.Int64List;
import dev.cohort.tensor.Tensor;
import dev.cohort.testing.Fuzz;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.LZMAOutputStream;
import org.tukaani.xz.XZOutputStream;

/** TFF's SQLite layout, written here the way tff.simulation.datasets' save_to_sql_client_data lays it out. */
class TffSqliteTest {
  @TempDir
  Path dir;

  /** One row to write: split, client, the serialized Example. */
  record Row(String split, String client, byte[] example) {}

  static void write(Path file, List<Row> rows) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE examples (split_name TEXT NOT NULL, client_id TEXT NOT NULL,"
          + " serialized_example_proto BLOB NOT NULL)");
      s.execute("CREATE TABLE client_metadata (client_id TEXT NOT NULL, split_name TEXT NOT NULL,"
          + " num_examples INTEGER NOT NULL)");
      c.setAutoCommit(false);
      Map<List<String>, Integer> counts = new LinkedHashMap<>();
      try (PreparedStatement p = c.prepareStatement("INSERT INTO examples VALUES (?, ?, ?)")) {
        for (Row r : rows) {
          p.setString(1, r.split());
          p.setString(2, r.client());
          p.setBytes(3, r.example());
          p.addBatch();
          counts.merge(List.of(r.client(), r.split()), 1, Integer::sum);
        }
        p.executeBatch();
      }
      try (PreparedStatement p = c.prepareStatement("INSERT INTO client_metadata VALUES (?, ?, ?)")) {
        for (Map.Entry<List<String>, Integer> e : counts.entrySet()) {
          p.setString(1, e.getKey().get(0));
          p.setString(2, e.getKey().get(1));
          p.setInt(3, e.getValue());
          p.addBatch();
        }
        p.executeBatch();
      }
      c.commit();
    }
  }

  static byte[] emnist(int label, float[] pixels) {
    return Example.newBuilder().setFeatures(Features.newBuilder()
        .putFeature("label", Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(label)).build())
        .putFeature("pixels", Feature.newBuilder().setFloatList(FloatList.newBuilder()
            .addAllValue(asList(pixels))).build())).build().toByteArray();
  }

  static byte[] text(Map<String, String> features) {
    Features.Builder f = Features.newBuilder();
    features.forEach((k, v) -> f.putFeature(k, Feature.newBuilder().setBytesList(BytesList.newBuilder()
        .addValue(ByteString.copyFromUtf8(v))).build()));
    return Example.newBuilder().setFeatures(f).build().toByteArray();
  }

  private static List<Float> asList(float[] values) {
    List<Float> out = new ArrayList<>(values.length);
    for (float v : values) {
      out.add(v);
    }
    return out;
  }

  /**
   * The acceptance test: FEMNIST's LEAF files written as TFF's SQLite ClientData (one Example per LEAF example, in
   * order), then read back: every writer's examples are the same, bit for bit, from both loaders.
   */
  @Test
  void theSqliteAndLeafLoadersGiveIdenticalExamplesForTheSameWriters() throws Exception {
    Path leaf = SharedData.require("femnist_leaf");
    List<Path> files = LeafJson.filesIn(leaf.resolve("train")).subList(0, 2);
    ClientData fromLeaf = LeafJson.load(LeafFeatures.FEMNIST, files);
    List<Row> rows = new ArrayList<>();
    for (String writer : fromLeaf.clientIds()) {
      for (Object e : fromLeaf.dataset(writer)) {
        Struct s = (Struct) e;
        rows.add(new Row("train", writer, emnist(((Tensor) s.get("label")).intValue(),
            ((Tensor) s.get("pixels")).floatData())));
      }
    }
    Path db = dir.resolve("femnist.sqlite");
    write(db, rows);
    ClientData fromSql = TffSqlite.load(db, "train", ExampleSpec.EMNIST);
    assertThat(fromSql.clientIds()).isEqualTo(fromLeaf.clientIds()).hasSize(10);
    assertThat(fromSql.elementType()).isEqualTo(fromLeaf.elementType());
    for (String writer : fromLeaf.clientIds()) {
      List<Object> a = new ArrayList<>();
      fromLeaf.dataset(writer).forEach(a::add);
      List<Object> b = new ArrayList<>();
      fromSql.dataset(writer).forEach(b::add);
      assertThat(b).hasSameSizeAs(a);
      for (int i = 0; i < a.size(); i++) {
        Struct x = (Struct) a.get(i);
        Struct y = (Struct) b.get(i);
        assertThat(((Tensor) y.get("label")).intData()).isEqualTo(((Tensor) x.get("label")).intData());
        assertThat(((Tensor) y.get("pixels")).floatData()).isEqualTo(((Tensor) x.get("pixels")).floatData());
        assertThat(((Tensor) y.get("pixels")).shape()).isEqualTo(((Tensor) x.get("pixels")).shape());
      }
    }
    assertThat(fromSql.dataset(fromSql.clientIds().get(0)).count()).isPositive();
  }

  @Test
  void shakespeareAndStackOverflowTextFeaturesAndSplitsAreRead() throws Exception {
    Path db = dir.resolve("text.sqlite");
    write(db, List.of(new Row("train", "ROMEO", text(Map.of("snippets", "But soft!"))),
        new Row("test", "ROMEO", text(Map.of("snippets", "Ay me."))),
        new Row("train", "ROMEO", text(Map.of("snippets", "What light \u2014 yonder"))),
        new Row("train", "JULIET", text(Map.of("snippets", "O Romeo")))));
    ClientData train = TffSqlite.load(db, "train", ExampleSpec.SHAKESPEARE);
    assertThat(train.clientIds()).containsExactly("JULIET", "ROMEO");
    List<String> romeo = new ArrayList<>();
    train.dataset("ROMEO").forEach(e -> romeo.add(((Tensor) ((Struct) e).get("snippets")).stringValue()));
    assertThat(romeo).containsExactly("But soft!", "What light \u2014 yonder");
    assertThat(TffSqlite.load(db, "test", ExampleSpec.SHAKESPEARE).clientIds()).containsExactly("ROMEO");

    Path so = dir.resolve("so.sqlite");
    write(so, List.of(new Row("train", "u1", text(Map.of("tokens", "how do i", "title", "t", "tags", "java|sql",
        "type", "question")))));
    Object e = TffSqlite.load(so, "train", ExampleSpec.STACKOVERFLOW).dataset("u1").iterator().next();
    assertThat(e).hasToString(Struct.named("tags", Tensor.scalar("java|sql"), "title", Tensor.scalar("t"),
        "tokens", Tensor.scalar("how do i")).toString());
  }

  @Test
  void lzmaAndXzCompressedFilesReadAsThePlainOne() throws Exception {
    Path db = dir.resolve("d.sqlite");
    write(db, List.of(new Row("train", "a", emnist(3, new float[784])), new Row("train", "b", emnist(7,
        filled(0.5f)))));
    byte[] plain = Files.readAllBytes(db);
    Path xz = dir.resolve("d.sqlite.xz.lzma");
    try (OutputStream out = new XZOutputStream(Files.newOutputStream(xz), new LZMA2Options())) {
      out.write(plain);
    }
    Path lzma = dir.resolve("d.sqlite.lzma");
    try (OutputStream out = new LZMAOutputStream(Files.newOutputStream(lzma), new LZMA2Options(), plain.length)) {
      out.write(plain);
    }
    for (Path p : List.of(db, xz, lzma)) {
      ClientData cd = TffSqlite.load(p, "train", ExampleSpec.EMNIST);
      Struct b = (Struct) cd.dataset("b").iterator().next();
      assertThat(((Tensor) b.get("label")).intValue()).isEqualTo(7);
      assertThat(((Tensor) b.get("pixels")).floatData()).isEqualTo(filled(0.5f));
    }
    List<Path> before = decompressed();
    Path bad = Files.write(dir.resolve("bad.sqlite.lzma"), Arrays.copyOf(Files.readAllBytes(xz), 40));
    assertThatThrownBy(() -> TffSqlite.load(bad, "train", ExampleSpec.EMNIST))
        .isInstanceOf(DatasetFormatException.class).hasMessageStartingWith(bad + ": compressed stream: ");
    Path notLzma = Files.write(dir.resolve("text.sqlite.lzma"), "plain text, not compressed".getBytes(
        StandardCharsets.UTF_8));
    assertThatThrownBy(() -> TffSqlite.load(notLzma, "train", ExampleSpec.EMNIST))
        .isInstanceOf(DatasetFormatException.class).hasMessageStartingWith(notLzma + ": byte 0: not an XZ or LZMA");
    // Nothing half-written: neither failure left a decompressed or partial file behind.
    assertThat(decompressed()).isEqualTo(before);
  }

  /** The decompressed copies (and partial ones) in the temporary directory. */
  private static List<Path> decompressed() throws IOException {
    try (java.util.stream.Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("cohort-tff-")).sorted().toList();
    }
  }

  private static float[] filled(float v) {
    float[] x = new float[784];
    Arrays.fill(x, v);
    return x;
  }

  @Test
  void badFilesNameTheFileTheClientAndTheExample() throws Exception {
    Path notDb = Files.writeString(dir.resolve("not.sqlite"), "this is not a database, just text; ".repeat(40));
    assertThatThrownBy(() -> TffSqlite.load(notDb, "train", ExampleSpec.EMNIST))
        .isInstanceOf(DatasetFormatException.class).hasMessageStartingWith(notDb + ": reading client_metadata: SQLite: ")
        .hasMessageContaining("not a database");
    Path noTables = dir.resolve("empty.sqlite");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + noTables.toAbsolutePath());
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE other (x INTEGER)");
    }
    assertThatThrownBy(() -> TffSqlite.load(noTables, "train", ExampleSpec.EMNIST))
        .hasMessageStartingWith(noTables + ": schema: no table 'examples' (tables: [other]);");
    Path db = dir.resolve("bad.sqlite");
    write(db, List.of(new Row("train", "a", emnist(1, new float[784])),
        new Row("train", "a", new byte[] {(byte) 0x0a, 0x05, 1}),
        new Row("train", "b", text(Map.of("label", "x"))),
        new Row("train", "c", emnist(1, new float[10]))));
    ClientData cd = TffSqlite.load(db, "train", ExampleSpec.EMNIST);
    assertThatThrownBy(() -> cd.dataset("a").count()).isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(db + ": split 'train', example 1 (rowid 2): client 'a': malformed tf.train.Example: ");
    assertThatThrownBy(() -> cd.dataset("b").count()).hasMessage(db + ": split 'train', example 0 (rowid 3):"
        + " client 'b': feature 'label' is a bytes_list, expected a int64_list for int32");
    assertThatThrownBy(() -> cd.dataset("c").count()).hasMessage(db + ": split 'train', example 0 (rowid 4):"
        + " client 'c': feature 'pixels' has 10 values, float32[28,28] needs 784");
    assertThatThrownBy(() -> TffSqlite.load(db, "test", ExampleSpec.EMNIST))
        .hasMessage(db + ": table client_metadata: no clients in split 'test' (splits: [train])");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
        Statement s = c.createStatement()) {
      s.execute("UPDATE client_metadata SET num_examples = 5 WHERE client_id = 'c'");
    }
    assertThatThrownBy(() -> TffSqlite.load(db, "train", ExampleSpec.EMNIST).dataset("c").count())
        .hasMessageEndingWith("client 'c': feature 'pixels' has 10 values, float32[28,28] needs 784");
    Path missing = dir.resolve("text.sqlite");
    write(missing, List.of(new Row("train", "a", text(Map.of("words", "x")))));
    assertThatThrownBy(() -> TffSqlite.load(missing, "train", ExampleSpec.SHAKESPEARE).dataset("a").count())
        .hasMessageEndingWith("client 'a': no feature 'snippets' (the Example has [words])");
  }

  @Test
  void aCountThatDisagreesWithClientMetadataIsNamed() throws Exception {
    Path db = dir.resolve("count.sqlite");
    write(db, List.of(new Row("train", "a", text(Map.of("snippets", "x")))));
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
        Statement s = c.createStatement()) {
      s.execute("UPDATE client_metadata SET num_examples = 2");
    }
    assertThatThrownBy(() -> TffSqlite.load(db, "train", ExampleSpec.SHAKESPEARE).dataset("a").count())
        .hasMessage(db + ": split 'train': client 'a': client_metadata gives 2 examples, the examples table holds 1");
  }

  @Test
  void fuzzedSqliteFilesAreReadOrRejectedNamingTheFile() throws Exception {
    Path db = dir.resolve("valid.sqlite");
    write(db, List.of(new Row("train", "ROMEO", text(Map.of("snippets", "But soft!"))),
        new Row("train", "JULIET", text(Map.of("snippets", "O Romeo"))),
        new Row("test", "ROMEO", text(Map.of("snippets", "Ay."))),
        new Row("train", "ROMEO", text(Map.of("snippets", "What light")))));
    byte[] valid = Files.readAllBytes(db);
    Path candidate = dir.resolve("candidate.sqlite");
    Fuzz.Report report = Fuzz.format("tff-sqlite", List.of(valid)).seed(20260505).mutations(600)
        .budget(Duration.ofSeconds(120))
        .rejects(DatasetFormatException.class)
        .messagesStartWith(candidate + ": ")
        .run(bytes -> {
          Files.write(candidate, bytes);
          ClientData cd = TffSqlite.load(candidate, "train", ExampleSpec.SHAKESPEARE);
          for (String id : cd.clientIds()) {
            cd.dataset(id).count();
          }
        });
    assertThat(report.tried()).isEqualTo(600); // all of them: the budget only guards against a hang
    assertThat(new String(valid, 0, 15, StandardCharsets.US_ASCII)).isEqualTo("SQLite format 3");
  }
}
