package dev.cohort.simulation.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks that a text file is UTF-8 before a parser reads it, so that bad bytes are reported at their line: a
 * decoding reader fails wherever its read-ahead buffer happens to end, not where the parser is.
 */
final class Utf8 {
  private Utf8() {}

  /**
   * Streams {@code file} through a strict UTF-8 decoder.
   *
   * @throws DatasetFormatException naming the line and byte of the first malformed sequence
   * @throws IOException if the file cannot be read
   */
  static void require(Path file) throws IOException {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.allocate(1 << 16);
    CharBuffer out = CharBuffer.allocate(1 << 16);
    long consumed = 0; // bytes before in's position 0
    long lines = 1;
    try (InputStream stream = Files.newInputStream(file)) {
      boolean end = false;
      while (true) {
        int n = end ? -1 : stream.read(in.array(), in.position(), in.remaining());
        if (n < 0) {
          end = true;
        } else {
          in.position(in.position() + n);
        }
        in.flip();
        int start = in.position();
        CoderResult r = decoder.decode(in, out, end);
        for (int i = start; i < in.position(); i++) {
          lines += in.get(i) == '\n' ? 1 : 0;
        }
        if (r.isError()) {
          throw new DatasetFormatException(file, "line " + lines + " (byte " + (consumed + in.position()) + ")",
              null, "the text is not valid UTF-8 (" + r.length() + " malformed byte" + (r.length() == 1 ? "" : "s")
              + ")", null);
        }
        out.clear();
        consumed += in.position();
        in.compact();
        if (end && !r.isOverflow()) {
          if (decoder.flush(out).isError() || in.position() > 0) {
            throw new DatasetFormatException(file, "line " + lines + " (byte " + consumed + ")", null,
                "the text is not valid UTF-8 (the file ends inside a character)", null);
          }
          return;
        }
      }
    }
  }
}
