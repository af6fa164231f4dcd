package dev.cohort.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
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
    Assumptions.assumeTrue(Files.isExecutable(python), "needs /usr/bin/python3 with numpy");
    Process probe = new ProcessBuilder(python.toString(), "-c", "import numpy").start();
    Assumptions.assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0, "needs numpy for /usr/bin/python3");
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
