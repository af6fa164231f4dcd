package dev.cohort.core.serialization;

import dev.cohort.core.ast.Expr;
import dev.cohort.core.ast.Exprs;
import dev.cohort.core.ast.IntrinsicDef;
import dev.cohort.core.ast.LocalFunction;
import dev.cohort.core.ast.LocalRegistry;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.CRC32;

/**
 * The portable binary form of a computation (its name and its closed, function-typed expression), version 3:
 *
 * <pre>
 * magic    8 bytes  "COHORTCP"
 * version  u16      3
 * length   u32      payload bytes
 * payload           name (string), the table of local computations, the expression tree
 * crc32    u32      of the payload
 * </pre>
 *
 * <p>The table names what the computation needs from the JVM that loads it: every local function the tree uses, in
 * order of first use, as a count (u32) and then, for each, the family's name, the function type and the parameters
 * (a struct: count (u32), then per element a has-name flag, the name, and a kind byte, 0 for a tensor written as a
 * literal is, 1 for a nested struct written the same way). A loader checks the whole table before it reads the tree:
 * it reports every family this JVM does not define at once, then rebuilds each function from its family, type and
 * parameters, reporting every entry a family rejects at once.
 *
 * <p>The tree is written pre-order, one tag byte per node: reference (name, type), lambda (has-parameter flag,
 * name, type, body), call (function, has-argument flag, argument), block (count, name/value pairs, result), struct
 * (count, optional-name/value pairs), selection (source, index), intrinsic (URI, concrete type), literal (tensor),
 * data (URI, type), placement (URI), local (u32 index into the table). Types are written in TFF's compact notation
 * and parsed back; strings are length-prefixed UTF-8; tensors are dtype name, rank, dimensions and big-endian
 * elements.
 *
 * <p>Version 2 files (a table of names and types, no parameters) and version 1 files (no table; a local node carries
 * its name and type) are still read, with the same checks; their locals have no parameters.
 *
 * <p>Reading rebuilds the tree through the nodes' checking constructors, so a file that decodes into an ill-typed
 * tree, or names a local family this JVM does not define, is rejected like a corrupt one. The reader's limits,
 * which keep a crafted file from overflowing the stack or the heap, are enforced by the writer too, so that what
 * {@link #write} produces {@link #read(byte[])} accepts:
 *
 * <ul>
 *   <li>nodes nested at most {@value #MAX_DEPTH} levels below the root, parameters at most {@value #MAX_DEPTH} levels
 *       deep, and types at most 1,000 levels deep ({@link Type#parse}'s limit);</li>
 *   <li>tensors of rank at most {@value #MAX_RANK};</li>
 *   <li>files of at most {@value #MAX_FILE_BYTES} bytes (the largest Java array), checked from the header before a
 *       file is read ({@link #read(Path)});</li>
 *   <li>every local function's family defined in this JVM and accepting the type and parameters the tree uses (or
 *       one of Cohort's helpers).</li>
 * </ul>
 *
 * <p>Users reach this through {@link dev.cohort.core.Computation#serialize()} and
 * {@link dev.cohort.core.Computation#deserialize(byte[])}; the codec itself knows only names and expressions, so the
 * language layer above it builds the {@code Computation}.
 */
public final class ComputationFormat {
  /**
   * A decoded computation: its name and its closed, function-typed expression.
   *
   * @param name the name given at definition
   * @param expr the expression
   */
  public record Named(String name, Expr expr) {}

  /** The format version this code writes and the newest it reads. */
  public static final int VERSION = 3;
  /** The deepest nesting of nodes below the root that is written and read. */
  public static final int MAX_DEPTH = 1000;
  /** The highest tensor rank that is written and read. */
  public static final int MAX_RANK = 32;
  /** The largest file that is written and read: the largest byte array a JVM reliably allocates. */
  public static final int MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

