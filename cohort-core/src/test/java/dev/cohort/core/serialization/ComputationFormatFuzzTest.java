package dev.cohort.core.serialization;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedMin;
import static dev.cohort.core.types.TensorType.INT32;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.Computation;
import dev.cohort.core.LocalFamily;
import dev.cohort.core.ast.Expr;
import dev.cohort.core.ast.LocalFactory;
import dev.cohort.core.compiler.Compiler;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import dev.cohort.testing.Fuzz;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzing of computation files: the reader either rejects a mutated file with a
 * {@link ComputationFormatException} (never another exception, an {@link Error} or a hang), or accepts it, and then
 * what it accepted serializes again and reads back to an equal tree.
 *
 * <p>Two runs: one on the raw mutations (most fail the header or checksum checks, exercising the framing), one with
 * the payload length and checksum repaired after mutating, so that the mutations reach the table and tree decoders.
 */
class ComputationFormatFuzzTest {
  /**
   * Valid files of all three versions, with locals (fixed-type ones, a family at several types and parameters, and
   * Cohort's helpers), intrinsics, literals, blocks.
   */
  private static List<byte[]> validFiles() throws IOException {
    Computation min = Compiler.reduceIntrinsics(Computation.federated("min_on_clients",
        FederatedType.atClients(INT32), x -> federatedMin(x)));
    Computation constants = Computation.of("constants", Expr.lambda(null, null, Expr.struct(
        new Expr.PlacementLiteral(Placement.CLIENTS),
        new Expr.Data("file:clients.csv", FederatedType.atClients(SequenceType.of(TensorType.STRING))),
        Expr.literal(Tensor.ofStrings(new String[] {"a", "bc"}, 2)),
        Expr.literal(Tensor.ofLongs(new long[] {Long.MIN_VALUE, 7}, 2)),
        Expr.literal(Tensor.ofBools(new boolean[] {true, false, true}, 3, 1)))));
    return List.of(ComputationFormatTest.everything().serialize(), min.serialize(), constants.serialize(),
        ComputationFormatTest.scaledTwice().serialize(),
        ComputationFormatTest.resource("everything-v1.cohort"), ComputationFormatTest.resource("min-reduced-v1.cohort"),
        ComputationFormatTest.resource("everything-v2.cohort"), ComputationFormatTest.resource("min-reduced-v2.cohort"));
  }

  /** Reads {@code file}; if the reader accepts it, checks that it serializes again and reads back equal. */
  private static void readAndRoundTrip(byte[] file) {
    Computation c = Computation.deserialize(file);
    Computation again = Computation.deserialize(c.serialize());
    if (!again.expr().equals(c.expr()) || !again.name().equals(c.name())) {
      throw new AssertionError("accepted computation " + c + " reads back as " + again + " after serializing again");
    }
  }

  @Test
  void mutatedFilesAreRejectedWithAFormatErrorOrRoundTrip() throws IOException {
    Fuzz.Report report = Fuzz.format("computation", validFiles())
        .seed(10).mutations(4000).budget(Duration.ofSeconds(3))
        .rejects(ComputationFormatException.class)
        .run(ComputationFormatFuzzTest::readAndRoundTrip);
    assertThat(report.tried()).isGreaterThanOrEqualTo(500);
    assertThat(report.rejected()).isPositive();
  }

  @Test
  void mutationsWithARepairedLengthAndChecksumReachTheTreeDecoder() throws IOException {
    Fuzz.Report report = Fuzz.format("computation-tree", validFiles())
        .seed(11).mutations(4000).budget(Duration.ofSeconds(4))
        .rejects(ComputationFormatException.class)
        .run(file -> readAndRoundTrip(repaired(file)));
    assertThat(report.tried()).isGreaterThanOrEqualTo(500);
    assertThat(report.accepted()).isPositive();
    assertThat(report.rejected()).isPositive();
  }

  /**
   * A family of {@code (float32 -> float32)} functions that accepts any parameters with an int64 scalar {@code seed}
   * (and rejects the rest, precisely), so that mutated tables reach both the reader's and the family's checks.
   */
  private static final LocalFactory ANY_WITH_SEED = (type, p) -> {
    if (!type.equals(FunctionType.of(TensorType.FLOAT32, TensorType.FLOAT32))) {
      throw new IllegalArgumentException("expected (float32 -> float32)");
    }
    int i = p.names().indexOf("seed");
    if (i < 0 || !(p.get(i) instanceof Tensor seed) || seed.dtype() != DType.INT64 || seed.rank() != 0) {
      throw new IllegalArgumentException("expected an int64 scalar 'seed' among the parameters");
    }
    long offset = seed.longValue();
    return x -> ((Tensor) x).add((float) offset);
  };

  /** Files whose table of families, types and nested parameters is most of the file. */
  private static List<byte[]> tableHeavyFiles() {
    LocalFamily family = LocalFamily.define("fuzz.any_with_seed", ANY_WITH_SEED);
    FunctionType f = FunctionType.of(TensorType.FLOAT32, TensorType.FLOAT32);
    Computation a = family.at(f, Struct.named("seed", Tensor.scalar(7L), "name", Tensor.scalar("clip"),
        "nested", Struct.of(Tensor.ofInts(new int[] {1, 2, 3}, 3), Struct.named("flag", Tensor.scalar(true)))));
    Computation b = family.at(f, Struct.named("seed", Tensor.scalar(-1L), "rates", Tensor.vector(0.5f, 0.25f)));
    Computation both = Computation.federated("both", FederatedType.atClients(TensorType.FLOAT32),
        x -> federatedMap(b, federatedMap(a, x)));
    return List.of(a.serialize(), both.serialize());
  }

  @Test
  void mutatedTablesOfFamiliesAndParametersAreRejectedWithAFormatErrorOrRoundTrip() {
    Fuzz.Report report = Fuzz.format("computation-table", tableHeavyFiles())
        .seed(12).mutations(4000).budget(Duration.ofSeconds(3))
        .rejects(ComputationFormatException.class)
        .run(file -> readAndRoundTrip(repaired(file)));
    assertThat(report.tried()).isGreaterThanOrEqualTo(500);
    assertThat(report.accepted()).isPositive();
    assertThat(report.rejected()).isPositive();
  }

  /** {@code file} with its header's payload length and its checksum made to match its bytes (if it has a header). */
  private static byte[] repaired(byte[] file) {
    if (file.length < 18) {
      return file;
    }
    int payload = file.length - 18;
    file[10] = (byte) (payload >>> 24);
    file[11] = (byte) (payload >>> 16);
    file[12] = (byte) (payload >>> 8);
    file[13] = (byte) payload;
    return ComputationFormatTest.withValidChecksum(file);
  }
}
