package dev.cohort.nn;

import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * NumPy {@code .npz} files: a zip archive of {@code .npy} arrays, the format of {@code numpy.savez}, read by
 * {@code numpy.load} and so by PyTorch ({@code torch.from_numpy}). Entry names are array names plus
 * {@code .npy}; Cohort's model weights use {@code layer/param} names.
 *
 * <p>Writing supports float32, int32, int64 and bool tensors (little-endian, C order, uncompressed like
 * {@code savez}); the file appears atomically (written to a temporary file, then renamed). Reading also accepts
 * {@code savez_compressed} archives, big-endian data, Fortran order, and float64 (converted to float32). A
 * truncated or corrupt file, an unsupported dtype or a malformed header fails with an
 * {@link IllegalArgumentException} naming the file and the entry; nothing is returned partially.
 */
public final class Npz {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npz() {}

  /** Writes {@code arrays} (name -> tensor) to {@code file}. */
  public static void write(Path file, Map<String, Tensor> arrays) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(tmp))) {
        for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
          byte[] npy = toNpy(e.getKey(), e.getValue());
          ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
          entry.setMethod(ZipEntry.STORED);
          entry.setSize(npy.length);
          entry.setCompressedSize(npy.length);
          CRC32 crc = new CRC32();
          crc.update(npy);
          entry.setCrc(crc.getValue());
          zip.putNextEntry(entry);
          zip.write(npy);
          zip.closeEntry();
        }
      }
      try {
        // createTempFile makes the file private (0600); weights files are ordinary files, as numpy writes them.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      } catch (UnsupportedOperationException notPosix) {
        // Non-POSIX file systems keep their default permissions.
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static byte[] toNpy(String name, Tensor t) {
    String descr = switch (t.dtype()) {
      case FLOAT32 -> "<f4";
      case INT32 -> "<i4";
      case INT64 -> "<i8";
      case BOOL -> "|b1";
      case STRING -> throw new IllegalArgumentException("npz: array '" + name + "' has dtype str, which .npz writing does not support");
    };
    StringBuilder shape = new StringBuilder("(");
    for (int i = 0; i < t.rank(); i++) {
      shape.append(t.shape().dim(i)).append(t.rank() == 1 ? "," : i < t.rank() - 1 ? ", " : "");
    }
    shape.append(')');
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    int padding = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(padding) + "\n";
    int itemSize = t.dtype().byteSize();
    ByteBuffer buf = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + t.size() * itemSize).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    buf.put(header.getBytes(StandardCharsets.US_ASCII));
    switch (t.dtype()) {
      case FLOAT32 -> buf.asFloatBuffer().put(t.floatData());
      case INT32 -> buf.asIntBuffer().put(t.intData());
      case INT64 -> buf.asLongBuffer().put(t.longData());
      case BOOL -> {
        for (boolean b : t.boolData()) {
          buf.put((byte) (b ? 1 : 0));
        }
      }
      default -> throw new AssertionError();
    }
    return buf.array();
  }

  /**
   * Reads every array of {@code file}, in archive order, or fails without returning anything.
   *
   * @throws IllegalArgumentException if the file is missing, is not a zip archive, is truncated or corrupt (a CRC-32
   *     mismatch, bad compressed data, a header or size that does not fit the entry), holds an entry twice or an
   *     entry that is not a supported {@code .npy} array; the message names the file, the entry and the problem
   * @throws IOException if the file cannot be read (the message names the file and the entry)
   */
  public static Map<String, Tensor> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("npz " + file + ": no such file");
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    ZipFile zip;
    try {
      zip = new ZipFile(file.toFile());
    } catch (ZipException | EOFException e) {
      throw new IllegalArgumentException("npz " + file + ": not a valid .npz (zip) archive, or truncated ("
          + describe(e) + ")", e);
    }
    try (zip) {
      List<ZipEntry> entries = new ArrayList<>();
      Set<String> names = new HashSet<>();
      for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
        ZipEntry e = en.nextElement();
        // Checked before any entry is read: a zip reader looks entries up by name, so a second entry of the same
        // name would be read as the first one's data and fail its checksum, hiding the real problem.
        if (!names.add(e.getName())) {
          throw new IllegalArgumentException("npz " + file + " entry '" + e.getName()
              + "': the archive holds this entry more than once");
        }
        entries.add(e);
      }
      for (ZipEntry e : entries) {
        if (e.isDirectory()) {
          continue;
        }
        String entryName = e.getName();
        if (!entryName.endsWith(".npy")) {
          throw new IllegalArgumentException("npz " + file + ": entry '" + entryName + "' is not a .npy array");
        }
        String name = entryName.substring(0, entryName.length() - 4);
        String where = file + " entry '" + entryName + "'";
        // ZipFile streams do not verify checksums; numpy.load does, and so must we.
        try (CheckedInputStream in = new CheckedInputStream(zip.getInputStream(e), new CRC32())) {
          Tensor t = readNpy(in, where, e.getSize());
          if (in.read() != -1) {
            throw new IllegalArgumentException("npz " + where + ": bytes follow the array data its header describes");
          }
          if (e.getCrc() != -1 && in.getChecksum().getValue() != e.getCrc()) {
            throw new IllegalArgumentException("npz " + where + ": CRC-32 mismatch, the data is corrupt");
          }
          out.put(name, t);
        } catch (ZipException | EOFException ex) {
          throw new IllegalArgumentException("npz " + where + " is corrupt or truncated (" + describe(ex) + ")", ex);
        } catch (IOException ex) {
          throw new IOException("npz " + where + ": cannot read (" + describe(ex) + ")", ex);
        }
      }
    }
    return out;
  }

  /** An exception's message, or what its type says when it has none (the JDK's EOFException often has none). */
  private static String describe(IOException e) {
    if (e.getMessage() != null && !e.getMessage().isBlank()) {
      return e.getMessage();
    }
    return e instanceof EOFException ? "the zip directory points past the end of the file"
        : e.getClass().getSimpleName();
  }

  /**
   * Reads one {@code .npy} array.
   *
   * @param entrySize the entry's uncompressed size from the zip directory, or -1 when unknown: the header and the
   *     data it announces must fit in it, which is checked before anything is allocated
   */
  static Tensor readNpy(InputStream in, String where, long entrySize) throws IOException {
    byte[] magic = in.readNBytes(8);
    if (magic.length < 8) {
      throw new IllegalArgumentException("npz " + where + ": truncated .npy header");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (magic[i] != MAGIC[i]) {
        throw new IllegalArgumentException("npz " + where + ": not a .npy array (bad magic)");
      }
    }
    int major = magic[6];
    long headerLen;
    int prefix;
    if (major == 1) {
      byte[] len = in.readNBytes(2);
      if (len.length < 2) {
        throw new IllegalArgumentException("npz " + where + ": truncated .npy header");
      }
      headerLen = (len[0] & 0xFF) | (len[1] & 0xFF) << 8;
      prefix = 10;
    } else if (major == 2 || major == 3) {
      byte[] len = in.readNBytes(4);
      if (len.length < 4) {
        throw new IllegalArgumentException("npz " + where + ": truncated .npy header");
      }
      headerLen = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL; // unsigned, as numpy
      prefix = 12;
    } else {
      throw new IllegalArgumentException("npz " + where + ": unsupported .npy format version " + major + "." + magic[7]
          + " (expected 1.0, 2.0 or 3.0)");
    }
    long room = entrySize >= 0 ? entrySize - prefix : Shape.MAX_SIZE;
    if (headerLen > room) {
      throw new IllegalArgumentException("npz " + where + ": the .npy header length " + headerLen + " exceeds the "
          + (entrySize >= 0 ? room + " bytes the entry holds after its " + prefix + "-byte prefix"
              : "largest array (" + Shape.MAX_SIZE + " bytes)"));
    }
    byte[] headerBytes = in.readNBytes((int) headerLen);
    if (headerBytes.length < headerLen) {
      throw new IllegalArgumentException("npz " + where + ": truncated .npy header (" + headerBytes.length + " of "
          + headerLen + " bytes)");
    }
    String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, "descr", where);
    boolean fortran = group(FORTRAN, header, "fortran_order", where).equals("True");
    String shapeText = group(SHAPE, header, "shape", where).trim();
    List<Integer> dimList = new ArrayList<>();
    for (String part : shapeText.split(",")) {
      String p = part.trim();
      if (!p.isEmpty()) {
        try {
          dimList.add(Integer.parseInt(p.endsWith("L") ? p.substring(0, p.length() - 1) : p));
        } catch (NumberFormatException ex) {
          throw new IllegalArgumentException("npz " + where + ": malformed shape (" + shapeText + ")");
        }
      }
    }
    int[] dims = dimList.stream().mapToInt(Integer::intValue).toArray();
    Shape shape;
    try {
      shape = Shape.of(dims);
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException("npz " + where + ": invalid shape (" + shapeText + "): " + ex.getMessage(), ex);
    }
    ByteOrder order = descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    String kind = descr.replaceFirst("^[<>|=]", "");
    int itemSize = switch (kind) {
      case "f4", "i4" -> 4;
      case "f8", "i8" -> 8;
      case "b1" -> 1;
      default -> throw new IllegalArgumentException("npz " + where + ": unsupported dtype '" + descr
          + "' (supported: float32 '<f4', float64 '<f8' (read as float32), int32 '<i4', int64 '<i8', bool '|b1')");
    };
    long bytes = (long) shape.size() * itemSize;
    if (bytes > Shape.MAX_SIZE) {
      throw new IllegalArgumentException("npz " + where + ": shape " + shape + " " + descr + " needs " + bytes
          + " bytes of data, more than the largest array (" + Shape.MAX_SIZE + " bytes)");
    }
    long dataRoom = entrySize >= 0 ? entrySize - prefix - headerLen : -1;
    if (dataRoom >= 0 && bytes > dataRoom) {
      throw new IllegalArgumentException("npz " + where + ": truncated data: the header announces shape " + shape
          + " " + descr + " (" + bytes + " bytes), but the entry holds only " + Math.max(0, dataRoom)
          + " bytes after the header");
    }
    byte[] data = in.readNBytes((int) bytes);
    if (data.length < bytes) {
      throw new IllegalArgumentException("npz " + where + ": truncated data: " + data.length + " of " + bytes + " bytes for shape "
          + shape + " " + descr);
    }
    ByteBuffer buf = ByteBuffer.wrap(data).order(order);
    // Fortran order of shape S is C order of reversed(S); read that, then transpose back.
    int[] storedDims = fortran ? reversed(dims) : dims;
    Shape stored = Shape.of(storedDims);
    Tensor t = switch (kind) {
      case "f4" -> {
        float[] f = new float[shape.size()];
        buf.asFloatBuffer().get(f);
        yield Tensor.wrap(f, stored);
      }
      case "f8" -> {
        float[] f = new float[shape.size()];
        for (int i = 0; i < f.length; i++) {
          f[i] = (float) buf.getDouble();
        }
        yield Tensor.wrap(f, stored);
      }
      case "i4" -> {
        int[] v = new int[shape.size()];
        buf.asIntBuffer().get(v);
        yield Tensor.wrap(v, stored);
      }
      case "i8" -> {
        long[] v = new long[shape.size()];
        buf.asLongBuffer().get(v);
        yield Tensor.wrap(v, stored);
      }
      default -> {
        boolean[] v = new boolean[shape.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = data[i] != 0;
        }
        yield Tensor.wrap(v, stored);
      }
    };
    return fortran && dims.length > 1 ? t.transpose() : t;
  }

  private static int[] reversed(int[] d) {
    int[] r = new int[d.length];
    for (int i = 0; i < d.length; i++) {
      r[i] = d[d.length - 1 - i];
    }
    return r;
  }

  private static String group(Pattern p, String header, String key, String where) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IllegalArgumentException("npz " + where + ": malformed .npy header, no '" + key + "' in " + header.trim());
    }
    return m.group(1);
  }
}
