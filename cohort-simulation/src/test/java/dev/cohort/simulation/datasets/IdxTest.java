package dev.cohort.simulation.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import dev.cohort.testing.Fuzz;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
  @TempDir
  Path dir;

  /** Three 2x2 images with distinct pixels. */
  static final byte[] PIXELS = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, (byte) 200};
  static final byte[] LABELS = {3, 1, 4};

  static byte[] images(int count, int rows, int columns, byte[] pixels) {
    return ByteBuffer.allocate(16 + pixels.length).putInt(0x803).putInt(count).putInt(rows).putInt(columns)
        .put(pixels).array();
  }

  static byte[] labels(int count, byte[] labels) {
    return ByteBuffer.allocate(8 + labels.length).putInt(0x801).putInt(count).put(labels).array();
  }

  /** Gzip at a deflate level: 0 writes stored blocks, where the data appears verbatim. */
  static byte[] gzip(byte[] data, int level) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes) {
      {
        def.setLevel(level);
      }
    }) {
      out.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private Path write(String name, byte[] content) throws IOException {
    return Files.write(dir.resolve(name), content);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  @Test
  void readsGzipConcatenatedGzipAndPlainIdxAlike() throws IOException {
    Path lab = write("labels.gz", gzip(labels(3, LABELS), Deflater.DEFAULT_COMPRESSION));
    byte[] whole = images(3, 2, 2, PIXELS);
    for (byte[] file : List.of(gzip(whole, Deflater.DEFAULT_COMPRESSION), gzip(whole, 0), whole,
        concat(gzip(Arrays.copyOf(whole, 7), 9), gzip(Arrays.copyOfRange(whole, 7, whole.length), 1)))) {
      Idx.Examples s = Idx.read(write("images", file), lab);
      assertThat(s.count()).isEqualTo(3);
      assertThat(s.rows()).isEqualTo(2);
      assertThat(s.columns()).isEqualTo(2);
      for (int k = 0; k < PIXELS.length; k++) {
        assertThat(s.pixel(k / 4, k % 4)).isEqualTo(PIXELS[k] & 0xff);
      }
      assertThat(s.pixel(2, 3)).isEqualTo(200);
      assertThat(s.label(2)).isEqualTo(4);
    }
  }

  @Test
  void fashionMnistTestSplitHasTheCountsAndFirstLabelsItsSourceStates() {
    Path data = SharedData.require("fashion_mnist");
    Idx.Examples test = Idx.read(data.resolve("t10k-images-idx3-ubyte.gz"), data.resolve("t10k-labels-idx1-ubyte.gz"));
    assertThat(test.count()).isEqualTo(10_000);
    assertThat(test.rows()).isEqualTo(28);
    assertThat(test.columns()).isEqualTo(28);
    assertThat(Arrays.copyOf(test.labelArray(), 8)).containsExactly(9, 2, 1, 1, 6, 1, 4, 6);
    int[] perClass = new int[10];
    for (int label : test.labelArray()) {
      perClass[label]++;
    }
    assertThat(perClass).containsOnly(1000); // SOURCE.md (dependencies.md §8): 10 classes x 1,000
    assertThat(test.dataset().elementType()).hasToString("<label=int32,pixels=float32[28,28]>");
  }

  @Test
  void theDatasetHoldsLabelsAndPixelsOver255AsNumpyDividesThem() throws IOException {
    Idx.Examples s = Idx.read(write("images", images(3, 2, 2, PIXELS)), write("labels", labels(3, LABELS)));
    List<Object> elements = new ArrayList<>();
    s.dataset().forEach(elements::add);
    assertThat(elements).hasSize(3);
    for (int i = 0; i < 3; i++) {
      Struct e = (Struct) elements.get(i);
      assertThat(((Tensor) e.get("label")).intValue()).isEqualTo(LABELS[i]);
      float[] px = ((Tensor) e.get("pixels")).floatData();
      assertThat(((Tensor) e.get("pixels")).shape().dims()).containsExactly(2, 2);
      for (int k = 0; k < 4; k++) {
        assertThat(px[k]).isEqualTo((float) ((PIXELS[4 * i + k] & 0xff) / 255.0));
      }
    }
  }

  @Test
  void aCorruptByteInAStoredGzipBlockFailsTheCrcInsteadOfBeingRead() throws IOException {
    byte[] file = gzip(images(3, 2, 2, PIXELS), 0);
    int at = indexOf(file, new byte[] {50, 60, 70});
    file[at + 1] ^= 1; // pixel 60 becomes 61: the deflate stream is still valid, only the CRC-32 can tell
    Path img = write("images.gz", file);
    Path lab = write("labels.gz", gzip(labels(3, LABELS), 6));
    assertThatThrownBy(() -> Idx.read(img, lab)).isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(img + ": decompressed byte 28: corrupt gzip member 1: its data has CRC-32 0x")
        .hasMessageContaining(", its trailer says 0x");
  }

  @Test
  void bytesAfterTheLastGzipMemberOrAfterTheAnnouncedDataAreRejected() throws IOException {
    Path lab = write("labels.gz", gzip(labels(3, LABELS), 6));
    Path garbage = write("garbage.gz", concat(gzip(images(3, 2, 2, PIXELS), 6), new byte[] {1, 2, 3, 4}));
    assertThatThrownBy(() -> Idx.read(garbage, lab)).hasMessage(garbage
        + ": decompressed byte 28: 4 bytes of trailing garbage follow gzip member 1 (bytes after the last member are rejected)");
    Path extra = write("extra.gz", gzip(concat(images(3, 2, 2, PIXELS), new byte[] {7, 7, 7}), 6));
    assertThatThrownBy(() -> Idx.read(extra, lab))
        .hasMessage(extra + ": decompressed byte 28: 3 bytes follow the 3 images of 2x2 pixels the header announces");
    Path plain = write("extra", concat(images(3, 2, 2, PIXELS), new byte[] {7}));
    assertThatThrownBy(() -> Idx.read(plain, lab))
        .hasMessage(plain + ": byte 28: 1 bytes follow the 3 images of 2x2 pixels the header announces");
    byte[] truncated = Arrays.copyOf(gzip(images(3, 2, 2, PIXELS), 6), 30);
    Path cut = write("cut.gz", truncated);
    assertThatThrownBy(() -> Idx.read(cut, lab)).hasMessageStartingWith(cut + ": decompressed byte "
        + decompressibleBytes(truncated) + ": truncated gzip member 1");
  }

  @Test
  void aHeaderCountOf2To31Minus1IsCheckedAgainstTheArrayLimitAndTheFileBeforeAllocating() throws IOException {
    Path lab = write("labels.gz", gzip(labels(3, LABELS), 6));
    Path max = write("max.gz", gzip(images(Integer.MAX_VALUE, 1, 1, PIXELS), 6));
    assertThatThrownBy(() -> Idx.read(max, lab)).isInstanceOf(DatasetFormatException.class)
        .hasMessage(max + ": decompressed byte 4: the header announces 2147483647 images of 1x1 pixels (2147483647 bytes), more than"
            + " the largest array (2147483639 bytes)");
    Path wide = write("wide.gz", gzip(images(65536, 65536, 65536, PIXELS), 6));
    assertThatThrownBy(() -> Idx.read(wide, lab))
        .hasMessageStartingWith(wide + ": decompressed byte 4: the header announces 65536 images of 65536x65536 pixels (281474976710656 bytes)");
    byte[] small = gzip(images(1 << 30, 1, 1, PIXELS), 6);
    Path big = write("big.gz", small);
    assertThatThrownBy(() -> Idx.read(big, lab)).hasMessage(big + ": decompressed byte 4: truncated: the header announces"
        + " 1073741824 images of 1x1 pixels (1073741824 bytes after the 16-byte header), more than a " + small.length
        + "-byte gzip file can hold (deflate expands at most 1032:1)");
    Path plain = write("plain", images(Integer.MAX_VALUE - 8, 1, 1, PIXELS));
    assertThatThrownBy(() -> Idx.read(plain, lab)).hasMessage(plain + ": byte 4: truncated: the header announces"
        + " 2147483639 images of 1x1 pixels (2147483639 bytes after the 16-byte header), the file holds 12");
    Path img = write("images.gz", gzip(images(3, 2, 2, PIXELS), 6));
    Path many = write("many.gz", gzip(labels(Integer.MAX_VALUE, LABELS), 6));
    assertThatThrownBy(() -> Idx.read(img, many)).hasMessage(many + ": decompressed byte 4: 2147483647 labels for the 3 images of " + img);
  }

  @Test
  void anEmptyFileIsCalledEmpty() throws IOException {
    Path empty = write("empty.gz", new byte[0]);
    Path lab = write("labels.gz", gzip(labels(3, LABELS), 6));
    assertThatThrownBy(() -> Idx.read(empty, lab)).isInstanceOf(DatasetFormatException.class)
        .hasMessage(empty + ": byte 0: empty file (0 bytes), expected IDX images (magic 0x803, gzip-compressed or plain)"
            + " starting with its header");
    Path nothing = write("nothing.gz", gzip(new byte[0], 6));
    assertThatThrownBy(() -> Idx.read(nothing, lab))
        .hasMessage(nothing + ": decompressed byte 0: truncated IDX header: the decompressed data holds 0 bytes, the header has 16");
    Path img = write("images.gz", gzip(images(3, 2, 2, PIXELS), 6));
    Path shortLabels = write("short", labels(3, new byte[] {1}));
    assertThatThrownBy(() -> Idx.read(img, shortLabels)).hasMessage(shortLabels
        + ": byte 4: truncated: the header announces 3 labels (3 bytes after the 8-byte header), the file holds 1");
  }

  @Test
  void aWrongMagicNumberNamesTheFileTheByteAndBothMagics() throws IOException {
    Path img = write("images.gz", gzip(images(3, 2, 2, PIXELS), 6));
    Path lab = write("labels.gz", gzip(labels(3, LABELS), 6));
    // The labels file given as the images file, and the images file as the labels file.
    assertThatThrownBy(() -> Idx.read(lab, img)).isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(lab + ": decompressed byte 0: magic number 0x801, expected 0x803 (IDX images)");
    assertThatThrownBy(() -> Idx.read(img, img)).isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(img + ": decompressed byte 0: magic number 0x803, expected 0x801 (IDX labels)");
    Path plain = write("plain", ByteBuffer.allocate(16).putInt(0x0803_0000).putInt(0).putInt(1).putInt(1).array());
    assertThatThrownBy(() -> Idx.read(plain, lab)).isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(plain + ": byte 0: magic number 0x8030000, expected 0x803 (IDX images)");
  }

  /**
   * Mutations of gzip IDX files (default and stored deflate, two members) and of plain ones, each tried as the
   * images file and as the labels file: read, or rejected with a DatasetFormatException naming the file.
   */
  @Test
  void fuzzedGzipIdxFilesAreReadOrRejectedNamingTheFile() throws IOException {
    byte[] img = images(3, 2, 2, PIXELS);
    byte[] lab = labels(3, LABELS);
    fuzz("idx-gzip", List.of(gzip(img, 6), gzip(lab, 6), gzip(img, 0),
        concat(gzip(Arrays.copyOf(lab, 5), 6), gzip(Arrays.copyOfRange(lab, 5, lab.length), 0))),
        gzip(img, 6), gzip(lab, 6));
  }

  @Test
  void fuzzedPlainIdxFilesAreReadOrRejectedNamingTheFile() throws IOException {
    byte[] img = images(3, 2, 2, PIXELS);
    byte[] lab = labels(3, LABELS);
    fuzz("idx-plain", List.of(img, lab), img, lab);
  }

  private void fuzz(String format, List<byte[]> valid, byte[] goodImages, byte[] goodLabels) throws IOException {
    Path goodImg = write("good-images", goodImages);
    Path goodLab = write("good-labels", goodLabels);
    Path candidate = dir.resolve("candidate");
    String prefix = dir + File.separator; // the candidate, or the good file it does not match
    Fuzz.Report report = Fuzz.format(format, valid).seed(20260502).mutations(1500).budget(Duration.ofSeconds(120))
        .rejects(DatasetFormatException.class)
        .messagesStartWith(prefix)
        .run(bytes -> {
          // Tried as images and as labels: accepted if either reads it; every rejection must name a file.
          Files.write(candidate, bytes);
          List<DatasetFormatException> rejections = new ArrayList<>();
          for (Path[] pair : new Path[][] {{candidate, goodLab}, {goodImg, candidate}}) {
            try {
              Idx.read(pair[0], pair[1]);
            } catch (DatasetFormatException e) {
              if (e.getMessage() == null || !e.getMessage().startsWith(prefix)) {
                throw e;
              }
              rejections.add(e);
            }
          }
          if (rejections.size() == 2) {
            throw rejections.get(0);
          }
        });
    assertThat(report.tried()).isEqualTo(1500); // all of them: the budget only guards against a hang
  }

  /** How many bytes the JDK's gzip reader gets out of a truncated stream before it fails. */
  private static long decompressibleBytes(byte[] truncated) {
    long n = 0;
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(truncated))) {
      while (in.read() >= 0) {
        n++;
      }
    } catch (IOException expected) {
      return n;
    }
    throw new AssertionError("the stream was not truncated");
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new AssertionError("pattern not found");
  }
}
