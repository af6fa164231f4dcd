package dev.cohort.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPOutputStream;

/** Small IDX files for the tutorial's tests (the reader itself is tested in cohort-simulation). */
final class IdxBytes {
  private IdxBytes() {}

  static byte[] images(int count, int rows, int columns, byte[] pixels) {
    return ByteBuffer.allocate(16 + pixels.length).putInt(0x803).putInt(count).putInt(rows).putInt(columns)
        .put(pixels).array();
  }

  static byte[] labels(int count, byte[] labels) {
    return ByteBuffer.allocate(8 + labels.length).putInt(0x801).putInt(count).put(labels).array();
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
