package dev.cohort.simulation.training;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Checkpoint files {@code checkpoint-<round, 9 digits>.ckpt} in a directory: the magic {@code COHORTCK}, format
 * version 1, the round, the process fingerprint and the run fingerprint (UTF-8, length-prefixed), the state's bytes
 * (length-prefixed), then the CRC-32 of everything before it (all integers big-endian). Written to a temporary file,
 * forced to disk, renamed into place, and the directory forced, so a checkpoint is either whole or absent.
 */
final class Checkpoints {
  private static final byte[] MAGIC = "COHORTCK".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;
  private static final Pattern NAME = Pattern.compile("checkpoint-(\\d{9})\\.ckpt");

  private final Path dir;
  private final String processFingerprint;
  private final String runFingerprint;

  Checkpoints(Path dir, String processFingerprint, String runFingerprint) {
    this.dir = dir;
    this.processFingerprint = processFingerprint;
    this.runFingerprint = runFingerprint;
  }

  /** A checkpoint read back. */
  record Loaded(Path file, int round, byte[] state) {}

  Path file(int round) {
    return dir.resolve(String.format("checkpoint-%09d.ckpt", round));
  }

  /** Writes the checkpoint of {@code round} atomically, then deletes all but the newest {@code keep}. */
  Path write(int round, byte[] state, int keep) throws IOException {
    Files.createDirectories(dir);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(state.length + 256);
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(MAGIC);
    out.writeInt(VERSION);
    out.writeInt(round);
    writeString(out, processFingerprint);
    writeString(out, runFingerprint);
    out.writeInt(state.length);
    out.write(state);
    CRC32 crc = new CRC32();
    crc.update(bytes.toByteArray());
    out.writeInt((int) crc.getValue());
    Path target = file(round);
    Path temp = dir.resolve(target.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes.toByteArray());
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.deleteIfExists(temp);
      throw new IOException("the checkpoint directory " + dir + " cannot rename files atomically", e);
    }
    forceDirectory();
    List<Path> all = list();
    for (int i = 0; i + keep < all.size(); i++) {
      Files.deleteIfExists(all.get(i));
    }
    return target;
  }

  private void forceDirectory() {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // some file systems do not let a directory be opened for force; the rename is then as durable as they allow
    }
  }

  /** The checkpoint files, oldest round first. */
  List<Path> list() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
          .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    }
  }

  /**
   * The newest readable checkpoint, or null when there is none; unreadable newer ones are reported to
   * {@code listener} and skipped.
   *
   * @throws CheckpointException if a readable checkpoint is of another process or run, or every checkpoint is
   *     unreadable
   */
  Loaded latest(TrainingListener listener) {
    List<Path> all;
    try {
      all = new ArrayList<>(list());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the checkpoints in " + dir, e);
    }
    List<String> problems = new ArrayList<>();
    for (int i = all.size() - 1; i >= 0; i--) {
      Path p = all.get(i);
      try {
        return read(p);
      } catch (Corrupt c) {
        problems.add(p.getFileName() + ": " + c.getMessage());
        listener.checkpointSkipped(p, c.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new CheckpointException(dir, "no checkpoint can be read: " + String.join("; ", problems), null);
    }
    return null;
  }

  /** A checkpoint that is damaged (as opposed to one of another run, which is an error). */
  static final class Corrupt extends Exception {
    Corrupt(String message) {
      super(message, null, false, false);
    }
  }

  Loaded read(Path p) throws Corrupt {
    byte[] b;
    try {
      b = Files.readAllBytes(p);
    } catch (IOException e) {
      throw new Corrupt("cannot be read (" + e + ")");
    }
    Matcher m = NAME.matcher(p.getFileName().toString());
    if (!m.matches()) {
      throw new Corrupt("not a checkpoint file name");
    }
    if (b.length < MAGIC.length + 4 + 4 + 4 + 4 + 4 + 4) {
      throw new Corrupt("truncated: " + b.length + " bytes");
    }
    ByteBuffer in = ByteBuffer.wrap(b);
    byte[] magic = new byte[MAGIC.length];
    in.get(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new Corrupt("not a Cohort checkpoint (bad magic)");
    }
    CRC32 crc = new CRC32();
    crc.update(b, 0, b.length - 4);
    int stored = ByteBuffer.wrap(b, b.length - 4, 4).getInt();
    if (stored != (int) crc.getValue()) {
      throw new Corrupt(String.format("corrupt: its CRC-32 is 0x%08x, its content gives 0x%08x", stored,
          (int) crc.getValue()));
    }
    int version = in.getInt();
    int round = in.getInt();
    if (version != VERSION) {
      throw new CheckpointException(p, "format version " + version + ", this Cohort reads version " + VERSION, null);
    }
    if (round != Integer.parseInt(m.group(1))) {
      throw new Corrupt("holds round " + round + " but is named for round " + Integer.parseInt(m.group(1)));
    }
    String process = readString(in, b.length);
    String run = readString(in, b.length);
    if (!process.equals(processFingerprint)) {
      throw new CheckpointException(p, "a checkpoint of another model or algorithm: it is of '" + process
          + "', this run's process is '" + processFingerprint + "'", null);
    }
    if (!run.equals(runFingerprint)) {
      throw new CheckpointException(p, "a checkpoint of another run: it was written with " + run
          + ", this run has " + runFingerprint, null);
    }
    int length = in.getInt();
    if (length < 0 || length != in.remaining() - 4) {
      throw new Corrupt("the state's length " + length + " disagrees with the file's size");
    }
    byte[] state = new byte[length];
    in.get(state);
    return new Loaded(p, round, state);
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(ByteBuffer in, int fileLength) throws Corrupt {
    int n = in.getInt();
    if (n < 0 || n > in.remaining() - 8) {
      throw new Corrupt("a string of " + n + " bytes does not fit the " + fileLength + "-byte file");
    }
    byte[] b = new byte[n];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
