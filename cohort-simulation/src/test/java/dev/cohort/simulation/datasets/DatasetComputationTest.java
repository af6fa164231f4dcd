package dev.cohort.simulation.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.Computation;
import dev.cohort.core.ast.Expr;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TFF's {@code dataset_computation}: computations that take client ids and build each client's dataset where they
 * run, and that still do so after being serialized (the function is rebuilt from the family's parameters).
 */
class DatasetComputationTest {
  @TempDir
  Path dir;

  @Test
  void federatedComputationBuildsEachClientsFemnistDatasetFromItsId() {
    Path train = SharedData.require("femnist_leaf").resolve("train");
    DatasetComputation.Source source = DatasetComputation.leaf(train, LeafFeatures.FEMNIST);
    Computation build = DatasetComputation.federated(source, DatasetComputation.Preprocessing.NONE);
    assertThat(build.typeSignature()).hasToString(
        "({str}@CLIENTS -> {<label=int32,pixels=float32[28,28]>*}@CLIENTS)");
    assertThat(DatasetComputation.local(source, DatasetComputation.Preprocessing.NONE).typeSignature())
        .hasToString("(str -> <label=int32,pixels=float32[28,28]>*)");
    ClientData reference = LeafJson.femnist(train.getParent()).train();
    List<String> ids = List.of(reference.clientIds().get(5), reference.clientIds().get(0),
        reference.clientIds().get(72));
    FederatedValue out = (FederatedValue) build.call(FederatedValue.atClients(ids.stream().map(Tensor::scalar).toList()));
    assertThat(out.size()).isEqualTo(3);
    for (int i = 0; i < ids.size(); i++) {
      assertThat(elements((Iterable<?>) out.member(i))).as(ids.get(i))
          .isEqualTo(elements(reference.dataset(ids.get(i)))).isNotEmpty();
    }
  }

  @Test
  void aSerializedComputationRebuildsItsFunctionFromTheParametersAndPreprocessesTheSame() throws Exception {
    Path db = dir.resolve("emnist.sqlite");
    List<TffSqliteTest.Row> rows = new ArrayList<>();
    for (int e = 0; e < 23; e++) {
      float[] pixels = new float[784];
      for (int p = 0; p < pixels.length; p++) {
        pixels[p] = ((e * 31 + p * 7) % 97) / 96f;
      }
      rows.add(new TffSqliteTest.Row("train", e % 3 == 0 ? "b" : "a", TffSqliteTest.emnist(e % 10, pixels)));
    }
    TffSqliteTest.write(db, rows);
    DatasetComputation.Preprocessing p = new DatasetComputation.Preprocessing(4, 99, 2, 5, false);
    Computation built = DatasetComputation.federated(DatasetComputation.sqlite(db, "train", ExampleSpec.EMNIST), p);
    assertThat(built.typeSignature()).hasToString(
        "({str}@CLIENTS -> {<label=int32[?],pixels=float32[?,28,28]>*}@CLIENTS)");
    Path file = dir.resolve("datasets.cohort");
    built.save(file);
    Computation loaded = Computation.load(file);
    assertThat(loaded.typeSignature()).isEqualTo(built.typeSignature());

    ClientData data = TffSqlite.load(db, "train", ExampleSpec.EMNIST);
    FederatedValue ids = FederatedValue.atClients(List.of(Tensor.scalar("b"), Tensor.scalar("a")));
    FederatedValue fromLoaded = (FederatedValue) loaded.call(ids);
    FederatedValue fromBuilt = (FederatedValue) built.call(ids);
    for (int i = 0; i < 2; i++) {
      String id = i == 0 ? "b" : "a";
      int index = data.clientIds().indexOf(id);
      List<Object> expected = elements(data.dataset(id).shuffle(4, 99, index).repeat(2).batch(5));
      assertThat(elements((Iterable<?>) fromLoaded.member(i))).as(id).isEqualTo(expected);
      assertThat(elements((Iterable<?>) fromBuilt.member(i))).as(id).isEqualTo(expected);
    }
    // 8 and 15 examples twice over, in batches of 5: the last batch of each is short.
    assertThat(elements((Iterable<?>) fromLoaded.member(0))).hasSize(4);
    assertThat(elements((Iterable<?>) fromLoaded.member(1))).hasSize(6);
  }

  /**
   * The runtime that runs clients elsewhere: a second JVM that has built nothing loads the saved computation,
   * defines the family, builds the clients' datasets from their ids (reading the SQLite file itself) and gets the
   * bits this JVM gets.
   */
  @Test
  void aSecondJvmBuildsTheSameDatasetsFromTheIds() throws Exception {
    Path db = dir.resolve("text.sqlite");
    List<TffSqliteTest.Row> rows = new ArrayList<>();
    for (int e = 0; e < 17; e++) {
      rows.add(new TffSqliteTest.Row("train", "client" + e % 4, TffSqliteTest.text(Map.of("snippets",
          "turn " + e + ": " + "ab".repeat(e)))));
    }
    TffSqliteTest.write(db, rows);
    Computation build = DatasetComputation.federated(DatasetComputation.sqlite(db, "train", ExampleSpec.SHAKESPEARE),
        new DatasetComputation.Preprocessing(3, 5, 2, 2, false));
    build.save(dir.resolve("build.cohort"));
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
        Child.class.getName(), dir.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("child.log").toFile()).start();
    boolean ended = child.waitFor(120, TimeUnit.SECONDS);
    if (!ended) {
      child.destroyForcibly();
    }
    String log = Files.readString(dir.resolve("child.log"));
    assertThat(ended).as("the second JVM ended within 120 s; its output:%n%s", log).isTrue();
    assertThat(child.exitValue()).as("the second JVM's exit status; its output:%n%s", log).isZero();
    assertThat(Files.readString(dir.resolve("datasets.txt"))).isEqualTo(describe(build))
        .contains("turn 16: " + "ab".repeat(16));
  }

  /** What the second JVM runs. */
  static final class Child {
    private Child() {}

    public static void main(String[] args) throws IOException {
      Path dir = Path.of(args[0]);
      DatasetComputation.defineFamily();
      Files.writeString(dir.resolve("datasets.txt"), describe(Computation.load(dir.resolve("build.cohort"))));
    }
  }

  /** Every batch the computation builds for clients 3, 0 and 2, one line each. */
  static String describe(Computation build) {
    FederatedValue out = (FederatedValue) build.call(FederatedValue.atClients(
        List.of(Tensor.scalar("client3"), Tensor.scalar("client0"), Tensor.scalar("client2"))));
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < out.size(); i++) {
      for (Object batch : (Iterable<?>) out.member(i)) {
        sb.append(i).append(": ").append(String.join(" | ", ((Tensor) ((Struct) batch).get("snippets")).stringData()))
            .append('\n');
      }
    }
    return sb.toString();
  }

  @Test
  void speakerAndDropRemainderTypes() {
    Path text = SharedData.require("shakespeare").resolve("tinyshakespeare_input.txt");
    Computation c = DatasetComputation.local(DatasetComputation.speakers(text),
        new DatasetComputation.Preprocessing(0, 0, 1, 3, true));
    assertThat(c.typeSignature()).hasToString("(str -> <snippets=str[3]>*)");
    List<Object> batches = elements((Iterable<?>) c.call(Tensor.scalar("ROMEO")));
    assertThat(batches).hasSize(160 / 3);
    List<Object> turns = elements(SpeakerText.load(text).dataset("ROMEO"));
    assertThat(((Tensor) ((Struct) batches.get(1)).get("snippets")).stringData()[0])
        .isEqualTo(((Tensor) ((Struct) turns.get(3)).get("snippets")).stringValue());
  }

  @Test
  void badSourcesIdsAndTypesAreRefusedNamingWhat() {
    Path train = SharedData.require("femnist_leaf").resolve("train");
    Computation c = DatasetComputation.local(DatasetComputation.leaf(train, LeafFeatures.FEMNIST),
        DatasetComputation.Preprocessing.NONE);
    assertThatThrownBy(() -> c.call(Tensor.scalar("nobody")))
        .hasStackTraceContaining("no client 'nobody' among the 73 clients");
    assertThatThrownBy(() -> new DatasetComputation.Source("csv", "x", "", "", "", ExampleSpec.EMNIST.elementType()))
        .hasMessageContaining("format 'csv', expected leaf, sqlite, speakers or stackexchange");
    assertThatThrownBy(() -> new DatasetComputation.Source("sqlite", "x", "", "", "", ExampleSpec.EMNIST.elementType()))
        .hasMessageContaining("a sqlite source needs a split");
    assertThatThrownBy(() -> new DatasetComputation.Source("speakers", "x", "", "", "", ExampleSpec.EMNIST.elementType()))
        .hasMessage("DatasetComputation: a speakers source has examples of type <snippets=str>, not "
            + ExampleSpec.EMNIST.elementType());
    assertThatThrownBy(() -> new DatasetComputation.Preprocessing(0, 0, 0, 0, false))
        .hasMessageContaining("epochs (0) >= 1");
    Struct parameters = ((Expr.Local) c.expr()).parameters();
    assertThatThrownBy(() -> DatasetComputation.defineFamily().at(TensorType.STRING,
        SequenceType.of(SpeakerText.ELEMENT_TYPE), Struct.named("format", Tensor.scalar("speakers"))))
        .hasMessageContaining("parameters [format], expected [format, path, split");
    List<Object> wrongFormat = new ArrayList<>(parameters.values());
    wrongFormat.set(0, Tensor.scalar("speakers"));
    assertThatThrownBy(() -> DatasetComputation.defineFamily().at(TensorType.STRING,
        SequenceType.of(ExampleSpec.EMNIST.elementType()), Struct.of(parameters.names(), wrongFormat)))
        .hasMessageContaining("a speakers source has no split and has no LEAF features x and y");
    wrongFormat.set(3, Tensor.scalar(""));
    wrongFormat.set(4, Tensor.scalar(""));
    assertThatThrownBy(() -> DatasetComputation.defineFamily().at(TensorType.STRING,
        SequenceType.of(ExampleSpec.EMNIST.elementType()), Struct.of(parameters.names(), wrongFormat)))
        .isInstanceOf(TypeMismatchException.class)
        .hasMessageContaining("a speakers source with this preprocessing gives <snippets=str>*");
  }

  private static List<Object> elements(Iterable<?> d) {
    List<Object> out = new ArrayList<>();
    for (Object e : d) {
      out.add(e);
    }
    return out;
  }
}
