package dev.cohort.simulation.datasets;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.Dataset;
import dev.cohort.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A play's text as federated data, each speaker a client and each turn an example: the layout of "tiny
 * shakespeare" (and of TFF's Shakespeare, whose examples it calls snippets). The file (UTF-8, {@code \n} line ends)
 * is a sequence of turns separated by one or more blank lines; a turn is a {@code NAME:} line, then the lines of
 * speech. A turn whose speech is empty is skipped. Elements are {@code <snippets=str>}: the speech, its lines
 * joined by {@code \n}, as TFF's Shakespeare element {@code OrderedDict(snippets=tf.string)}.
 *
 * <p>Loading scans the file once and keeps, per speaker, the byte offset and length of each turn's speech; a
 * speaker's dataset reads its turns from the file when it is iterated. A header line without the closing colon,
 * speech that is not UTF-8, or a file changed after loading raises {@link DatasetFormatException} naming the
 * file, the line and the speaker.
 */
public final class SpeakerText {
  /** {@code <snippets=str>}. */
  public static final StructType ELEMENT_TYPE = StructType.named("snippets", TensorType.STRING);

  private SpeakerText() {}

  /** One turn's speech in the file. */
  private record Turn(long offset, int length, long line) {}

  /**
   * The speakers of {@code file} and their turns.
   *
   * @throws DatasetFormatException if a turn does not start with a {@code NAME:} line
   * @throws UncheckedIOException if the file cannot be read
   */
  public static ClientData load(Path file) {
    Map<String, List<Turn>> turns = new LinkedHashMap<>();
    long size;
    FileTime modified;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      size = Files.size(file);
      modified = Files.getLastModifiedTime(file);
      scan(file, in, turns);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the text file " + file, e);
    }
    return ClientData.of(turns.keySet(), ELEMENT_TYPE, speaker -> Dataset.defer(ELEMENT_TYPE,
        () -> Dataset.fromTensorSlices(read(file, size, modified, speaker, turns.get(speaker)))));
  }

  private static void scan(Path file, InputStream in, Map<String, List<Turn>> turns) throws IOException {
    ByteArrayLine line = new ByteArrayLine();
    long offset = 0;
    long lineNumber = 0;
    String speaker = null;
    long headerLine = 0;
    long speechStart = -1;
    long speechEnd = -1;
    while (true) {
      long start = offset;
      boolean more = line.read(in);
      offset += line.consumed;
      if (!more && line.length == 0 && line.consumed == 0) {
        break;
      }
      lineNumber++;
      if (line.length == 0) {
        speaker = close(turns, speaker, speechStart, speechEnd, headerLine);
        speechStart = -1;
        continue;
      }
      if (speaker == null) {
        String header = line.text(file, lineNumber);
        if (!header.endsWith(":") || header.length() == 1) {
          throw new DatasetFormatException(file, "line " + lineNumber, null, "a turn must start with a 'NAME:'"
              + " line, found '" + (header.length() > 60 ? header.substring(0, 57) + "..." : header) + "'", null);
        }
        speaker = header.substring(0, header.length() - 1);
        headerLine = lineNumber;
      } else {
        if (speechStart < 0) {
          speechStart = start;
        }
        speechEnd = start + line.length;
      }
      if (!more) {
        break;
      }
    }
    close(turns, speaker, speechStart, speechEnd, headerLine);
  }

  private static String close(Map<String, List<Turn>> turns, String speaker, long start, long end, long line) {
    if (speaker != null && start >= 0) {
      if (end - start > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("a turn of " + (end - start) + " bytes is too long for one string");
      }
      turns.computeIfAbsent(speaker, s -> new ArrayList<>()).add(new Turn(start, (int) (end - start), line + 1));
    }
    return null;
  }

  /** One line's bytes, without its {@code \n}. */
  private static final class ByteArrayLine {
    byte[] bytes = new byte[256];
    int length;
    int consumed;

    /** Reads one line; false at the end of the input (the line read may still hold bytes). */
    boolean read(InputStream in) throws IOException {
      length = 0;
      consumed = 0;
      int b;
      while ((b = in.read()) >= 0) {
        consumed++;
        if (b == '\n') {
          return true;
        }
        if (length == bytes.length) {
          bytes = Arrays.copyOf(bytes, bytes.length * 2);
        }
        bytes[length++] = (byte) b;
      }
      return false;
    }

    String text(Path file, long lineNumber) {
      return decode(file, ByteBuffer.wrap(bytes, 0, length), "line " + lineNumber, null);
    }
  }

  private static String decode(Path file, ByteBuffer bytes, String position, String speaker) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
    } catch (CharacterCodingException e) {
      throw new DatasetFormatException(file, position, speaker, "the text is not valid UTF-8 (" + e + ")", e);
    }
  }

  private static Struct read(Path file, long size, FileTime modified, String speaker, List<Turn> turns) {
    String[] snippets = new String[turns.size()];
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      if (channel.size() != size || !Files.getLastModifiedTime(file).equals(modified)) {
        throw new DatasetFormatException(file, "byte 0", speaker, "the file changed since it was loaded; load it"
            + " again", null);
      }
      for (int i = 0; i < snippets.length; i++) {
        Turn t = turns.get(i);
        ByteBuffer buf = ByteBuffer.allocate(t.length());
        while (buf.hasRemaining()) {
          if (channel.read(buf, t.offset() + buf.position()) < 0) {
            throw new DatasetFormatException(file, "line " + t.line(), speaker, "the file ends inside the turn", null);
          }
        }
        buf.flip();
        snippets[i] = decode(file, buf, "line " + t.line(), speaker);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the text file " + file + " for speaker '" + speaker + "'", e);
    }
    return Struct.named("snippets", Tensor.ofStrings(snippets, snippets.length));
  }
}
