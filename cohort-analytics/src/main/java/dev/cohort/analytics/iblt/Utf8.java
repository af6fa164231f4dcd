package dev.cohort.analytics.iblt;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The byte view of string keys. TFF's strings are bytes: keys are truncated on byte boundaries, which may split a
 * multi-byte character, and decoded keys are read back with Python's {@code decode('utf-8', 'ignore')}. Java
 * strings are UTF-16, so the way in is a strict encoding and the way out a lenient decoding.
 */
public final class Utf8 {
  private Utf8() {}

  /**
   * The UTF-8 bytes of {@code s}.
   *
   * @throws IllegalArgumentException if {@code s} has an unpaired surrogate, which no UTF-8 encodes; the message
   *     names the char index and the escaped string
   */
  public static byte[] encode(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(String.format("string \"%s\" is not valid Unicode: unpaired surrogate"
            + " \\u%04X at char index %d has no UTF-8 encoding", escape(s), (int) c, i));
      }
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The first {@code maxBytes} bytes of {@code bytes} (all of them if there are fewer), as TensorFlow's
   * {@code tf.strings.substr(s, 0, maxBytes, unit='BYTE')}: a multi-byte character may be cut.
   */
  public static byte[] truncate(byte[] bytes, int maxBytes) {
    return bytes.length <= maxBytes ? bytes : Arrays.copyOf(bytes, maxBytes);
  }

  /**
   * {@code bytes} read as UTF-8, dropping malformed sequences (such as a character cut by truncation), as Python's
   * {@code bytes.decode('utf-8', 'ignore')} does for them.
   */
  public static String decode(byte[] bytes) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.IGNORE)
        .onUnmappableCharacter(CodingErrorAction.IGNORE);
    try {
      CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new IllegalStateException("a UTF-8 decoder that ignores errors reported one", e);
    }
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c) || Character.isISOControl(c) || c == '"' || c == '\\') {
        b.append(String.format("\\u%04X", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
