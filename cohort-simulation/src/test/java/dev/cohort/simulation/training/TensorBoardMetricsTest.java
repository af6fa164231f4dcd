package dev.cohort.simulation.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.simulation.proto.Event;
import dev.cohort.simulation.proto.Summary;
import dev.cohort.testing.Prerequisites;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorBoardMetricsTest {
  @TempDir
  Path dir;

  /** TFRecord's mask, written out here from its definition (TensorFlow's crc32c::Mask). */
  static int mask(int crc) {
    return Integer.rotateRight(crc, 15) + 0xa282ead8;
  }

  static int crc32c(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return (int) c.getValue();
  }

  /** Reads a TFRecord file, checking both CRCs of every record. */
  static List<byte[]> records(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    ByteBuffer in = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    List<byte[]> out = new ArrayList<>();
    while (in.hasRemaining()) {
      int start = in.position();
      long length = in.getLong();
      assertThat(in.getInt()).as("length CRC of the record at byte " + start).isEqualTo(mask(crc32c(all, start, 8)));
      byte[] data = new byte[(int) length];
      in.get(data);
      assertThat(in.getInt()).as("data CRC of the record at byte " + start).isEqualTo(mask(crc32c(data, 0,
          data.length)));
      out.add(data);
    }
    return out;
  }

  @Test
  void crc32cAndTheMaskAreTheOnesTfRecordUses() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertThat(crc32c(check, 0, check.length)).isEqualTo(0xe3069283); // the CRC-32C check value (RFC 3720)
    assertThat(TfRecord.maskedCrc32c(check, 0, check.length)).isEqualTo(mask(0xe3069283));
  }

  @Test
  void eventFilesHoldTheFileVersionThenOneSummaryPerRoundWithValidCrcs() throws IOException {
    TensorBoardMetrics tb = new TensorBoardMetrics(dir.resolve("tb"));
    tb.start(0);
    Map<String, Double> round0 = new LinkedHashMap<>();
    round0.put("evaluation/loss", 2.3025851249694824);
    tb.release(0, round0);
    Map<String, Double> round1 = new LinkedHashMap<>();
    round1.put("client_work/train/loss", 1.5);
    round1.put("client_work/train/accuracy", 0.125);
    tb.release(1, round1);
    tb.close();
    assertThat(tb.file().getFileName().toString()).startsWith("events.out.tfevents.");
    List<byte[]> records = records(tb.file());
    assertThat(records).hasSize(3);
    Event version = Event.parseFrom(records.get(0));
    assertThat(version.getFileVersion()).isEqualTo("brain.Event:2");
    assertThat(version.getWallTime()).isPositive();
    Event first = Event.parseFrom(records.get(1));
    assertThat(first.getStep()).isZero();
    assertThat(first.getSummary().getValueList()).extracting(Summary.Value::getTag, Summary.Value::getSimpleValue)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("evaluation/loss", 2.3025851f));
    Event second = Event.parseFrom(records.get(2));
    assertThat(second.getStep()).isEqualTo(1);
    assertThat(second.getSummary().getValueList()).extracting(Summary.Value::getTag, Summary.Value::getSimpleValue)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("client_work/train/loss", 1.5f),
            org.assertj.core.groups.Tuple.tuple("client_work/train/accuracy", 0.125f));

    TensorBoardMetrics resumed = new TensorBoardMetrics(dir.resolve("tb"));
    resumed.start(2);
    resumed.close();
    assertThat(resumed.file()).isNotEqualTo(tb.file());
    assertThat(records(resumed.file())).hasSize(1);
  }

  /**
   * The event file read by a reader that shares nothing with Cohort: Python decoding the TFRecord framing, the
   * masked CRC-32C and the protobuf wire format by hand ({@code read_events.py}; TensorBoard itself is not installed
   * on the project's machines).
   */
  @Test
  void anIndependentPythonReaderChecksTheCrcsAndReadsTheSummaries() throws Exception {
    Path python = Path.of("/usr/bin/python3");
    Prerequisites.require(Files.isExecutable(python), "python3 at /usr/bin/python3", "apt-get install python3");
    TensorBoardMetrics tb = new TensorBoardMetrics(dir.resolve("tb"));
    tb.start(0);
    Map<String, Double> round3 = new LinkedHashMap<>();
    round3.put("client_work/train/loss", 0.6931471805599453);
    round3.put("evaluation/accuracy", 0.75);
    tb.release(3, round3);
    tb.close();
    Path script = Path.of(getClass().getResource("read_events.py").toURI());
    assertThat(python(python, script, tb.file())).containsExactly("version brain.Event:2",
        String.format("step 3 client_work/train/loss=0x%08x evaluation/accuracy=0x%08x",
            Float.floatToRawIntBits((float) 0.6931471805599453), Float.floatToRawIntBits(0.75f)));
    byte[] bytes = Files.readAllBytes(tb.file());
    bytes[bytes.length - 6] ^= 1; // inside the last record's data
    Path corrupt = Files.write(dir.resolve("corrupt.tfevents"), bytes);
    assertThatThrownBy(() -> python(python, script, corrupt)).hasMessageContaining("truncated data or a bad data CRC");
  }

  private static List<String> python(Path python, Path script, Path file) throws Exception {
    Process p = new ProcessBuilder(python.toString(), script.toString(), file.toString()).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("read_events.py failed: " + out);
    }
    return out.lines().toList();
  }
}