  private static final byte[] MAGIC = "COHORTCP".getBytes(StandardCharsets.US_ASCII);
  /** Magic, version and payload length. */
  private static final int HEADER_BYTES = 14;
  /** Header and checksum. */
  private static final int FRAME_BYTES = HEADER_BYTES + 4;

  private static final int REFERENCE = 1;
  private static final int LAMBDA = 2;
  private static final int CALL = 3;
  private static final int BLOCK = 4;
  private static final int STRUCT = 5;
  private static final int SELECTION = 6;
  private static final int INTRINSIC = 7;
  private static final int LITERAL = 8;
  private static final int DATA = 9;
  private static final int PLACEMENT = 10;
  private static final int LOCAL = 11;

  private static final int PARAMETER_TENSOR = 0;
  private static final int PARAMETER_STRUCT = 1;

  private ComputationFormat() {}

  // ------------------------------------------------------------------ writing

  /**
   * The serialized bytes of the computation {@code name} with expression {@code expr}.
   *
   * @throws IllegalArgumentException naming the computation and what a reader would reject: a local computation
   *     whose family is not defined in this JVM or rejects the type and parameters the tree uses, nodes (or parameters)
   *     nested deeper than {@value #MAX_DEPTH}
   *     levels, a type nested deeper than 1,000 levels, a tensor of rank above {@value #MAX_RANK}, or a file larger
   *     than {@value #MAX_FILE_BYTES} bytes
   */
  public static byte[] write(String name, Expr expr) {
    return write(name, expr, MAX_FILE_BYTES);
  }

