package dev.cohort.core.serialization;

import static dev.cohort.core.Intrinsics.*;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.Computation;
import dev.cohort.core.Value;
import dev.cohort.core.ast.Expr;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
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
    assertThat(back.expr()).isEqualTo(Expr.local("ser.plus", PLUS.typeSignature()));
    assertThat(back.call(1f, 2f)).isEqualTo(Tensor.scalar(3f));
  }

  @Test
  void registeringANameAgainChangesLaterLoadsButNotComputationsAlreadyBuilt() {
    Computation addOne = Computation.local("ser.re_registered", FLOAT32, FLOAT32, x -> ((Tensor) x).add(1f));
    Computation onClients = Computation.federated("add_on_clients", FederatedType.atClients(FLOAT32),
        x -> federatedSum(federatedMap(addOne, x)));
    byte[] saved = onClients.serialize();
    Computation addTen = Computation.local("ser.re_registered", FLOAT32, FLOAT32, x -> ((Tensor) x).add(10f));
    assertThat(addOne.call(1f)).isEqualTo(Tensor.scalar(2f));
    assertThat(((FederatedValue) onClients.call(List.of(1f, 2f))).value()).isEqualTo(Tensor.scalar(5f));
    assertThat(addTen.call(1f)).isEqualTo(Tensor.scalar(11f));
    // Loading resolves the name now: the file written before the second registration gets the new function.
    Computation loaded = Computation.deserialize(saved);
    assertThat(((FederatedValue) loaded.call(List.of(1f, 2f))).value()).isEqualTo(Tensor.scalar(23f));
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
    byte[] renamed = replace(replace(bytes, "ser.will_be_renamed", "ser.never_registered"), "ser.will_be_renamed",
        "ser.never_registered");
    assertThatThrownBy(() -> Computation.deserialize(renamed))
        .isInstanceOf(ComputationFormatException.class)
        .hasMessage("invalid computation: local computation 'ser.never_registered' is not registered in this JVM; run"
            + " the code that defines it (Computation.local(\"ser.never_registered\", ...)) before building or loading"
            + " a computation that uses it");
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
    future[9] = 2;
    assertThatThrownBy(() -> Computation.deserialize(future))
        .hasMessage("computation format version 2 is newer than this reader supports (1); load it with a newer Cohort");
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
    // A local function re-declared with another type than the one registered.
    byte[] retyped = replace(c.serialize(), "(<float32,float32> -> float32)", "(<float32,float32> -> int32)");
    assertThatThrownBy(() -> Computation.deserialize(retyped))
        .hasMessage("invalid computation: local computation 'ser.plus' is registered with type"
            + " (<float32,float32> -> float32), but the computation refers to it with type (<float32,float32> -> int32)");
    byte[] badTag = c.serialize();
    badTag[14 + 4 + "uses_plus".length()] = 99;
    assertThatThrownBy(() -> Computation.deserialize(withValidChecksum(badTag)))
        .hasMessage("corrupt computation: unknown node tag 99 at byte 13");
  }

  @Test
  void aCraftedFileWithDeeplyNestedTypesOrNodesIsAFormatErrorNotAStackOverflow() {
    Computation identity = Computation.local("ser.identity", FLOAT32, FLOAT32, x -> x);
    byte[] deepType = replace(identity.serialize(), "(float32 -> float32)", "<".repeat(20_000));
    assertThatThrownBy(() -> Computation.deserialize(deepType))
        .isInstanceOf(ComputationFormatException.class)
        .hasMessage("corrupt computation: bad type: cannot parse type '" + "<".repeat(80) + "... (20000 characters)'"
            + " at position 1000: types are nested deeper than 1000 levels");
    // A payload of 20,000 selection tags: each selection's source is read first, one level deeper.
    byte[] payload = new byte[4 + 1 + 20_000];
    payload[3] = 1;
    payload[4] = 'x';
    Arrays.fill(payload, 5, payload.length, (byte) 6);
    assertThatThrownBy(() -> Computation.deserialize(file(payload)))
        .isInstanceOf(ComputationFormatException.class)
        .hasMessage("corrupt computation: nodes nested deeper than 1000");
  }

  /** A computation file around {@code payload}: magic, version 1, length, payload and its checksum. */
  private static byte[] file(byte[] payload) {
    byte[] out = new byte[18 + payload.length];
    System.arraycopy("COHORTCP".getBytes(StandardCharsets.US_ASCII), 0, out, 0, 8);
    out[9] = 1;
    out[10] = (byte) (payload.length >>> 24);
    out[11] = (byte) (payload.length >>> 16);
    out[12] = (byte) (payload.length >>> 8);
    out[13] = (byte) payload.length;
    System.arraycopy(payload, 0, out, 14, payload.length);
    return withValidChecksum(out);
  }

  /** {@code bytes} with the first occurrence of {@code from} replaced (length prefix and checksum fixed). */
  static byte[] replace(byte[] bytes, String from, String to) {
    byte[] f = from.getBytes(StandardCharsets.UTF_8);
    byte[] t = to.getBytes(StandardCharsets.UTF_8);
    int at = indexOf(bytes, f);
    assertThat(at).as("'%s' in the serialized bytes", from).isGreaterThan(0);
    byte[] out = new byte[bytes.length - f.length + t.length];
    System.arraycopy(bytes, 0, out, 0, at);
    System.arraycopy(t, 0, out, at, t.length);
    System.arraycopy(bytes, at + f.length, out, at + t.length, bytes.length - at - f.length);
    int len = ((out[at - 4] & 0xff) << 24 | (out[at - 3] & 0xff) << 16 | (out[at - 2] & 0xff) << 8 | (out[at - 1] & 0xff))
        - f.length + t.length;
    out[at - 4] = (byte) (len >>> 24);
    out[at - 3] = (byte) (len >>> 16);
    out[at - 2] = (byte) (len >>> 8);
    out[at - 1] = (byte) len;
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

  private static int indexOf(byte[] hay, byte[] needle) {
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
