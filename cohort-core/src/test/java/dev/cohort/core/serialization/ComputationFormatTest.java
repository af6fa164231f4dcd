package dev.cohort.core.serialization;

import static dev.cohort.core.Intrinsics.*;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.Computation;
import dev.cohort.core.LocalFamily;
import dev.cohort.core.Value;
import dev.cohort.core.ast.Expr;
import dev.cohort.core.ast.Exprs;
import dev.cohort.core.ast.LocalFactory;
import dev.cohort.core.ast.LocalFunction;
import dev.cohort.core.ast.LocalRegistry;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ComputationFormatTest {
  private static final Computation PLUS = Computation.local("ser.plus", StructType.of(FLOAT32, FLOAT32), FLOAT32,
      a -> ((Tensor) ((Struct) a).get(0)).add((Tensor) ((Struct) a).get(1)));
  private static final Computation SCALE = Computation.local("ser.scale", TensorType.of(DType.FLOAT32, 3),
      TensorType.of(DType.FLOAT32, 3), x -> ((Tensor) x).mul(3f));

  /** A computation using most node kinds and intrinsics. */
  static Computation everything() {
    TensorType vec = TensorType.of(DType.FLOAT32, 3);
    return Computation.federated("everything", "model", FederatedType.atServer(vec), "data",
        FederatedType.atClients(SequenceType.of(FLOAT32)), "counts", FederatedType.atClients(INT32),
        (model, data, counts) -> {
          Value broadcast = federatedBroadcast(model);
          Value local = sequenceReduce(data, 0f, PLUS);
          Value scaled = federatedMap(SCALE, broadcast);
          Computation inner = Computation.federated("inner", "pair", StructType.of(vec, FLOAT32),
              pair -> List.of(genericMultiply(pair.get(0), pair.get(1)), pair.get(1)));
          Value zipped = federatedMap(inner, List.of(scaled, local));
          return Struct.named(
              "mean", federatedMean(zipped.get(0), local),
              "sum", federatedSum(local),
              "min", federatedMin(counts),
              "secure", federatedSecureSum(counts, 100),
              "bits", federatedSecureSumBitwidth(counts, 8),
              "mod", federatedSecureModularSum(counts, 7),
              "constant", federatedValue(Tensor.ofStrings(new String[] {"a", "b"}, 2), Placement.SERVER),
              "zero", federatedValue(genericZero(StructType.of(INT32, TensorType.of(DType.INT64, 2))),
                  Placement.SERVER));
        });
  }

  static Object[] arguments() {
    return new Object[] {new float[] {1, 2, 3}, List.of(List.of(1f, 2f), List.of(), List.of(0.5f)), List.of(3, 4, 5)};
  }

  @Test
  void roundTripGivesAnEqualComputationThatRunsIdentically() {
    Computation c = everything();
    byte[] bytes = c.serialize();
    Computation back = Computation.deserialize(bytes);
    assertThat(back.name()).isEqualTo("everything");
    assertThat(back.typeSignature()).isEqualTo(c.typeSignature());
    assertThat(back.expr()).isEqualTo(c.expr());
    assertThat(back.serialize()).isEqualTo(bytes);
    Object expected = c.call(arguments());
    assertThat(back.call(arguments())).isEqualTo(expected);
    assertThat(((FederatedValue) ((Struct) expected).get("secure")).value()).isEqualTo(Tensor.scalar(12));
  }

  @Test
  void localComputationsRoundTripByName(@TempDir Path dir) {
    Path file = dir.resolve("plus.cohort");
    PLUS.save(file);
    Computation back = Computation.load(file);
    assertThat(back.expr()).isEqualTo(Expr.local("ser.plus", PLUS.typeSignature(), Struct.empty()));
    assertThat(back.call(1f, 2f)).isEqualTo(Tensor.scalar(3f));
  }

  @Test
  void aNameNamesOneFamilyUnlessBothDefinitionsAreReplaceable() {
    LocalFunction addOne = x -> ((Tensor) x).add(1f);
    Computation first = Computation.local("ser.defined_once", FLOAT32, FLOAT32, addOne);
    assertThat(Computation.local("ser.defined_once", FLOAT32, FLOAT32, addOne).expr()).isEqualTo(first.expr());
    // Building it again with a new lambda defines nothing new; the computation holds the function it was given.
    Computation again = Computation.local("ser.defined_once", FLOAT32, FLOAT32, x -> ((Tensor) x).add(10f));
    assertThat(again.call(1f)).isEqualTo(Tensor.scalar(11f));
    assertThat(Computation.deserialize(again.serialize()).call(1f)).isEqualTo(Tensor.scalar(2f));
    assertThatThrownBy(() -> Computation.local("ser.defined_once", INT32, INT32, addOne))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("local family 'ser.defined_once' is already defined in this JVM with another factory"
            + " (Computation.local of type (float32 -> float32)); a name names one family, so that a serialized"
            + " computation means one thing: define it once (or with an equal factory, e.g. one kept in a constant),"
            + " choose another name, or, in tests, define both with LocalFamily.defineReplaceable");
    assertThatThrownBy(() -> LocalFamily.defineReplaceable("ser.defined_once", (t, p) -> addOne))
        .isInstanceOf(IllegalStateException.class);
    assertThat(first.call(1f)).isEqualTo(Tensor.scalar(2f));
  }

  @Test
  void replacingAReplaceableFamilyChangesLaterLoadsButNotComputationsAlreadyBuilt() {
    LocalFamily add = LocalFamily.defineReplaceable("ser.replaceable", (t, p) -> x -> ((Tensor) x).add(1f));
    Computation addOne = add.at(FunctionType.of(FLOAT32, FLOAT32));
    Computation onClients = Computation.federated("add_on_clients", FederatedType.atClients(FLOAT32),
        x -> federatedSum(federatedMap(addOne, x)));
    byte[] saved = onClients.serialize();
    LocalFamily.defineReplaceable("ser.replaceable", (t, p) -> x -> ((Tensor) x).add(10f));
    assertThat(((FederatedValue) onClients.call(List.of(1f, 2f))).value()).isEqualTo(Tensor.scalar(5f));
    assertThat(add.at(FunctionType.of(FLOAT32, FLOAT32)).call(1f)).isEqualTo(Tensor.scalar(11f));
    assertThatThrownBy(() -> LocalFamily.define("ser.replaceable", (t, p) -> x -> x))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("local family 'ser.replaceable' is already defined in this JVM as replaceable");
    Computation loaded = Computation.deserialize(saved);
    assertThat(((FederatedValue) loaded.call(List.of(1f, 2f))).value()).isEqualTo(Tensor.scalar(23f));
  }

  /** {@code (T -> T)} for any float32 tensor type {@code T}: {@code x * scale}, scale a float32 scalar parameter. */
  private static final LocalFactory SCALE_BY = (type, p) -> {
    if (!(type.parameter() instanceof TensorType t) || t.dtype() != DType.FLOAT32 || !type.result().equals(t)) {
      throw new TypeMismatchException("expected (T -> T) for a float32 tensor type T", null, type);
    }
    if (p.size() != 1 || !"scale".equals(p.name(0)) || !(p.get(0) instanceof Tensor s)
        || s.dtype() != DType.FLOAT32 || s.rank() != 0) {
      throw new IllegalArgumentException("expected the parameters <scale=float32 scalar>, found " + p);
    }
    float scale = s.floatValue();
    return x -> ((Tensor) x).mul(scale);
  };

  static LocalFamily scaleBy() {
    return LocalFamily.define("ser.scale_by", SCALE_BY);
  }

  /** A computation using the family {@code ser.scale_by} at two types and two scales (and one member twice). */
  static Computation scaledTwice() {
    TensorType vec = TensorType.of(DType.FLOAT32, 2);
    Computation half = scaleBy().at(FunctionType.of(vec, vec), Struct.named("scale", Tensor.scalar(0.5f)));
    Computation triple = scaleBy().at(FunctionType.of(vec, vec), Struct.named("scale", Tensor.scalar(3f)));
    Computation scalar = scaleBy().at(FunctionType.of(FLOAT32, FLOAT32), Struct.named("scale", Tensor.scalar(3f)));
    return Computation.federated("scaled_twice", "v", FederatedType.atClients(vec), "s",
        FederatedType.atClients(FLOAT32), (v, x) -> List.of(federatedMap(half, federatedMap(triple, v)),
            federatedMap(scalar, x), federatedMap(half, v)));
  }

  @Test
  void aFamilyServesManyTypesAndParametersAndTheFileCarriesThemAll() {
    Computation c = scaledTwice();
    assertThat(c.expr().toString()).contains("local:ser.scale_by<scale=0.5>", "local:ser.scale_by<scale=3.0>");
    byte[] bytes = c.serialize();
    int at = 14 + 4 + "scaled_twice".length();
    assertThat(readInt(bytes, at)).isEqualTo(3);
    assertThat(strings(bytes, at + 4, 2)).containsExactly("ser.scale_by", "(float32[2] -> float32[2])");
    Computation back = Computation.deserialize(bytes);
    assertThat(back.expr()).isEqualTo(c.expr());
    assertThat(back.serialize()).isEqualTo(bytes);
    Object out = back.call(List.of(new float[] {1, 2}, new float[] {4, 6}), List.of(2f, 5f));
    assertThat(out).isEqualTo(c.call(List.of(new float[] {1, 2}, new float[] {4, 6}), List.of(2f, 5f)));
    assertThat(((FederatedValue) ((Struct) out).get(0)).member(1)).isEqualTo(Tensor.vector(6f, 9f));
    // Equality is name, type and parameters; the function takes no part.
    TensorType vec = TensorType.of(DType.FLOAT32, 2);
    assertThat(scaleBy().at(FunctionType.of(vec, vec), Struct.named("scale", Tensor.scalar(0.5f))).expr())
        .isEqualTo(scaleBy().at(FunctionType.of(vec, vec), Struct.named("scale", Tensor.scalar(0.5f))).expr())
        .isNotEqualTo(scaleBy().at(FunctionType.of(vec, vec), Struct.named("scale", Tensor.scalar(0.25f))).expr());
  }

  @Test
  void aFamilyRejectsATypeOrParametersNamingTheFamilyTypeAndParameters() {
    assertThatThrownBy(() -> scaleBy().at(FunctionType.of(INT32, INT32), Struct.named("scale", Tensor.scalar(2f))))
        .isInstanceOf(TypeMismatchException.class)
        .hasMessage("local family 'ser.scale_by' does not accept type (int32 -> int32) with parameters <scale=2.0>:"
            + " expected (T -> T) for a float32 tensor type T");
    assertThatThrownBy(() -> scaleBy().at(FunctionType.of(FLOAT32, FLOAT32), Struct.named("factor",
        Tensor.scalar("two"))))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("local family 'ser.scale_by' does not accept type (float32 -> float32) with parameters"
            + " <factor=\"two\">: expected the parameters <scale=float32 scalar>, found <factor='two'>");
    assertThatThrownBy(() -> scaleBy().at(FunctionType.of(FLOAT32, FLOAT32), Struct.named("scale", 2f)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("local function 'ser.scale_by': parameters.scale must be a Tensor or a Struct (what a serialized"
            + " computation carries), found java.lang.Float 2.0");
    assertThatThrownBy(() -> LocalFamily.define("ser.plus", SCALE_BY))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("local family 'ser.plus' is already defined in this JVM with another factory"
            + " (Computation.local of type (<float32,float32> -> float32))");
  }

  @Test
  void aLoaderReportsEveryEntryAFamilyRejectsAtOnce() {
    byte[] bytes = scaledTwice().serialize();
    // Both members at float32[2] now say int32 for their parameter (checksum recomputed): the family rejects both.
    String vector = "(float32[2] -> float32[2])";
    byte[] retyped = replace(replace(bytes, vector, "(int32[2] -> float32[2])"), vector, "(int32[2] -> float32[2])");
    assertThatThrownBy(() -> Computation.deserialize(retyped))
        .isInstanceOf(ComputationFormatException.class)
        .hasMessage("invalid computation 'scaled_twice': 2 local functions cannot be rebuilt: local family"
            + " 'ser.scale_by' does not accept type (int32[2] -> float32[2]) with parameters <scale=3.0>: expected"
            + " (T -> T) for a float32 tensor type T; local family 'ser.scale_by' does not accept type"
            + " (int32[2] -> float32[2]) with parameters <scale=0.5>: expected (T -> T) for a float32 tensor type T");
    byte[] renamed = replace(replace(bytes, "ser.scale_by", "ser.absent_a"), "ser.scale_by", "ser.absent_a");
    assertThatThrownBy(() -> Computation.deserialize(renamed))
        .isInstanceOf(ComputationFormatException.class)
        .hasMessage("computation 'scaled_twice' needs a local family that is not defined in this JVM:"
            + " ser.absent_a of type (float32[2] -> float32[2]) with parameters <scale=3.0>, ser.absent_a of type"
            + " (float32[2] -> float32[2]) with parameters <scale=0.5>; run the code that defines it (LocalFamily.define(\"ser.absent_a\", ...)"
            + " or Computation.local(\"ser.absent_a\", ...)) before loading");
  }

  @Test
  void aFailedSaveLeavesNoTemporaryFileBehind(@TempDir Path dir) throws Exception {
    Path target = dir.resolve("plus.cohort");
    Files.createDirectory(target);
    Files.writeString(target.resolve("keep"), "a directory cannot be replaced by the computation file");
    assertThatThrownBy(() -> PLUS.save(target))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageStartingWith("cannot write computation 'ser.plus' to " + target + ": ");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(target);
    }
  }

  @Test
  void unknownLocalNamesAreAPreciseLoadError() {
    Computation c = Computation.local("ser.will_be_renamed", FLOAT32, FLOAT32, x -> x);
    byte[] bytes = c.serialize();
    // The name of the computation, then the local's name in the table.
    byte[] renamed = replace(replace(bytes, "ser.will_be_renamed", "ser.never_registered"), "ser.will_be_renamed",
        "ser.never_registered");
    assertThatThrownBy(() -> Computation.deserialize(renamed))
        .isInstanceOf(ComputationFormatException.class)
        .hasMessage("computation 'ser.never_registered' needs a local family that is not defined in this JVM:"
            + " ser.never_registered of type (float32 -> float32); run the code that defines it"
            + " (LocalFamily.define(\"ser.never_registered\", ...) or Computation.local(\"ser.never_registered\", ...))"
            + " before loading");
  }

  @Test
  void theFileListsTheLocalsItNeedsSoALoaderReportsEveryMissingOneAtOnce() {
    Computation first = Computation.local("ser.first", FLOAT32, FLOAT32, x -> ((Tensor) x).add(1f));
    Computation second = Computation.local("ser.second", StructType.of(FLOAT32, FLOAT32), FLOAT32,
        a -> ((Tensor) ((Struct) a).get(0)).mul((Tensor) ((Struct) a).get(1)));
    Computation c = Computation.federated("first_then_second", FederatedType.atClients(FLOAT32),
        x -> federatedMap(second, List.of(federatedMap(first, x), federatedMap(first, x))));
    byte[] bytes = c.serialize();
    // The payload: the name, then the table (count, then name, type and parameters of each local in order of first
    // use; no parameters here, a count of 0).
    int at = 14 + 4 + "first_then_second".length();
    assertThat(readInt(bytes, at)).isEqualTo(2);
    assertThat(strings(bytes, at + 4, 2)).containsExactly("ser.first", "(float32 -> float32)");
    int next = at + 4 + 4 + "ser.first".length() + 4 + "(float32 -> float32)".length();
    assertThat(readInt(bytes, next)).isZero();
    assertThat(strings(bytes, next + 4, 2)).containsExactly("ser.second", "(<float32,float32> -> float32)");
    byte[] renamed = replace(replace(bytes, "ser.first", "ser.absent_a"), "ser.second", "ser.absent_b");
    assertThatThrownBy(() -> Computation.deserialize(renamed))
        .isInstanceOf(ComputationFormatException.class)
        .hasMessage("computation 'first_then_second' needs 2 local families that are not defined in this JVM:"
            + " ser.absent_a of type (float32 -> float32), ser.absent_b of type (<float32,float32> -> float32); run"
            + " the code that defines them (LocalFamily.define or Computation.local) before loading");
  }

  @Test
  void writingATreeWhoseLocalIsNotRegisteredWithItsTypeFailsNamingTheLocal(@TempDir Path dir) throws Exception {
    Computation bare = Computation.of("bare", new Expr.Local("ser.never_defined", FunctionType.of(FLOAT32, FLOAT32),
        x -> x));
    assertThatThrownBy(bare::serialize)
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot serialize computation 'bare': it uses local function 'ser.never_defined' of type"
            + " (float32 -> float32), whose family is not defined in this JVM, so no reader could rebuild it; create"
            + " it with LocalFamily.define(\"ser.never_defined\", ...).at(...) or Computation.local(\"ser.never_defined\","
            + " ...) rather than a bare Expr.Local node");
    Computation retyped = Computation.of("retyped", new Expr.Local("ser.plus", FunctionType.of(FLOAT32, FLOAT32),
        x -> x));
    assertThatThrownBy(retyped::serialize)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot serialize computation 'retyped': local family 'ser.plus' does not accept type"
            + " (float32 -> float32): it is defined by Computation.local with the one type"
            + " (<float32,float32> -> float32)");
    Computation helper = Computation.of("helper", new Expr.Local(LocalRegistry.MINIMUM,
        FunctionType.of(StructType.of(FLOAT32, INT32), FLOAT32), x -> x));
    assertThatThrownBy(helper::serialize)
        .hasMessage("cannot serialize computation 'helper': Cohort helper 'cohort.minimum' does not accept type"
            + " (<float32,int32> -> float32)");
    assertThatThrownBy(() -> bare.save(dir.resolve("bare.cohort"))).hasMessageStartingWith("cannot serialize");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void versionOneFilesStillLoadAndRunIdentically() throws Exception {
    // Written by this class's everything() with format version 1 (no table; locals named inline in the tree).
    byte[] v1 = resource("everything-v1.cohort");
    assertThat(readShort(v1, 8)).isEqualTo(1);
    Computation c = everything();
    Computation back = Computation.deserialize(v1);
    assertThat(back.name()).isEqualTo("everything");
    assertThat(back.expr()).isEqualTo(c.expr());
    assertThat(back.call(arguments())).isEqualTo(c.call(arguments()));
    byte[] v3 = back.serialize();
    assertThat(readShort(v3, 8)).isEqualTo(ComputationFormat.VERSION).isEqualTo(3);
    assertThat(v3).isEqualTo(c.serialize());
    // Compiler.reduceIntrinsics of federated_min over {int32}@CLIENTS: it uses Cohort's helper cohort.minimum.
    Computation min = Computation.deserialize(resource("min-reduced-v1.cohort"));
    assertThat(Exprs.contains(min.expr(), e -> e instanceof Expr.Local l && l.name().equals(LocalRegistry.MINIMUM)))
        .isTrue();
    assertThat(((FederatedValue) min.call(List.of(3, 1, 2))).value()).isEqualTo(Tensor.scalar(1));
    assertThat(Computation.deserialize(min.serialize()).expr()).isEqualTo(min.expr());
  }

  @Test
  void versionTwoFilesStillLoadAndRunIdentically() throws Exception {
    // Written by this class's everything() and by reducing federated_min with format version 2 (a table of names and
    // types, no parameters).
    byte[] v2 = resource("everything-v2.cohort");
    assertThat(readShort(v2, 8)).isEqualTo(2);
    Computation c = everything();
    Computation back = Computation.deserialize(v2);
    assertThat(back.expr()).isEqualTo(c.expr());
    assertThat(back.call(arguments())).isEqualTo(c.call(arguments()));
    assertThat(back.serialize()).isEqualTo(c.serialize());
    Computation min = Computation.deserialize(resource("min-reduced-v2.cohort"));
    assertThat(min.expr()).isEqualTo(Computation.deserialize(resource("min-reduced-v1.cohort")).expr());
    assertThat(((FederatedValue) min.call(List.of(3, 1, 2))).value()).isEqualTo(Tensor.scalar(1));
  }

  @Test
  void versionOneAndTwoFilesReportEveryMissingLocalAtOnceToo() throws Exception {
    // add_one_then_halve, federated_map of <v>fixture.add_one then of <v>fixture.halve, which no test defines.
    for (int version : new int[] {1, 2}) {
      byte[] file = resource("unregistered-locals-v" + version + ".cohort");
      assertThatThrownBy(() -> Computation.deserialize(file))
          .isInstanceOf(ComputationFormatException.class)
          .hasMessage("computation 'add_one_then_halve' needs 2 local families that are not defined in this JVM:"
              + " v" + version + "fixture.add_one of type (float32 -> float32), v" + version + "fixture.halve of type"
              + " (float32 -> float32); run the code that defines them (LocalFamily.define or Computation.local)"
              + " before loading");
    }
  }

  @Test
  void corruptTruncatedForeignAndFutureFilesAreRejected() {
    byte[] bytes = everything().serialize();
    assertThatThrownBy(() -> Computation.deserialize("not a computation file at all".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(ComputationFormatException.class)
        .hasMessage("not a Cohort computation: the file does not start with \"COHORTCP\"");
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 10);
    assertThatThrownBy(() -> Computation.deserialize(truncated))
        .hasMessage("corrupt computation: the header announces " + (bytes.length - 18) + " payload bytes, the file has "
            + (bytes.length - 28) + " (truncated or padded)");
    byte[] flipped = bytes.clone();
    flipped[bytes.length / 2] ^= 0x10;
    assertThatThrownBy(() -> Computation.deserialize(flipped))
        .hasMessageStartingWith("corrupt computation: checksum mismatch");
    byte[] future = bytes.clone();
    future[9] = 4;
    assertThatThrownBy(() -> Computation.deserialize(future))
        .hasMessage("computation format version 4 is newer than this reader supports (3); load it with a newer Cohort");
    assertThatThrownBy(() -> Computation.deserialize(new byte[3]))
        .hasMessage("not a Cohort computation: 3 bytes is shorter than the header");
  }

  @Test
  void aWellFormedFileWithAnIllTypedTreeIsRejected() {
    // The lambda's parameter is re-declared <int32,float32> (checksum recomputed); its uses still say <float32,float32>.
    Computation c = Computation.federated("uses_plus", StructType.of(FLOAT32, FLOAT32), p -> PLUS.apply(p));
    byte[] tampered = replace(c.serialize(), "<float32,float32>", "<int32,float32>");
    assertThatThrownBy(() -> Computation.deserialize(tampered))
        .isInstanceOf(ComputationFormatException.class)
        .hasMessage("invalid computation 'uses_plus': reference 'arg' has type <float32,float32>, but the name is bound"
            + " to a value of type <int32,float32>");
    // A local function re-declared with another type than the one registered (in the table).
    byte[] retyped = replace(c.serialize(), "(<float32,float32> -> float32)", "(<float32,float32> -> int32)");
    assertThatThrownBy(() -> Computation.deserialize(retyped))
        .hasMessage("invalid computation 'uses_plus': local family 'ser.plus' does not accept type"
            + " (<float32,float32> -> int32): it is defined by Computation.local with the one type"
            + " (<float32,float32> -> float32)");
    // The tree starts after the name and the table of one local without parameters.
    int tree = 4 + "uses_plus".length() + 4 + 4 + "ser.plus".length() + 4 + "(<float32,float32> -> float32)".length()
        + 4;
    byte[] badTag = c.serialize();
    badTag[14 + tree] = 99;
    assertThatThrownBy(() -> Computation.deserialize(withValidChecksum(badTag)))
        .hasMessage("corrupt computation: unknown node tag 99 at byte " + tree);
    byte[] badIndex = c.serialize();
    int local = indexOf(badIndex, new byte[] {11, 0, 0, 0, 0});
    badIndex[local + 4] = 1;
    assertThatThrownBy(() -> Computation.deserialize(withValidChecksum(badIndex)))
        .hasMessage("corrupt computation: the local node at byte " + (local - 14) + " refers to entry 1 of a table of 1"
            + " local computations");
  }

  @Test
  void aCraftedFileWithDeeplyNestedTypesOrNodesIsAFormatErrorNotAStackOverflow() {
    Computation identity = Computation.local("ser.identity", FLOAT32, FLOAT32, x -> x);
    byte[] deepType = replace(identity.serialize(), "(float32 -> float32)", "<".repeat(20_000));
    assertThatThrownBy(() -> Computation.deserialize(deepType))
        .isInstanceOf(ComputationFormatException.class)
        .hasMessage("corrupt computation: bad type: cannot parse type '" + "<".repeat(80) + "... (20000 characters)'"
            + " at position 1000: types are nested deeper than 1000 levels");
    // A payload of 20,000 selection tags: each selection's source is read first, one level deeper. In version 2 the
    // name 'x' is followed by an empty table (versions 2 and 3).
    for (int version : new int[] {1, 2, 3}) {
      int tree = version == 1 ? 5 : 9;
      byte[] payload = new byte[tree + 20_000];
      payload[3] = 1;
      payload[4] = 'x';
      Arrays.fill(payload, tree, payload.length, (byte) 6);
      assertThatThrownBy(() -> Computation.deserialize(file(version, payload)))
          .isInstanceOf(ComputationFormatException.class)
          .hasMessage("corrupt computation: nodes nested deeper than 1000");
    }
  }

  @Test
  void theWriterRefusesNodesNestedDeeperThanTheReaderAccepts() {
    // (x -> x.0.0...): a lambda (depth 0) around selection-of-struct pairs, each two levels deeper.
    Computation deepest = nested(499, true);
    assertThat(Computation.deserialize(deepest.serialize()).expr()).isEqualTo(deepest.expr());
    Computation tooDeep = nested(500, false);
    assertThatThrownBy(tooDeep::serialize)
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot serialize computation 'nested': its expression is nested deeper than the 1000 levels a"
            + " reader accepts (a Reference node at depth 1001 below the root)");
  }

  /** {@code (x -> ...)} whose reference to {@code x} lies {@code 2 * pairs + 1} levels deep, one more if wrapped. */
  private static Computation nested(int pairs, boolean wrapped) {
    Expr e = new Expr.Reference("x", FLOAT32);
    for (int i = 0; i < pairs; i++) {
      e = Expr.select(Expr.struct(e), 0);
    }
    return Computation.of("nested", Expr.lambda("x", FLOAT32, wrapped ? Expr.struct(e) : e));
  }

  @Test
  void theWriterRefusesTypesNestedDeeperThanTheReaderParses() {
    Type deepest = INT32;
    for (int i = 0; i < 999; i++) {
      deepest = StructType.of(deepest);
    }
    Computation ok = identity(deepest);
    assertThat(Computation.deserialize(ok.serialize()).typeSignature()).isEqualTo(ok.typeSignature());
    Computation tooDeep = identity(StructType.of(deepest));
    assertThatThrownBy(tooDeep::serialize)
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot serialize computation 'identity': the type of lambda parameter 'x' cannot be read back:"
            + " cannot parse type '" + "<".repeat(80) + "... (2005 characters)' at position 1000: types are nested"
            + " deeper than 1000 levels");
  }

  private static Computation identity(Type t) {
    return Computation.of("identity", Expr.lambda("x", t, new Expr.Reference("x", t)));
  }

  @Test
  void theWriterRefusesTensorsOfHigherRankAndFilesLargerThanTheReaderAccepts() {
    int[] dims = new int[ComputationFormat.MAX_RANK + 1];
    Arrays.fill(dims, 1);
    Computation rank33 = Computation.of("rank33", Expr.lambda(null, null,
        Expr.literal(Tensor.wrap(new float[1], Shape.of(dims)))));
    assertThatThrownBy(rank33::serialize)
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot serialize computation 'rank33': a literal has rank 33, above the 32 a reader accepts"
            + " (shape " + Arrays.toString(dims) + ")");
    Computation big = Computation.of("big", Expr.lambda(null, null, Expr.literal(Tensor.zeros(1000))));
    assertThat(big.serialize()).hasSizeGreaterThan(4000);
    assertThatThrownBy(() -> ComputationFormat.write(big.name(), big.expr(), 4000))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot serialize computation 'big': its serialized form is larger than the 4000 bytes a"
            + " computation file holds");
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void loadChecksTheHeaderAgainstTheFileSizeBeforeReadingTheFile(@TempDir Path dir) throws Exception {
    // Sparse 3 GiB files: larger than any byte array, so reading one whole would fail with an OutOfMemoryError.
    long huge = 3L << 30;
    Path announced = dir.resolve("huge.cohort");
    try (RandomAccessFile f = new RandomAccessFile(announced.toFile(), "rw")) {
      f.write(header(2, huge - 18));
      f.setLength(huge);
    }
    assertThatThrownBy(() -> Computation.load(announced))
        .isInstanceOf(ComputationFormatException.class)
        .hasMessage(announced + ": computation file of 3221225472 bytes is larger than the largest a computation can"
            + " be (2147483639 bytes)");
    Path foreign = dir.resolve("foreign.bin");
    try (RandomAccessFile f = new RandomAccessFile(foreign.toFile(), "rw")) {
      f.setLength(huge);
    }
    assertThatThrownBy(() -> Computation.load(foreign))
        .isInstanceOf(ComputationFormatException.class)
        .hasMessage(foreign + ": not a Cohort computation: the file does not start with \"COHORTCP\"");
    // A header announcing more than the file has: a save cut short.
    Path cut = dir.resolve("cut.cohort");
    byte[] bytes = everything().serialize();
    Files.write(cut, Arrays.copyOf(bytes, 100));
    assertThatThrownBy(() -> Computation.load(cut))
        .isInstanceOf(ComputationFormatException.class)
        .hasMessage(cut + ": corrupt computation: the header announces " + (bytes.length - 18) + " payload bytes, the"
            + " file has 82 (truncated or padded)");
    Path tiny = dir.resolve("tiny.cohort");
    Files.write(tiny, Arrays.copyOf(bytes, 9));
    assertThatThrownBy(() -> Computation.load(tiny))
        .hasMessage(tiny + ": not a Cohort computation: 9 bytes is shorter than the header");
    Path whole = dir.resolve("whole.cohort");
    Files.write(whole, bytes);
    assertThat(Computation.load(whole).expr()).isEqualTo(everything().expr());
    assertThatThrownBy(() -> Computation.load(dir.resolve("absent.cohort")))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageStartingWith("cannot read computation from " + dir.resolve("absent.cohort") + ": ");
  }

  /** The header of a computation file: magic, {@code version}, the payload length. */
  private static byte[] header(int version, long length) {
    byte[] out = new byte[14];
    System.arraycopy("COHORTCP".getBytes(StandardCharsets.US_ASCII), 0, out, 0, 8);
    out[9] = (byte) version;
    out[10] = (byte) (length >>> 24);
    out[11] = (byte) (length >>> 16);
    out[12] = (byte) (length >>> 8);
    out[13] = (byte) length;
    return out;
  }

  /** A computation file around {@code payload}: header, payload and its checksum. */
  static byte[] file(int version, byte[] payload) {
    byte[] out = new byte[18 + payload.length];
    System.arraycopy(header(version, payload.length), 0, out, 0, 14);
    System.arraycopy(payload, 0, out, 14, payload.length);
    return withValidChecksum(out);
  }

  static byte[] resource(String name) throws IOException {
    try (InputStream in = ComputationFormatTest.class.getResourceAsStream(name)) {
      assertThat(in).as("test resource %s", name).isNotNull();
      return in.readAllBytes();
    }
  }

  private static int readInt(byte[] b, int at) {
    return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
  }

  private static int readShort(byte[] b, int at) {
    return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
  }

  /** The {@code count} length-prefixed strings starting at {@code at}. */
  private static List<String> strings(byte[] b, int at, int count) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = readInt(b, at);
      out.add(new String(b, at + 4, n, StandardCharsets.UTF_8));
      at += 4 + n;
    }
    return out;
  }

  /**
   * {@code bytes} with the first length-prefixed string equal to {@code from} (a whole string, not a part of one)
   * replaced by {@code to}, the string's length prefix, the payload length and the checksum fixed.
   */
  static byte[] replace(byte[] bytes, String from, String to) {
    byte[] f = from.getBytes(StandardCharsets.UTF_8);
    byte[] t = to.getBytes(StandardCharsets.UTF_8);
    byte[] prefixed = new byte[4 + f.length];
    prefixed[0] = (byte) (f.length >>> 24);
    prefixed[1] = (byte) (f.length >>> 16);
    prefixed[2] = (byte) (f.length >>> 8);
    prefixed[3] = (byte) f.length;
    System.arraycopy(f, 0, prefixed, 4, f.length);
    int at = indexOf(bytes, prefixed) + 4;
    assertThat(at).as("the string '%s' in the serialized bytes", from).isGreaterThan(4);
    byte[] out = new byte[bytes.length - f.length + t.length];
    System.arraycopy(bytes, 0, out, 0, at);
    System.arraycopy(t, 0, out, at, t.length);
    System.arraycopy(bytes, at + f.length, out, at + t.length, bytes.length - at - f.length);
    out[at - 4] = (byte) (t.length >>> 24);
    out[at - 3] = (byte) (t.length >>> 16);
    out[at - 2] = (byte) (t.length >>> 8);
    out[at - 1] = (byte) t.length;
    int payload = out.length - 18;
    out[10] = (byte) (payload >>> 24);
    out[11] = (byte) (payload >>> 16);
    out[12] = (byte) (payload >>> 8);
    out[13] = (byte) payload;
    return withValidChecksum(out);
  }

  static byte[] withValidChecksum(byte[] b) {
    CRC32 crc = new CRC32();
    crc.update(b, 14, b.length - 18);
    int v = (int) crc.getValue();
    b[b.length - 4] = (byte) (v >>> 24);
    b[b.length - 3] = (byte) (v >>> 16);
    b[b.length - 2] = (byte) (v >>> 8);
    b[b.length - 1] = (byte) v;
    return b;
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