  /** {@link #write(String, Expr)} with a smaller bound on the file size (so tests need not write 2 GiB). */
  static byte[] write(String name, Expr expr, int maxFileBytes) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(expr, "expr");
    Writer w = new Writer(name, maxFileBytes);
    try {
      w.expr(expr, 0);
      Bounded payload = new Bounded(w, maxFileBytes - FRAME_BYTES);
      DataOutputStream out = new DataOutputStream(payload);
      writeString(out, name);
      out.writeInt(w.locals.size());
      for (LocalName local : w.locals.keySet()) {
        writeString(out, local.name());
        writeString(out, w.checkedType(local.type(), "local function '" + local.name() + "'"));
        w.parameters(out, local.parameters(), local.name(), 0);
      }
      w.tree.writeTo(out);
      out.flush();
      CRC32 crc = new CRC32();
      crc.update(payload.buffer(), 0, payload.size());
      ByteArrayOutputStream file = new ByteArrayOutputStream(payload.size() + FRAME_BYTES);
      DataOutputStream f = new DataOutputStream(file);
      f.write(MAGIC);
      f.writeShort(VERSION);
      f.writeInt(payload.size());
      f.write(payload.buffer(), 0, payload.size());
      f.writeInt((int) crc.getValue());
      f.flush();
      return file.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A local function as the table names it: one entry per family, type and parameters. */
  private record LocalName(String name, FunctionType type, Struct parameters) {
    @Override
    public String toString() {
      return name + " of type " + type + (parameters.size() == 0 ? "" : " with parameters "
          + LocalRegistry.print(parameters));
    }
  }

  /** Writes the tree into its own buffer, collecting the table of locals and checking the reader's limits. */
  private static final class Writer {
    final String computation;
    final Bounded tree;
    final DataOutputStream out;
    final Map<LocalName, Integer> locals = new LinkedHashMap<>();
    /** Type notations already checked to parse back. */
    final Set<String> readable = new HashSet<>();

    Writer(String computation, int maxFileBytes) {
      this.computation = computation;
      this.tree = new Bounded(this, maxFileBytes - FRAME_BYTES);
      this.out = new DataOutputStream(tree);
    }

    IllegalArgumentException cannot(String why) {
      return new IllegalArgumentException("cannot serialize computation '" + computation + "': " + why);
    }

    void expr(Expr e, int depth) throws IOException {
      if (depth > MAX_DEPTH) {
        throw cannot("its expression is nested deeper than the " + MAX_DEPTH + " levels a reader accepts (a "
            + e.getClass().getSimpleName() + " node at depth " + depth + " below the root)");
      }
      if (e instanceof Expr.Reference r) {
        out.writeByte(REFERENCE);
        writeString(out, r.name());
        type(r.type(), "reference '" + r.name() + "'");
      } else if (e instanceof Expr.Lambda l) {
        out.writeByte(LAMBDA);
        out.writeBoolean(l.parameterName() != null);
        if (l.parameterName() != null) {
          writeString(out, l.parameterName());
          type(l.parameterType(), "lambda parameter '" + l.parameterName() + "'");
        }
        expr(l.result(), depth + 1);
      } else if (e instanceof Expr.Call c) {
        out.writeByte(CALL);
        expr(c.function(), depth + 1);
        out.writeBoolean(c.argument() != null);
        if (c.argument() != null) {
          expr(c.argument(), depth + 1);
        }
      } else if (e instanceof Expr.Block b) {
        out.writeByte(BLOCK);
        out.writeInt(b.locals().size());
        for (Expr.Binding binding : b.locals()) {
          writeString(out, binding.name());
          expr(binding.value(), depth + 1);
        }
        expr(b.result(), depth + 1);
      } else if (e instanceof Expr.Struct s) {
        out.writeByte(STRUCT);
        out.writeInt(s.elements().size());
        for (Expr.Element el : s.elements()) {
          out.writeBoolean(el.name() != null);
          if (el.name() != null) {
            writeString(out, el.name());
          }
          expr(el.value(), depth + 1);
        }
      } else if (e instanceof Expr.Selection s) {
        out.writeByte(SELECTION);
        expr(s.source(), depth + 1);
        out.writeInt(s.index());
      } else if (e instanceof Expr.Intrinsic i) {
        out.writeByte(INTRINSIC);
        writeString(out, i.def().uri());
        type(i.type(), "intrinsic " + i.def().uri());
      } else if (e instanceof Expr.Literal l) {
        out.writeByte(LITERAL);
        tensor(l.value());
      } else if (e instanceof Expr.Data d) {
        out.writeByte(DATA);
        writeString(out, d.uri());
        type(d.type(), "data '" + d.uri() + "'");
      } else if (e instanceof Expr.PlacementLiteral p) {
        out.writeByte(PLACEMENT);
        writeString(out, p.placement().uri());
      } else if (e instanceof Expr.Local l) {
        out.writeByte(LOCAL);
        out.writeInt(local(l));
      } else {
        throw new IllegalStateException("internal: unknown node " + e.getClass());
      }
    }

    /** The table index of {@code l}, after checking that a reader in this JVM rebuilds it. */
    int local(Expr.Local l) {
      LocalName key = new LocalName(l.name(), l.type(), l.parameters());
      Integer index = locals.get(key);
      if (index != null) {
        return index;
      }
      if (!LocalRegistry.isDefined(l.name())) {
        throw cannot("it uses local function '" + l.name() + "' of type " + l.type() + ", whose family is not defined"
            + " in this JVM, so no reader could rebuild it; create it with LocalFamily.define(\"" + l.name()
            + "\", ...).at(...) or Computation.local(\"" + l.name() + "\", ...) rather than a bare Expr.Local node");
      }
      try {
        LocalRegistry.resolve(l.name(), l.type(), l.parameters());
      } catch (IllegalArgumentException e) {
        throw cannot(e.getMessage());
      }
      locals.put(key, locals.size());
      return locals.size() - 1;
    }

    void type(Type t, String of) throws IOException {
      writeString(out, checkedType(t, of));
    }

    /** The notation of {@code t}, checked to parse back as a reader parses it (nesting depth included). */
    String checkedType(Type t, String of) {
      String notation = t.toString();
      if (!readable.contains(notation)) {
        try {
          Type.parse(notation);
        } catch (IllegalArgumentException e) {
          throw cannot("the type of " + of + " cannot be read back: " + e.getMessage());
        }
        readable.add(notation);
      }
      return notation;
    }

    /** The parameters of local function {@code local}, {@code depth} structs below the table entry. */
    void parameters(DataOutputStream to, Struct p, String local, int depth) throws IOException {
      if (depth > MAX_DEPTH) {
        throw cannot("the parameters of local function '" + local + "' are nested deeper than the " + MAX_DEPTH
            + " levels a reader accepts");
      }
      to.writeInt(p.size());
      for (int i = 0; i < p.size(); i++) {
        to.writeBoolean(p.name(i) != null);
        if (p.name(i) != null) {
          writeString(to, p.name(i));
        }
        if (p.get(i) instanceof Struct nested) {
          to.writeByte(PARAMETER_STRUCT);
          parameters(to, nested, local, depth + 1);
        } else {
          to.writeByte(PARAMETER_TENSOR);
          tensor(to, (Tensor) p.get(i), "a parameter of local function '" + local + "'");
        }
      }
    }

    void tensor(Tensor t) throws IOException {
      tensor(out, t, "a literal");
    }

    void tensor(DataOutputStream out, Tensor t, String what) throws IOException {
      if (t.rank() > MAX_RANK) {
        throw cannot(what + " has rank " + t.rank() + ", above the " + MAX_RANK + " a reader accepts (shape "
            + t.shape() + ")");
      }
      writeString(out, t.dtype().toString());
      out.writeInt(t.rank());
      for (int d : t.shape().dims()) {
        out.writeInt(d);
      }
      switch (t.dtype()) {
        case FLOAT32 -> {
          for (float v : t.floatData()) {
            out.writeFloat(v);
          }
        }
        case INT32 -> {
          for (int v : t.intData()) {
            out.writeInt(v);
          }
        }
        case INT64 -> {
          for (long v : t.longData()) {
            out.writeLong(v);
          }
        }
        case BOOL -> {
          for (boolean v : t.boolData()) {
            out.writeBoolean(v);
          }
        }
        case STRING -> {
          for (String v : t.stringData()) {
            writeString(out, v);
          }
        }
        default -> throw new IllegalStateException("internal: dtype " + t.dtype());
      }
    }
  }

  /** A byte buffer that refuses to grow past what a reader can load, naming the computation. */
  private static final class Bounded extends ByteArrayOutputStream {
    private final Writer writer;
    private final long limit;

    Bounded(Writer writer, long limit) {
      this.writer = writer;
      this.limit = limit;
    }

    @Override
    public synchronized void write(int b) {
      reserve(1);
      super.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      reserve(len);
      super.write(b, off, len);
    }

    private void reserve(int n) {
      if ((long) count + n > limit) {
        throw writer.cannot("its serialized form is larger than the " + (limit + FRAME_BYTES) + " bytes a computation"
            + " file holds");
      }
    }

    /** The buffer itself (valid up to {@link #size()}), without a copy. */
    byte[] buffer() {
      return buf;
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  // ------------------------------------------------------------------ reading

  /**
   * The computation in the file {@code path}. The header is read and checked against the file's size first (magic,
   * version, declared length, at most {@value #MAX_FILE_BYTES} bytes), so a file that is not a computation, or is
   * larger than one can be, is rejected before the rest of it is read.
   *
   * @throws ComputationFormatException naming the file and what is wrong with it (as {@link #read(byte[])})
   * @throws IOException if the file cannot be read
   */
  public static Named read(Path path) throws IOException {
    try (SeekableByteChannel channel = Files.newByteChannel(path)) {
      long size = channel.size();
      byte[] header = new byte[(int) Math.min(size, HEADER_BYTES)];
      readFully(channel, ByteBuffer.wrap(header), path, size);
      byte[] bytes;
      try {
        checkHeader(header, size);
        bytes = Arrays.copyOf(header, (int) size);
      } catch (ComputationFormatException e) {
        throw new ComputationFormatException(path + ": " + e.getMessage(), e);
      }
      readFully(channel, ByteBuffer.wrap(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES), path, size);
      if (channel.read(ByteBuffer.allocate(1)) > 0) {
        throw new ComputationFormatException(path + ": the file grew past its " + size + " bytes while being read");
      }
      try {
        return read(bytes);
      } catch (ComputationFormatException e) {
        throw new ComputationFormatException(path + ": " + e.getMessage(), e);
      }
    }
  }

  private static void readFully(SeekableByteChannel channel, ByteBuffer into, Path path, long size)
      throws IOException {
    while (into.hasRemaining()) {
      if (channel.read(into) < 0) {
        throw new ComputationFormatException(path + ": the file ended after " + into.position() + " of its " + size
            + " bytes (it shrank while being read)");
      }
    }
  }

  /**
   * Checks the header (the first bytes of a file of {@code size} bytes, up to {@value #HEADER_BYTES}) and returns the
   * format version.
   */
  private static int checkHeader(byte[] header, long size) {
    if (size < HEADER_BYTES) {
      throw new ComputationFormatException("not a Cohort computation: " + size + " bytes is shorter than the header");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (header[i] != MAGIC[i]) {
        throw new ComputationFormatException("not a Cohort computation: the file does not start with \"COHORTCP\"");
      }
    }
    int version = ((header[8] & 0xff) << 8) | (header[9] & 0xff);
    if (version > VERSION) {
      throw new ComputationFormatException("computation format version " + version + " is newer than this reader"
          + " supports (" + VERSION + "); load it with a newer Cohort");
    }
    if (version < 1) {
      throw new ComputationFormatException("unknown computation format version " + version);
    }
    if (size > MAX_FILE_BYTES) {
      throw new ComputationFormatException("computation file of " + size + " bytes is larger than the largest a"
          + " computation can be (" + MAX_FILE_BYTES + " bytes)");
    }
    long length = ((header[10] & 0xffL) << 24) | ((header[11] & 0xffL) << 16) | ((header[12] & 0xffL) << 8)
        | (header[13] & 0xffL);
    if (length != size - FRAME_BYTES) {
      throw new ComputationFormatException("corrupt computation: the header announces " + length
          + " payload bytes, the file has " + Math.max(0, size - FRAME_BYTES) + " (truncated or padded)");
    }
    return version;
  }

  /**
   * The computation in {@code bytes}: a name and a closed, function-typed expression.
   *
   * @throws ComputationFormatException saying what is wrong: bad magic, future or unknown version, length or
   *     checksum mismatch, truncation, an unknown tag, dtype or intrinsic, an ill-typed tree, or local computations
   *     this JVM does not register (all of them in one message)
   */
  public static Named read(byte[] bytes) {
    if (bytes == null) {
      throw new ComputationFormatException("not a Cohort computation: null instead of the file's bytes");
    }
    int version = checkHeader(bytes, bytes.length);
    int n = bytes.length - FRAME_BYTES;
    CRC32 crc = new CRC32();
    crc.update(bytes, HEADER_BYTES, n);
    int stored = ((bytes[14 + n] & 0xff) << 24) | ((bytes[15 + n] & 0xff) << 16) | ((bytes[16 + n] & 0xff) << 8)
        | (bytes[17 + n] & 0xff);
    if ((int) crc.getValue() != stored) {
      throw new ComputationFormatException("corrupt computation: checksum mismatch (stored "
          + Integer.toHexString(stored) + ", computed " + Integer.toHexString((int) crc.getValue()) + ")");
    }
    Reader r = new Reader(new DataInputStream(new ByteArrayInputStream(bytes, HEADER_BYTES, n)), n, version);
    String name = null;
    Expr expr;
    try {
      name = r.string();
      if (version >= 2) {
        r.table(name);
      }
      expr = r.expr(0);
      if (r.in.available() > 0) {
        throw new ComputationFormatException("corrupt computation: " + r.in.available() + " bytes after the tree");
      }
      r.checkTableUsed(name);
    } catch (EOFException e) {
      throw new ComputationFormatException("corrupt computation: the payload ends in the middle of a node", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ComputationFormatException e) {
      throw e;
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ComputationFormatException("invalid computation" + (name == null ? "" : " '" + name + "'") + ": "
          + e.getMessage(), e);
    }
    try {
      if (!(expr.type() instanceof FunctionType)) {
        throw new ComputationFormatException("invalid computation '" + name + "': a computation must have a function"
            + " type, found " + expr.type());
      }
      Exprs.checkClosed(expr);
      return new Named(name, expr);
    } catch (IllegalArgumentException e) {
      throw new ComputationFormatException("invalid computation '" + name + "': " + e.getMessage(), e);
    }
  }

  /** The stand-in for a local function a version 1 file names and this JVM lacks (never returned, never run). */
  private static final LocalFunction MISSING = argument -> {
    throw new IllegalStateException("internal: a computation naming an unregistered local computation was returned");
  };

  private static final class Reader {
    final DataInputStream in;
    final int size;
    final int version;
    /** Versions 2 and 3: the table's locals, by index, and which of them the tree used. */
    final List<Expr.Local> table = new ArrayList<>();
    final Set<Integer> used = new HashSet<>();
    /** Version 1: the locals the tree names whose families this JVM does not define, in order of first use. */
    final Set<LocalName> missing = new LinkedHashSet<>();

    Reader(DataInputStream in, int size, int version) {
      this.in = in;
      this.size = size;
      this.version = version;
    }

    int position() throws IOException {
      return size - in.available();
    }

    String string() throws IOException {
      int n = count("string length");
      byte[] b = new byte[n];
      in.readFully(b);
      return new String(b, StandardCharsets.UTF_8);
    }

    int count(String what) throws IOException {
      int n = in.readInt();
      if (n < 0 || n > in.available()) {
        throw new ComputationFormatException("corrupt computation: " + what + " " + n + " exceeds the "
            + in.available() + " bytes left");
      }
      return n;
    }

    Type type() throws IOException {
      String s = string();
      try {
        return Type.parse(s);
      } catch (IllegalArgumentException e) {
        throw new ComputationFormatException("corrupt computation: bad type: " + e.getMessage(), e);
      }
    }

    FunctionType localType(String name) throws IOException {
      Type type = type();
      if (!(type instanceof FunctionType ft)) {
        throw new ComputationFormatException("corrupt computation: local '" + name + "' has non-function type "
            + type);
      }
      return ft;
    }

    /** A struct of parameters, {@code depth} structs below its table entry. */
    Struct parameters(int depth) throws IOException {
      if (depth > MAX_DEPTH) {
        throw new ComputationFormatException("corrupt computation: parameters nested deeper than " + MAX_DEPTH);
      }
      int n = count("parameter count");
      List<String> names = new ArrayList<>(n);
      List<Object> values = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        names.add(in.readBoolean() ? string() : null);
        int kind = in.readUnsignedByte();
        values.add(switch (kind) {
          case PARAMETER_TENSOR -> tensor();
          case PARAMETER_STRUCT -> parameters(depth + 1);
          default -> throw new ComputationFormatException("corrupt computation: unknown parameter kind " + kind);
        });
      }
      try {
        return Struct.of(names, values);
      } catch (IllegalArgumentException e) {
        throw new ComputationFormatException("corrupt computation: parameters: " + e.getMessage(), e);
      }
    }

    /**
     * Reads the table of locals and rebuilds its entries: first fails naming every entry whose family this JVM does
     * not define, then rebuilds the others, failing with every entry a family rejects.
     */
    void table(String computation) throws IOException {
      int n = count("local function count");
      Set<LocalName> entries = new LinkedHashSet<>();
      for (int i = 0; i < n; i++) {
        String name = string();
        FunctionType type = localType(name);
        LocalName local = new LocalName(name, type, version >= 3 ? parameters(0) : Struct.empty());
        if (!entries.add(local)) {
          throw new ComputationFormatException("corrupt computation: the table lists local function " + local
              + " twice");
        }
      }
      Set<LocalName> absent = new LinkedHashSet<>();
      for (LocalName local : entries) {
        if (!LocalRegistry.isDefined(local.name())) {
          absent.add(local);
        }
      }
      checkNoneMissing(computation, absent);
      List<String> rejected = new ArrayList<>();
      for (LocalName local : entries) {
        try {
          table.add(new Expr.Local(local.name(), local.type(), local.parameters(),
              LocalRegistry.resolve(local.name(), local.type(), local.parameters())));
        } catch (IllegalArgumentException e) {
          rejected.add(e.getMessage());
        }
      }
      if (rejected.size() == 1) {
        throw new ComputationFormatException("invalid computation '" + computation + "': " + rejected.get(0));
      } else if (!rejected.isEmpty()) {
        throw new ComputationFormatException("invalid computation '" + computation + "': " + rejected.size()
            + " local functions cannot be rebuilt: " + String.join("; ", rejected));
      }
    }

    /**
     * Version 1: the node for {@code local}, named inline in the tree. A local whose family this JVM lacks is added to
     * {@link #missing} and stood in for, so that reading goes on to find every missing one.
     */
    Expr.Local resolveInline(LocalName local) {
      if (!LocalRegistry.isDefined(local.name())) {
        missing.add(local);
        return new Expr.Local(local.name(), local.type(), MISSING);
      }
      return new Expr.Local(local.name(), local.type(),
          LocalRegistry.resolve(local.name(), local.type(), Struct.empty()));
    }

    void checkTableUsed(String computation) {
      if (version >= 2 && used.size() < table.size()) {
        for (int i = 0; i < table.size(); i++) {
          if (!used.contains(i)) {
            throw new ComputationFormatException("corrupt computation '" + computation + "': the table lists local"
                + " function '" + table.get(i).name() + "' (entry " + i + "), which the tree does not use");
          }
        }
      }
      checkNoneMissing(computation, missing);
    }

    static void checkNoneMissing(String computation, Set<LocalName> absent) {
      if (absent.isEmpty()) {
        return;
      }
      Set<String> families = new LinkedHashSet<>();
      for (LocalName l : absent) {
        families.add(l.name());
      }
      String list = absent.stream().map(LocalName::toString).collect(Collectors.joining(", "));
      String how = families.size() == 1
          ? "LocalFamily.define(\"" + families.iterator().next() + "\", ...) or Computation.local(\""
              + families.iterator().next() + "\", ...)"
          : "LocalFamily.define or Computation.local";
      throw new ComputationFormatException("computation '" + computation + "' needs "
          + (families.size() == 1 ? "a local family that is" : families.size() + " local families that are")
          + " not defined in this JVM: " + list + "; run the code that defines "
          + (families.size() == 1 ? "it" : "them") + " (" + how + ") before loading");
    }

    Expr expr(int depth) throws IOException {
      if (depth > MAX_DEPTH) {
        throw new ComputationFormatException("corrupt computation: nodes nested deeper than " + MAX_DEPTH);
      }
      int at = position();
      int tag = in.readUnsignedByte();
      switch (tag) {
        case REFERENCE:
          return new Expr.Reference(string(), type());
        case LAMBDA: {
          boolean hasParam = in.readBoolean();
          String name = hasParam ? string() : null;
          Type type = hasParam ? type() : null;
          Expr result = expr(depth + 1);
          return new Expr.Lambda(name, type, result, new FunctionType(type, result.type()));
        }
        case CALL: {
          Expr fn = expr(depth + 1);
          Expr arg = in.readBoolean() ? expr(depth + 1) : null;
          return Expr.call(fn, arg);
        }
        case BLOCK: {
          int n = count("block size");
          List<Expr.Binding> locals = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            String name = string();
            locals.add(new Expr.Binding(name, expr(depth + 1)));
          }
          return Expr.block(locals, expr(depth + 1));
        }
        case STRUCT: {
          int n = count("struct size");
          List<Expr.Element> elements = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            String name = in.readBoolean() ? string() : null;
            elements.add(new Expr.Element(name, expr(depth + 1)));
          }
          return Expr.struct(elements);
        }
        case SELECTION: {
          Expr source = expr(depth + 1);
          return Expr.select(source, in.readInt());
        }
        case INTRINSIC: {
          String uri = string();
          IntrinsicDef def;
          try {
            def = IntrinsicDef.fromUri(uri);
          } catch (IllegalArgumentException e) {
            throw new ComputationFormatException("corrupt computation: unknown intrinsic '" + uri + "' at byte " + at, e);
          }
          return Expr.intrinsic(def, type());
        }
        case LITERAL:
          return Expr.literal(tensor());
        case DATA:
          return new Expr.Data(string(), type());
        case PLACEMENT:
          return new Expr.PlacementLiteral(Placement.fromUri(string()));
        case LOCAL:
          return version >= 2 ? tableEntry(at) : inlineLocal();
        default:
          throw new ComputationFormatException("corrupt computation: unknown node tag " + tag + " at byte " + at);
      }
    }

    Expr.Local tableEntry(int at) throws IOException {
      int index = in.readInt();
      if (index < 0 || index >= table.size()) {
        throw new ComputationFormatException("corrupt computation: the local node at byte " + at + " refers to entry "
            + index + " of a table of " + table.size() + " local computations");
      }
      used.add(index);
      return table.get(index);
    }

    Expr.Local inlineLocal() throws IOException {
      String name = string();
      return resolveInline(new LocalName(name, localType(name), Struct.empty()));
    }

    Tensor tensor() throws IOException {
      String dtypeName = string();
      DType dtype;
      try {
        dtype = DType.fromName(dtypeName);
      } catch (IllegalArgumentException e) {
        throw new ComputationFormatException("corrupt computation: " + e.getMessage(), e);
      }
      int rank = in.readInt();
      if (rank < 0 || rank > MAX_RANK) {
        throw new ComputationFormatException("corrupt computation: tensor rank " + rank + " (at most " + MAX_RANK
            + ")");
      }
      int[] dims = new int[rank];
      long size = 1;
      for (int i = 0; i < rank; i++) {
        dims[i] = in.readInt();
        if (dims[i] < 0) {
          throw new ComputationFormatException("corrupt computation: tensor dimension " + dims[i]);
        }
        size *= dims[i];
        if (size > in.available()) {
          throw new ComputationFormatException("corrupt computation: a tensor of shape " + Arrays.toString(dims)
              + " does not fit in the " + in.available() + " bytes left");
        }
      }
      Shape shape = Shape.of(dims);
      int n = (int) size;
      switch (dtype) {
        case FLOAT32 -> {
          float[] d = new float[n];
          for (int i = 0; i < n; i++) {
            d[i] = in.readFloat();
          }
          return Tensor.wrap(d, shape);
        }
        case INT32 -> {
          int[] d = new int[n];
          for (int i = 0; i < n; i++) {
            d[i] = in.readInt();
          }
          return Tensor.wrap(d, shape);
        }
        case INT64 -> {
          long[] d = new long[n];
          for (int i = 0; i < n; i++) {
            d[i] = in.readLong();
          }
          return Tensor.wrap(d, shape);
        }
        case BOOL -> {
          boolean[] d = new boolean[n];
          for (int i = 0; i < n; i++) {
            d[i] = in.readBoolean();
          }
          return Tensor.wrap(d, shape);
        }
        default -> {
          String[] d = new String[n];
          for (int i = 0; i < n; i++) {
            d[i] = string();
          }
          return Tensor.wrap(d, shape);
        }
      }
    }
  }
}
