package dev.cohort.examples;

import dev.cohort.tensor.Shape;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST / Fashion-MNIST format): a big-endian header with magic {@code 0x803} (images: count,
 * rows, columns) or {@code 0x801} (labels: count), then one unsigned byte per pixel or label.
 *
 * <h2>What is accepted</h2>
 * <ul>
 *   <li>A file is gzip-compressed when it starts with the gzip magic {@code 1f 8b}, else plain IDX.
 *   <li>Gzip data is read to the end of the stream with {@link GzipStream}: every member's CRC-32 and length are
 *       checked, concatenated members are one stream, and bytes after the last member (trailing garbage) are
 *       an error.
 *   <li>The content must be exactly the header and the bytes it announces: fewer is "truncated", more is an error.
 *   <li>Before anything is allocated, the announced size is checked against the largest array
 *       ({@link Shape#MAX_SIZE} bytes) and against the file: a plain file must hold it; a gzip file of {@code n}
 *       bytes cannot hold more than {@code 1032 n} (deflate's largest expansion). Data is then read as it
 *       arrives, so memory follows what the file really holds.
 * </ul>
 * Every failure is an {@link IllegalArgumentException} whose message starts with the file's path: a
 * {@link DataFileException} for a file that exists but cannot be used, a plain one for a missing file.
 */
final class IdxFiles {
  /** Deflate's largest expansion: a 258-byte match coded in 2 bits. */
  static final long MAX_DEFLATE_RATIO = 1032;

  private IdxFiles() {}

  /** The pixels and labels of one split, and the files they came from. */
  record Split(Path imagesFile, Path labelsFile, byte[] pixels, byte[] labels, int count, int rows, int columns) {
    /** The pixel {@code p} of example {@code i}, 0..255. */
    int pixel(int i, int p) {
      return pixels[i * rows * columns + p] & 0xff;
    }

    /** The label of example {@code i}. */
    int label(int i) {
      return labels[i] & 0xff;
    }
  }

  /**
   * Reads an images file and its labels file.
   *
   * @throws IllegalArgumentException naming the file if it is missing; {@link DataFileException} if it is empty,
   *     not IDX, truncated, corrupt, too large, followed by extra bytes, or if the counts differ
   */
  static Split read(Path images, Path labels) {
    Idx i = readIdx(images, 0x803, -1, null);
    Idx l = readIdx(labels, 0x801, i.dims[0], images);
    return new Split(images, labels, i.data, l.data, i.dims[0], i.dims[1], i.dims[2]);
  }

  private record Idx(int[] dims, byte[] data) {}

  /**
   * Reads one IDX file; {@code expectedCount} (or -1) is the first dimension it must announce, the count of the
   * images in {@code countedIn}.
   */
  private static Idx readIdx(Path p, int magic, int expectedCount, Path countedIn) {
    String kind = magic == 0x803 ? "images" : "labels";
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException(p + ": no such file");
    }
    try (PushbackInputStream raw = new PushbackInputStream(Files.newInputStream(p), 2)) {
      long length = Files.size(p);
      if (length == 0) {
        throw new DataFileException(p + ": empty file (0 bytes), expected IDX " + kind + " (magic 0x"
            + Integer.toHexString(magic) + ", gzip-compressed or plain) starting with its header");
      }
      byte[] start = raw.readNBytes(2);
      raw.unread(start);
      boolean gzip = start.length == 2 && (start[0] & 0xff) == 0x1f && (start[1] & 0xff) == 0x8b;
      String content = gzip ? "the decompressed data holds " : "the file holds ";
      try (InputStream in = gzip ? new GzipStream(raw) : new BufferedInputStream(raw, 1 << 16)) {
        int rank = magic & 0xff;
        byte[] header = in.readNBytes(4 + 4 * rank);
        if (header.length < 4) {
          throw new DataFileException(p + ": truncated IDX header: " + content + header.length
              + " bytes, the header has " + (4 + 4 * rank));
        }
        int found = readInt(header, 0);
        if (found != magic) {
          throw new DataFileException(p + ": magic number 0x" + Integer.toHexString(found)
              + ", expected 0x" + Integer.toHexString(magic) + " (IDX " + kind + ")");
        }
        if (header.length < 4 + 4 * rank) {
          throw new DataFileException(p + ": truncated IDX header: " + content + header.length
              + " bytes, the header has " + (4 + 4 * rank));
        }
        int[] dims = new int[rank];
        BigInteger product = BigInteger.ONE;
        for (int d = 0; d < rank; d++) {
          dims[d] = readInt(header, 4 + 4 * d);
          product = product.multiply(BigInteger.valueOf(Math.max(0, dims[d])));
        }
        String announced = kind.equals("images")
            ? dims[0] + " images of " + dims[1] + "x" + dims[2] + " pixels" : dims[0] + " labels";
        if (dims[0] < 0 || (rank == 3 && (dims[1] <= 0 || dims[2] <= 0))) {
          throw new DataFileException(p + ": bad header (" + announced + ")");
        }
        if (expectedCount >= 0 && dims[0] != expectedCount) {
          throw new DataFileException(p + ": " + dims[0] + " labels for the " + expectedCount + " images of "
              + countedIn);
        }
        if (product.compareTo(BigInteger.valueOf(Shape.MAX_SIZE)) > 0) {
          throw new DataFileException(p + ": the header announces " + announced + " (" + product
              + " bytes), more than the largest array (" + Shape.MAX_SIZE + " bytes)");
        }
        long size = product.longValueExact();
        long room = gzip ? MAX_DEFLATE_RATIO * length : length - header.length;
        if (size > room) {
          throw new DataFileException(p + ": truncated: the header announces " + announced + " (" + size
              + " bytes after the " + header.length + "-byte header), " + (gzip ? "more than a " + length
              + "-byte gzip file can hold (deflate expands at most " + MAX_DEFLATE_RATIO + ":1)"
              : "the file holds " + room));
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) {
          throw new DataFileException(p + ": truncated: the header announces " + announced + " (" + size
              + " bytes after the " + header.length + "-byte header), " + content + data.length);
        }
        long extra = in.transferTo(OutputStream.nullOutputStream());
        if (extra > 0) {
          throw new DataFileException(p + ": " + extra + " bytes follow the " + announced
              + " the header announces");
        }
        return new Idx(dims, data);
      }
    } catch (ZipException e) {
      throw new DataFileException(p + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new DataFileException(p + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static int readInt(byte[] b, int at) {
    return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
  }
}
