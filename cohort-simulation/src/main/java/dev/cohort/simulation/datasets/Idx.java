package dev.cohort.simulation.datasets;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.simulation.Dataset;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipException;

/**
 * IDX files, the MNIST / Fashion-MNIST format: a big-endian header with magic {@code 0x803} (images: count, rows,
 * columns) or {@code 0x801} (labels: count), then one unsigned byte per pixel or label.
 *
 * <pre>{@code
 * Idx.Examples test = Idx.read(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"));
 * test.dataset().elementType();   // <label=int32,pixels=float32[28,28]>, pixels in [0, 1], 0 = background
 * Partitioner.dirichlet(100, 0.5, seed).partition(test.labelArray()).toClientData(test.struct());
 * }</pre>
 *
 * <h2>What is accepted</h2>
 * <ul>
 *   <li>A file is gzip-compressed when it starts with the gzip magic {@code 1f 8b}, else plain IDX.
 *   <li>Gzip data is read to the end of the stream: every member's CRC-32 and length are checked, concatenated
 *       members are one stream, and bytes after the last member (trailing garbage) are an error
 *       ({@code java.util.zip.GZIPInputStream} would ignore them, and never check a trailer it does not reach).
 *   <li>The content must be exactly the header and the bytes it announces: fewer is "truncated", more is an error.
 *   <li>Before anything is allocated, the announced size is checked against the largest array
 *       ({@link Shape#MAX_SIZE} bytes) and against the file: a plain file must hold it; a gzip file of {@code n}
 *       bytes cannot hold more than {@code 1032 n} (deflate's largest expansion). Data is then read as it arrives,
 *       so memory follows what the file really holds.
 * </ul>
 * A file that is there but not valid raises {@link DatasetFormatException} naming the file, the byte (of the
 * decompressed stream, for gzip) and the problem; a file that cannot be opened raises {@link UncheckedIOException}.
 */
public final class Idx {
  /** Deflate's largest expansion: a 258-byte match coded in 2 bits. */
  static final long MAX_DEFLATE_RATIO = 1032;

  private static final int IMAGES = 0x803;
  private static final int LABELS = 0x801;

  private Idx() {}

  /**
   * Reads an images file and its labels file, which must announce the same count.
   *
   * @throws DatasetFormatException if a file is empty, not IDX, truncated, corrupt, too large, followed by extra
   *     bytes, or if the counts differ
   * @throws UncheckedIOException if a file cannot be read
   */
  public static Examples read(Path images, Path labels) {
    Content i = readIdx(images, IMAGES, -1, null);
    Content l = readIdx(labels, LABELS, i.dims[0], images);
    return new Examples(images, labels, i.data, l.data, i.dims[0], i.dims[1], i.dims[2]);
  }

  /**
   * The examples of an images file and its labels file, held as the files' bytes (one byte a pixel).
   * {@link #struct()} and {@link #dataset()} give them as tensors; {@link #pixel} and {@link #label} read single
   * values without building any.
   */
  public static final class Examples {
    private final Path imagesFile;
    private final Path labelsFile;
    private final byte[] pixels;
    private final byte[] labels;
    private final int count;
    private final int rows;
    private final int columns;

    private Examples(Path imagesFile, Path labelsFile, byte[] pixels, byte[] labels, int count, int rows,
        int columns) {
      this.imagesFile = imagesFile;
      this.labelsFile = labelsFile;
      this.pixels = pixels;
      this.labels = labels;
      this.count = count;
      this.rows = rows;
      this.columns = columns;
    }

    /** The images file read. */
    public Path imagesFile() {
      return imagesFile;
    }

    /** The labels file read. */
    public Path labelsFile() {
      return labelsFile;
    }

    /** The number of examples. */
    public int count() {
      return count;
    }

    /** The rows of each image. */
    public int rows() {
      return rows;
    }

    /** The columns of each image. */
    public int columns() {
      return columns;
    }

    /** Pixel {@code p} (row-major) of example {@code i}, 0..255 (0 = background). */
    public int pixel(int i, int p) {
      return pixels[i * rows * columns + p] & 0xff;
    }

    /** The label of example {@code i}, 0..255. */
    public int label(int i) {
      return labels[i] & 0xff;
    }

    /** The labels, one per example (a new array), e.g. for a {@link dev.cohort.simulation.Partitioner}. */
    public int[] labelArray() {
      int[] out = new int[count];
      for (int i = 0; i < count; i++) {
        out[i] = labels[i] & 0xff;
      }
      return out;
    }

    /** The element type of {@link #dataset()}: {@code <label=int32,pixels=float32[rows,columns]>}. */
    public StructType elementType() {
      return StructType.named("label", TensorType.INT32, "pixels", TensorType.of(DType.FLOAT32, rows, columns));
    }

    /**
     * All examples as tensors: {@code label} int32[count] and {@code pixels} float32[count, rows, columns], each
     * pixel divided by 255 (in float64, then rounded to float32, as NumPy's {@code x / 255.0} does).
     */
    public Struct struct() {
      float[] x = new float[pixels.length];
      for (int k = 0; k < x.length; k++) {
        x[k] = (float) ((pixels[k] & 0xff) / 255.0);
      }
      return Struct.named("label", Tensor.wrap(labelArray(), Shape.of(count)),
          "pixels", Tensor.wrap(x, Shape.of(count, rows, columns)));
    }

