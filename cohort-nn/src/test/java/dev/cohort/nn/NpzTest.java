package dev.cohort.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import dev.cohort.testing.Fuzz;
import dev.cohort.testing.Prerequisites;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NpzTest {
  @TempDir
  Path dir;

  private static Path fixture(String name) throws URISyntaxException {
    return Path.of(NpzTest.class.getResource("/npz/" + name).toURI());
  }

  @Test
  void roundTripsEveryWritableDtype() throws IOException {
    Map<String, Tensor> arrays = new LinkedHashMap<>();
    arrays.put("dense/kernel", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
    arrays.put("ids", Tensor.ofInts(new int[] {-1, 7}, 2));
    arrays.put("big", Tensor.ofLongs(new long[] {1L << 40}, 1));
    arrays.put("mask", Tensor.ofBools(new boolean[] {true, false, true}, 3));
    arrays.put("scalar", Tensor.scalar(2.5f));
    Path f = dir.resolve("w.npz");
    Npz.write(f, arrays);
    assertThat(Npz.read(f)).containsExactlyEntriesOf(arrays);
    try (var files = Files.list(dir)) {
      assertThat(files.toList()).containsExactly(f); // no temporary file left behind
    }
  }

  // Values defined in src/test/resources/npz/make_fixtures.py, which wrote the files with numpy.
  @ParameterizedTest
  @ValueSource(strings = {"numpy_savez.npz", "numpy_compressed.npz"})
  void readsWhatNumpyWrites(String file) throws Exception {
    Map<String, Tensor> a = Npz.read(fixture(file));
    assertThat(a.keySet()).containsExactly("dense/kernel", "bias", "ids", "mask", "fortran", "bigendian", "scalar");
    assertThat(a.get("dense/kernel")).isEqualTo(Tensor.of(new float[] {0, .25f, .5f, .75f, 1, 1.25f}, 2, 3));
    assertThat(a.get("bias")).isEqualTo(Tensor.of(new float[] {0.1f, -2.5f, 3f}, 3));
    assertThat(a.get("ids")).isEqualTo(Tensor.ofLongs(new long[] {0, -1, 1L << 40, 7}, 4));
    assertThat(a.get("mask")).isEqualTo(Tensor.ofBools(new boolean[] {true, false, false, true}, 2, 2));
    assertThat(a.get("fortran")).isEqualTo(Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3));
    assertThat(a.get("bigendian")).isEqualTo(Tensor.of(new float[] {1.5f, -2f}, 2));
    assertThat(a.get("scalar")).isEqualTo(Tensor.scalar(42f));
  }

  @Test
  void numpyReadsWhatCohortWrites() throws Exception {
    Path python = Path.of("/usr/bin/python3");
    boolean numpy = false;
    if (Files.isExecutable(python)) {
      Process probe = new ProcessBuilder(python.toString(), "-c", "import numpy").redirectErrorStream(true).start();
      probe.getInputStream().readAllBytes();
      numpy = probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0;
    }
    Prerequisites.require(numpy, "numpy for /usr/bin/python3 (to read the .npz files Cohort writes)",
        "apt-get install python3-numpy");
    Path f = dir.resolve("cohort.npz");
    Npz.write(f, Map.of("conv2d/kernel", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3), "n", Tensor.scalar(3L)));
    Process p = new ProcessBuilder(python.toString(), "-c",
        "import numpy as np, sys; d = np.load(sys.argv[1]); k = d['conv2d/kernel'];"
            + " print(k.dtype, k.shape, k[0, 1, 2], d['n'].dtype, int(d['n']))", f.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).isEqualTo("float32 (1, 2, 3) 6.0 int64 3");
  }

  @Test
  void aFileThatIsNotAZipIsRejectedNamingTheFile() throws IOException {
    Path f = dir.resolve("bad.npz");
    Files.writeString(f, "hello");
    assertThatThrownBy(() -> Npz.read(f)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("npz " + f + ": not a valid .npz (zip) archive, or truncated");
  }

  @Test
  void aTruncatedFileIsRejected() throws Exception {
    byte[] whole = Files.readAllBytes(fixture("numpy_savez.npz"));
    Path f = dir.resolve("cut.npz");
    Files.write(f, java.util.Arrays.copyOf(whole, whole.length / 2));
    assertThatThrownBy(() -> Npz.read(f)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("npz " + f);
  }

  @Test
  void aCorruptByteInsideAnEntryFailsTheChecksum() throws IOException {
    Path f = dir.resolve("w.npz");
    Npz.write(f, Map.of("w", Tensor.vector(1, 2, 3, 4)));
    byte[] bytes = Files.readAllBytes(f);
    // The last float's bytes (4.0f = 00 00 80 40 little-endian) sit right before the central directory.
    int at = indexOf(bytes, new byte[] {0, 0, (byte) 0x80, 0x40});
    bytes[at + 3] = 0x41; // 4.0f becomes 16.0f
    Files.write(f, bytes);
    assertThatThrownBy(() -> Npz.read(f)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("npz " + f + " entry 'w.npy': CRC-32 mismatch, the data is corrupt");
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("pattern not found");
  }

  @Test
  void dataBeyondTheHeadersShapeAndRepeatedEntriesAreRejected() throws IOException {
    Path f = dir.resolve("odd.npz");
    byte[] four = Npz.toNpy("a", Tensor.vector(0, 1, 2, 3));
    String header = new String(four, 10, four.length - 10 - 16, java.nio.charset.StandardCharsets.US_ASCII);
    byte[] three = four.clone();
    byte[] patched = header.replace("(4,)", "(3,)").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    System.arraycopy(patched, 0, three, 10, patched.length);
    writeZip(f, new String[] {"a.npy"}, new byte[][] {three});
    assertThatThrownBy(() -> Npz.read(f)).hasMessage("npz " + f + " entry 'a.npy': bytes follow the array data its header describes");
    // A zip writer refuses duplicate names, so write a.npy and b.npy, then rename b.npy in place.
    Path h = dir.resolve("dup.npz");
    writeZip(h, new String[] {"a.npy", "b.npy"}, new byte[][] {four, four});
    byte[] zip = Files.readAllBytes(h);
    for (int i = 0; i + 5 <= zip.length; i++) {
      if (new String(zip, i, 5, java.nio.charset.StandardCharsets.US_ASCII).equals("b.npy")) {
        zip[i] = 'a';
      }
    }
    Files.write(h, zip);
    assertThatThrownBy(() -> Npz.read(h)).hasMessage("npz " + h + " entry 'a.npy': the archive holds this entry more than once");
    byte[] negative = four.clone();
    byte[] neg = header.replace("(4,)", "(-4)").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    System.arraycopy(neg, 0, negative, 10, neg.length);
    Path n = dir.resolve("neg.npz");
    writeZip(n, new String[] {"a.npy"}, new byte[][] {negative});
    assertThatThrownBy(() -> Npz.read(n)).hasMessageStartingWith("npz " + n + " entry 'a.npy': invalid shape (-4)");
  }

  private static void writeZip(Path f, String[] names, byte[][] contents) throws IOException {
    try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(f))) {
      for (int i = 0; i < names.length; i++) {
        out.putNextEntry(new java.util.zip.ZipEntry(names[i]));
        out.write(contents[i]);
        out.closeEntry();
      }
    }
  }

  @Test
  void aZipDirectoryPointingPastTheEndIsNamedNotABareEofException() throws Exception {
    // The first central-directory entry's local-header offset (bytes 42..45 after its signature 50 4b 01 02) set
    // past the end of the file: the JDK's zip reader throws an EOFException without a message for it.
    byte[] bad = Files.readAllBytes(fixture("numpy_savez.npz"));
    int cen = indexOf(bad, new byte[] {0x50, 0x4b, 0x01, 0x02});
    bad[cen + 42] = 0;
    bad[cen + 43] = (byte) 0xff;
    bad[cen + 44] = (byte) 0xff;
    bad[cen + 45] = 0x7f;
    Path f = dir.resolve("offset.npz");
    Files.write(f, bad);
    assertThatThrownBy(() -> Npz.read(f)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("npz " + f + " entry 'dense/kernel.npy' is corrupt or truncated (the zip directory points past"
            + " the end of the file)");
  }

  @Test
  void aVersion2HeaderLengthOf2To31OrMoreIsNamedNotLenBelowZero() throws IOException {
    byte[] v1 = Npz.toNpy("a", Tensor.vector(0, 1, 2, 3));
    // Version 2.0: a 4-byte little-endian header length; 0xffffffff is 4 GiB, read by a signed int as -1.
    byte[] v2 = new byte[v1.length + 2];
    System.arraycopy(v1, 0, v2, 0, 6);
    v2[6] = 2;
    v2[8] = (byte) 0xff;
    v2[9] = (byte) 0xff;
    v2[10] = (byte) 0xff;
    v2[11] = (byte) 0xff;
    System.arraycopy(v1, 10, v2, 12, v1.length - 10);
    Path f = dir.resolve("v2.npz");
    writeZip(f, new String[] {"a.npy"}, new byte[][] {v2});
    assertThatThrownBy(() -> Npz.read(f)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("npz " + f + " entry 'a.npy': the .npy header length 4294967295 exceeds the "
            + (v2.length - 12) + " bytes the entry holds after its 12-byte prefix");
    v2[11] = (byte) 0x80; // 2^31 + 0xffffff
    writeZip(f, new String[] {"a.npy"}, new byte[][] {v2});
    assertThatThrownBy(() -> Npz.read(f)).hasMessageStartingWith("npz " + f + " entry 'a.npy': the .npy header"
        + " length 2164260863 exceeds");
  }

  @Test
  void aRepeatedEntryWithOtherContentIsReportedAsRepeatedNotAsCorrupt() throws IOException {
    Path f = dir.resolve("dup.npz");
    writeZip(f, new String[] {"a.npy", "b.npy"},
        new byte[][] {Npz.toNpy("a", Tensor.vector(0, 1, 2, 3)), Npz.toNpy("b", Tensor.vector(5, 6, 7, 8))});
    byte[] zip = Files.readAllBytes(f);
    for (int i = 0; i + 5 <= zip.length; i++) {
      if (new String(zip, i, 5, StandardCharsets.US_ASCII).equals("b.npy")) {
        zip[i] = 'a';
      }
    }
    Files.write(f, zip);
    assertThatThrownBy(() -> Npz.read(f)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("npz " + f + " entry 'a.npy': the archive holds this entry more than once");
  }

  @Test
  void dataShorterThanTheHeaderAnnouncesIsNamedBeforeAnythingIsAllocated() throws IOException {
    byte[] four = Npz.toNpy("a", Tensor.vector(0, 1, 2, 3));
    String header = new String(four, 10, four.length - 10 - 16, StandardCharsets.US_ASCII);
    byte[] big = four.clone();
    byte[] patched = header.replace("(4,), }       ", "(99999999,), }").getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(patched, 0, big, 10, patched.length);
    Path f = dir.resolve("short.npz");
    writeZip(f, new String[] {"a.npy"}, new byte[][] {big});
    assertThatThrownBy(() -> Npz.read(f)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("npz " + f + " entry 'a.npy': truncated data: the header announces shape [99999999] <f4"
            + " (399999996 bytes), but the entry holds only 16 bytes after the header");
  }

  /**
   * Mutations of numpy's and Cohort's files: each is read, or rejected with an IllegalArgumentException (corrupt)
   * or IOException (unreadable) whose message names the file: never another exception, an Error or a hang.
   */
  @Test
  void fuzzedNpzFilesAreReadOrRejectedNamingTheFile() throws Exception {
    Path written = dir.resolve("cohort.npz");
    Map<String, Tensor> arrays = new LinkedHashMap<>();
    arrays.put("dense/kernel", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
    arrays.put("ids", Tensor.ofLongs(new long[] {-1, 1L << 40}, 2));
    arrays.put("mask", Tensor.ofBools(new boolean[] {true, false}, 2));
    Npz.write(written, arrays);
    List<byte[]> valid = List.of(Files.readAllBytes(fixture("numpy_savez.npz")),
        Files.readAllBytes(fixture("numpy_compressed.npz")), Files.readAllBytes(written));
    Path f = dir.resolve("fuzz.npz");
    Fuzz.Report report = Fuzz.format("npz", valid).seed(20260502).mutations(3000).budget(Duration.ofSeconds(5))
        .rejects(IllegalArgumentException.class, IOException.class)
        .messagesStartWith("npz " + f)
        .run(bytes -> {
          Files.write(f, bytes);
          Npz.read(f);
        });
    assertThat(report.tried()).isGreaterThanOrEqualTo(500);
  }

  @Test
  void writtenFilesAreReadableByOthersLikeNumpysFiles() throws IOException {
    Path f = dir.resolve("perm.npz");
    Npz.write(f, Map.of("w", Tensor.vector(1)));
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-r--r--");
  }

  @Test
  void anUnsupportedDtypeNamesTheEntry() throws Exception {
    Path f = fixture("unsupported_dtype.npz");
    assertThatThrownBy(() -> Npz.read(f)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("npz " + f + " entry 'z.npy': unsupported dtype '<c8'");
  }

  @Test
  void modelWeightsRoundTripAndAMismatchLoadsNothing() throws IOException {
    Sequential a = Sequential.builder(Shape.of(4)).seed(1).add(Layers.dense(3, Activation.RELU)).add(Layers.dense(2)).build();
    Sequential b = Sequential.builder(Shape.of(4)).seed(2).add(Layers.dense(3, Activation.RELU)).add(Layers.dense(2)).build();
    Path f = dir.resolve("a.npz");
    a.saveWeights(f);
    b.loadWeights(f);
    assertThat(b.weights()).isEqualTo(a.weights());

    Sequential other = Sequential.builder(Shape.of(4)).seed(3).add(Layers.dense(5)).add(Layers.dense(2)).build();
    Map<String, Tensor> before = other.weights();
    assertThatThrownBy(() -> other.loadWeights(f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(f + " does not match the model: entry 'dense/kernel' is float32[4, 3], expected float32[4, 5]; "
            + "entry 'dense/bias' is float32[3], expected float32[5]; entry 'dense_1/kernel' is float32[3, 2], expected float32[5, 2]");
    assertThat(other.weights()).isEqualTo(before);

    Map<String, Tensor> partial = new LinkedHashMap<>(a.weights());
    partial.remove("dense_1/bias");
    partial.put("extra", Tensor.zeros(1));
    assertThatThrownBy(() -> b.setWeights(partial)).hasMessage("weights does not match the model: "
        + "missing entry 'dense_1/bias' (expected float32[2]); unexpected entry 'extra' (the model has no such parameter)");
  }

  @Test
  void writingAStringTensorIsRejected() {
    assertThatThrownBy(() -> Npz.write(dir.resolve("s.npz"), Map.of("s", Tensor.scalar("x"))))
        .hasMessage("npz: array 's' has dtype str, which .npz writing does not support");
  }
}
