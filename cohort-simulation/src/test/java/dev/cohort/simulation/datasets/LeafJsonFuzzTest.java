package dev.cohort.simulation.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.simulation.ClientData;
import dev.cohort.testing.Fuzz;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of LEAF files: loading and then reading every client either succeeds or fails with a
 * {@link DatasetFormatException} that has a message; never another exception, a hang or an out-of-memory error.
 */
class LeafJsonFuzzTest {
  @TempDir
  Path dir;

  /** Loads the candidate as a file of the given name and reads every example of every client. */
  private Fuzz.Reader reader(String name, LeafFeatures features) {
    return bytes -> {
      Path p = dir.resolve(name);
      Files.write(p, bytes);
      ClientData cd = LeafJson.load(features, List.of(p));
      for (String id : cd.clientIds()) {
        cd.dataset(id).batch(3).toList();
      }
    };
  }

  @Test
  void mutatedPlainFilesAreReadOrRejectedWithTheirPosition() {
    Fuzz.Report r = Fuzz.format("leaf-json", List.of(LeafJsonTest.VALID.getBytes(StandardCharsets.UTF_8)))
        .seed(20260501).mutations(1500).budget(Duration.ofSeconds(120))
        .rejects(DatasetFormatException.class)
        .run(reader("fuzz.json", LeafJsonTest.TINY));
    assertThat(r.tried()).isEqualTo(1500); // all of them: the budget only guards against a hang
    assertThat(r.accepted()).isPositive();
    assertThat(r.rejected()).isPositive();
  }

  @Test
  void mutatedGzipFilesAreReadOrRejected() throws IOException {
    Fuzz.Report r = Fuzz.format("leaf-json-gz", List.of(LeafJsonTest.gzip(
            LeafJsonTest.VALID.getBytes(StandardCharsets.UTF_8))))
        .seed(20260502).mutations(1000).budget(Duration.ofSeconds(120))
        .rejects(DatasetFormatException.class)
        .run(reader("fuzz.json.gz", LeafJsonTest.TINY));
    assertThat(r.tried()).isEqualTo(1000); // all of them: the budget only guards against a hang
    assertThat(r.rejected()).isPositive();
  }

  @Test
  void mutatedRealFemnistFilesAreReadOrRejected() throws IOException {
    Path root = SharedData.require("femnist_leaf");
    byte[] gz = Files.readAllBytes(root.resolve("test/all_data_22_niid_05_keep_0_test_9.json.gz"));
    Fuzz.Report r = Fuzz.format("femnist-leaf-json-gz", List.of(gz))
        .seed(20260503).mutations(300).budget(Duration.ofSeconds(120))
        .rejects(DatasetFormatException.class)
        .run(reader("femnist.json.gz", LeafFeatures.FEMNIST));
    assertThat(r.tried()).isEqualTo(300); // all of them: the budget only guards against a hang
    assertThat(r.rejected()).isPositive();
  }
}
