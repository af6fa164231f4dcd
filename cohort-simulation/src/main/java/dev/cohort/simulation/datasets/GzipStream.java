package dev.cohort.simulation.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Strict gzip decompression (RFC 1952). Every member is decompressed to its end and checked against its trailer
 * (CRC-32 and length) and, when present, its header CRC; concatenated members read as one stream, as gzip(1)
 * reads them. Anything after the last member's trailer that is not another gzip member is rejected as trailing
 * garbage: {@code java.util.zip.GZIPInputStream} ignores it silently, and a reader that stops at the last byte it
 * needs never sees a trailer at all, so neither would notice a damaged or spliced file.
 *
 * <p>Format errors throw {@link ZipException} whose message says what is wrong and in which member; the caller
 * adds the file's name.
 */
final class GzipStream extends InputStream {
  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;
  private static final int RESERVED = 0xe0;

  private final InputStream in;
  private final byte[] buf = new byte[1 << 16];
  private final Inflater inflater = new Inflater(true);
  private final CRC32 crc = new CRC32();
  /** Compressed input not yet given to the inflater (or, after a member's data, not yet consumed): buf[pos, lim). */
  private int pos;
  private int lim;
  private int member = 1;
  private boolean done;

  /** Reads the first member's header from {@code in}. */
  GzipStream(InputStream in) throws IOException {
    this.in = in;
    readHeader();
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (!done) {
      int n;
      try {
        n = inflater.inflate(b, off, len);
      } catch (DataFormatException e) {
        throw new ZipException("corrupt deflate data in gzip member " + member + " (" + e.getMessage() + ")");
      }
      if (n > 0) {
        crc.update(b, off, n);
        return n;
      }
      if (inflater.finished()) {
        pos = lim - inflater.getRemaining();
        endMember();
      } else if (inflater.needsDictionary()) {
        throw new ZipException("gzip member " + member + " asks for a preset dictionary, which gzip does not allow");
      } else if (inflater.needsInput()) {
        if (!fill()) {
          throw new ZipException("truncated gzip member " + member + ": the file ends inside its compressed data");
        }
        inflater.setInput(buf, pos, lim - pos);
        pos = lim;
      }
    }
    return -1;
  }

  @Override
  public void close() throws IOException {
    inflater.end();
    in.close();
  }

  /** Checks the trailer of the member just inflated, then starts the next member or ends the stream. */
  private void endMember() throws IOException {
    long expectedCrc = trailerInt();
    long expectedSize = trailerInt();
    if (expectedCrc != crc.getValue()) {
      throw new ZipException("corrupt gzip member " + member + ": its data has CRC-32 "
          + String.format("0x%08x", crc.getValue()) + ", its trailer says " + String.format("0x%08x", expectedCrc));
    }
    long size = inflater.getBytesWritten() & 0xffffffffL;
    if (expectedSize != size) {
      throw new ZipException("corrupt gzip member " + member + ": it holds " + size + " bytes (mod 2^32), its trailer"
          + " says " + expectedSize);
    }
    int next = rawByte();
    if (next < 0) {
      done = true;
      return;
    }
    if (next != 0x1f) {
      long garbage = 1 + (lim - pos);
      pos = lim;
      garbage += in.transferTo(OutputStream.nullOutputStream());
      throw new ZipException(garbage + " bytes of trailing garbage follow gzip member " + member
          + " (bytes after the last member are rejected)");
    }
    pos--;
    member++;
    inflater.reset();
    crc.reset();
    readHeader();
  }

  private long trailerInt() throws IOException {
    long v = 0;
    for (int i = 0; i < 4; i++) {
      int b = rawByte();
      if (b < 0) {
        throw new ZipException("truncated gzip member " + member + ": the file ends inside its 8-byte trailer");
      }
      v |= (long) b << (8 * i);
    }
    return v;
  }

  private void readHeader() throws IOException {
    CRC32 h = new CRC32();
    int id1 = headerByte(h);
    int id2 = headerByte(h);
    if (id1 != 0x1f || id2 != 0x8b) {
      throw new ZipException("gzip member " + member + " starts with " + String.format("%02x %02x", id1, id2)
          + ", not the gzip magic 1f 8b");
    }
    int method = headerByte(h);
    if (method != 8) {
      throw new ZipException("gzip member " + member + " uses compression method " + method + ", expected 8 (deflate)");
    }
    int flags = headerByte(h);
    if ((flags & RESERVED) != 0) {
      throw new ZipException("gzip member " + member + " sets reserved header flags " + String.format("0x%02x", flags));
    }
    for (int i = 0; i < 6; i++) {
      headerByte(h); // modification time, extra flags, operating system
    }
    if ((flags & FEXTRA) != 0) {
      int length = headerByte(h) | headerByte(h) << 8;
      for (int i = 0; i < length; i++) {
        headerByte(h);
      }
    }
    if ((flags & FNAME) != 0) {
      while (headerByte(h) != 0) {
        // the original file name, zero-terminated
      }
    }
    if ((flags & FCOMMENT) != 0) {
      while (headerByte(h) != 0) {
        // a comment, zero-terminated
      }
    }
    if ((flags & FHCRC) != 0) {
      int expected = (int) (h.getValue() & 0xffff);
      int found = headerByte(h) | headerByte(h) << 8;
      if (found != expected) {
        throw new ZipException("corrupt gzip member " + member + ": its header CRC-16 is "
            + String.format("0x%04x", found) + ", the header's bytes give " + String.format("0x%04x", expected));
      }
    }
    if (pos < lim) {
      inflater.setInput(buf, pos, lim - pos);
      pos = lim;
    }
  }

  private int headerByte(CRC32 h) throws IOException {
    int b = rawByte();
    if (b < 0) {
      throw new ZipException("truncated gzip member " + member + ": the file ends inside its header");
    }
    h.update(b);
    return b;
  }

  /** The next compressed byte, or -1 at the end of the file; only while the inflater holds no input. */
  private int rawByte() throws IOException {
    if (pos == lim && !fill()) {
      return -1;
    }
    return buf[pos++] & 0xff;
  }

  private boolean fill() throws IOException {
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) {
      return false;
    }
    pos = 0;
    lim = n;
    return true;
  }
}
