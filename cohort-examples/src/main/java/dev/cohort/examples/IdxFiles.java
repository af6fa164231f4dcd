package dev.cohort.examples;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads gzip-compressed IDX files (the MNIST / Fashion-MNIST format): a big-endian header with magic {@code 0x803}
 * (images: count, rows, columns) or {@code 0x801} (labels: count), then unsigned bytes.
 */
final class IdxFiles {
  private IdxFiles() {}

  /** The pixels and labels of one split. */
  record Split(byte[] pixels, byte[] labels, int count, int rows, int columns) {
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
   * @throws IllegalArgumentException naming the file if it is missing, not IDX, truncated, or the counts differ
   */
  static Split read(Path images, Path labels) {
    try (DataInputStream in = open(images)) {
      int magic = in.readInt();
      if (magic != 0x803) {
        throw new IllegalArgumentException(images + ": magic number 0x" + Integer.toHexString(magic)
            + ", expected 0x803 (IDX images)");
      }
      int count = in.readInt();
      int rows = in.readInt();
      int columns = in.readInt();
      if (count < 0 || rows <= 0 || columns <= 0 || (long) count * rows * columns > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(images + ": bad header (count " + count + ", " + rows + "x" + columns + ")");
      }
      byte[] pixels = new byte[count * rows * columns];
      in.readFully(pixels);
      byte[] labelBytes = readLabels(labels, count);
      return new Split(pixels, labelBytes, count, rows, columns);
    } catch (EOFException e) {
      throw new IllegalArgumentException(images + ": truncated (fewer pixels than the header announces)", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(images + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static byte[] readLabels(Path labels, int expected) {
    try (DataInputStream in = open(labels)) {
      int magic = in.readInt();
      if (magic != 0x801) {
        throw new IllegalArgumentException(labels + ": magic number 0x" + Integer.toHexString(magic)
            + ", expected 0x801 (IDX labels)");
      }
      int count = in.readInt();
      if (count != expected) {
        throw new IllegalArgumentException(labels + ": " + count + " labels for " + expected + " images");
      }
      byte[] out = new byte[count];
      in.readFully(out);
      return out;
    } catch (EOFException e) {
      throw new IllegalArgumentException(labels + ": truncated (fewer labels than the header announces)", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(labels + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static DataInputStream open(Path p) throws IOException {
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException(p + ": no such file");
    }
    InputStream raw = Files.newInputStream(p);
    return new DataInputStream(new GZIPInputStream(raw, 1 << 16));
  }
}