    /** The examples in file order, as {@link Dataset#fromTensorSlices} of {@link #struct()}. */
    public Dataset dataset() {
      return Dataset.fromTensorSlices(struct());
    }

    /** {@code Idx.Examples(10000 of 28x28, t10k-images-idx3-ubyte.gz)}. */
    @Override
    public String toString() {
      return "Idx.Examples(" + count + " of " + rows + "x" + columns + ", " + imagesFile.getFileName() + ")";
    }
  }

  private record Content(int[] dims, byte[] data) {}

  /** Counts the bytes read through it: the position that errors report. */
  private static final class Counting extends FilterInputStream {
    long count;

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }

  /**
   * Reads one IDX file; {@code expectedCount} (or -1) is the first dimension it must announce, the count of the
   * images in {@code countedIn}.
   */
  private static Content readIdx(Path p, int magic, int expectedCount, Path countedIn) {
    String kind = magic == IMAGES ? "images" : "labels";
    long length;
    try {
      length = Files.size(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the IDX " + kind + " file " + p, e);
    }
    if (length == 0) {
      throw new DatasetFormatException(p, "byte 0", null, "empty file (0 bytes), expected IDX " + kind + " (magic 0x"
          + Integer.toHexString(magic) + ", gzip-compressed or plain) starting with its header", null);
    }
    Counting in = null;
    try (PushbackInputStream raw = new PushbackInputStream(Files.newInputStream(p), 2)) {
      byte[] start = raw.readNBytes(2);
      raw.unread(start);
      boolean gzip = start.length == 2 && (start[0] & 0xff) == 0x1f && (start[1] & 0xff) == 0x8b;
      Counting counting = new Counting(gzip ? new GzipStream(raw) : new BufferedInputStream(raw, 1 << 16));
      in = counting;
      try (counting) {
        return content(p, counting, gzip, length, magic, expectedCount, countedIn);
      }
    } catch (ZipException e) {
      throw new DatasetFormatException(p, "decompressed byte " + (in == null ? 0 : in.count), null, e.getMessage(),
          e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the IDX " + kind + " file " + p, e);
    }
  }

  private static Content content(Path p, Counting in, boolean gzip, long length, int magic, int expectedCount,
      Path countedIn) throws IOException {
    String kind = magic == IMAGES ? "images" : "labels";
    String content = gzip ? "the decompressed data holds " : "the file holds ";
    int rank = magic & 0xff;
    int headerLength = 4 + 4 * rank;
    byte[] header = in.readNBytes(headerLength);
    if (header.length < 4) {
      throw problem(p, gzip, header.length, "truncated IDX header: " + content + header.length
          + " bytes, the header has " + headerLength);
    }
    int found = readInt(header, 0);
    if (found != magic) {
      throw problem(p, gzip, 0, "magic number 0x" + Integer.toHexString(found) + ", expected 0x"
          + Integer.toHexString(magic) + " (IDX " + kind + ")");
    }
    if (header.length < headerLength) {
      throw problem(p, gzip, header.length, "truncated IDX header: " + content + header.length
          + " bytes, the header has " + headerLength);
    }
    int[] dims = new int[rank];
    BigInteger product = BigInteger.ONE;
    for (int d = 0; d < rank; d++) {
      dims[d] = readInt(header, 4 + 4 * d);
      product = product.multiply(BigInteger.valueOf(Math.max(0, dims[d])));
    }
    String announced = magic == IMAGES
        ? dims[0] + " images of " + dims[1] + "x" + dims[2] + " pixels" : dims[0] + " labels";
    if (dims[0] < 0 || (rank == 3 && (dims[1] <= 0 || dims[2] <= 0))) {
      throw problem(p, gzip, 4, "bad header (" + announced + ")");
    }
    if (expectedCount >= 0 && dims[0] != expectedCount) {
      throw problem(p, gzip, 4, dims[0] + " labels for the " + expectedCount + " images of " + countedIn);
    }
    if (product.compareTo(BigInteger.valueOf(Shape.MAX_SIZE)) > 0) {
      throw problem(p, gzip, 4, "the header announces " + announced + " (" + product
          + " bytes), more than the largest array (" + Shape.MAX_SIZE + " bytes)");
    }
    long size = product.longValueExact();
    long room = gzip ? MAX_DEFLATE_RATIO * length : length - headerLength;
    if (size > room) {
      throw problem(p, gzip, 4, "truncated: the header announces " + announced + " (" + size
          + " bytes after the " + headerLength + "-byte header), " + (gzip ? "more than a " + length
          + "-byte gzip file can hold (deflate expands at most " + MAX_DEFLATE_RATIO + ":1)"
          : "the file holds " + room));
    }
    byte[] data = in.readNBytes((int) size);
    if (data.length < size) {
      throw problem(p, gzip, in.count, "truncated: the header announces " + announced + " (" + size
          + " bytes after the " + headerLength + "-byte header), " + content + data.length);
    }
    long extra = in.transferTo(OutputStream.nullOutputStream());
    if (extra > 0) {
      throw problem(p, gzip, headerLength + size, extra + " bytes follow the " + announced
          + " the header announces");
    }
    return new Content(dims, data);
  }

  private static DatasetFormatException problem(Path p, boolean gzip, long at, String what) {
    return new DatasetFormatException(p, (gzip ? "decompressed byte " : "byte ") + at, null, what, null);
  }

  private static int readInt(byte[] b, int at) {
    return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
  }
}
