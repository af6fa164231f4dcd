package dev.cohort.core.serialization;

import dev.cohort.core.ast.Expr;
import dev.cohort.core.ast.Exprs;
import dev.cohort.core.ast.IntrinsicDef;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.Type;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The portable binary form of a computation (its name and its closed, function-typed expression), version 1:
 *
 * <pre>
 * magic    8 bytes  "COHORTCP"
 * version  u16      1
 * length   u32      payload bytes
 * payload           name (string), then the expression tree
 * crc32    u32      of the payload
 * </pre>
 *
 * <p>The tree is written pre-order, one tag byte per node: reference (name, type), lambda (has-parameter flag,
 * name, type, body), call (function, has-argument flag, argument), block (count, name/value pairs, result), struct
 * (count, optional-name/value pairs), selection (source, index), intrinsic (URI, concrete type), literal (tensor),
 * data (URI, type), placement (URI), local (name, type). Types are written in TFF's compact notation and parsed back;
 * strings are length-prefixed UTF-8; tensors are dtype name, rank, dimensions and big-endian elements.
 *
 * <p>Reading rebuilds the tree through the nodes' checking constructors, so a file that decodes into an ill-typed
 * tree, or names a local function this JVM has not registered, is rejected like a corrupt one. Nodes and types
 * nested deeper than 1,000 levels are rejected too, so that a crafted file cannot overflow the stack.
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
  public static final int VERSION = 1;

  private static final byte[] MAGIC = "COHORTCP".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_DEPTH = 1000;

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

  private ComputationFormat() {}

  /** The serialized bytes of the computation {@code name} with expression {@code expr}. */
  public static byte[] write(String name, Expr expr) {
    try {
      ByteArrayOutputStream payload = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(payload);
      writeString(out, name);
      writeExpr(out, expr);
      out.flush();
      byte[] body = payload.toByteArray();
      CRC32 crc = new CRC32();
      crc.update(body);
      ByteArrayOutputStream file = new ByteArrayOutputStream(body.length + 18);
      DataOutputStream f = new DataOutputStream(file);
      f.write(MAGIC);
      f.writeShort(VERSION);
      f.writeInt(body.length);
      f.write(body);
      f.writeInt((int) crc.getValue());
      f.flush();
      return file.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The computation in {@code bytes}: a name and a closed, function-typed expression.
   *
   * @throws ComputationFormatException saying what is wrong: bad magic, future or unknown version, length or
   *     checksum mismatch, truncation, an unknown tag, dtype or intrinsic, an ill-typed tree, an unknown local
   */
  public static Named read(byte[] bytes) {
    if (bytes == null || bytes.length < MAGIC.length + 6) {
      throw new ComputationFormatException("not a Cohort computation: " + (bytes == null ? 0 : bytes.length)
          + " bytes is shorter than the header");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) {
        throw new ComputationFormatException("not a Cohort computation: the file does not start with \"COHORTCP\"");
      }
    }
    int version = ((bytes[8] & 0xff) << 8) | (bytes[9] & 0xff);
    if (version > VERSION) {
      throw new ComputationFormatException("computation format version " + version + " is newer than this reader"
          + " supports (" + VERSION + "); load it with a newer Cohort");
    }
    if (version < 1) {
      throw new ComputationFormatException("unknown computation format version " + version);
    }
    long length = ((bytes[10] & 0xffL) << 24) | ((bytes[11] & 0xffL) << 16) | ((bytes[12] & 0xffL) << 8)
        | (bytes[13] & 0xffL);
    if (length != bytes.length - 18L) {
      throw new ComputationFormatException("corrupt computation: the header announces " + length
          + " payload bytes, the file has " + Math.max(0, bytes.length - 18) + " (truncated or padded)");
    }
    int n = (int) length;
    CRC32 crc = new CRC32();
    crc.update(bytes, 14, n);
    int stored = ((bytes[14 + n] & 0xff) << 24) | ((bytes[15 + n] & 0xff) << 16) | ((bytes[16 + n] & 0xff) << 8)
        | (bytes[17 + n] & 0xff);
    if ((int) crc.getValue() != stored) {
      throw new ComputationFormatException("corrupt computation: checksum mismatch (stored "
          + Integer.toHexString(stored) + ", computed " + Integer.toHexString((int) crc.getValue()) + ")");
    }
    Reader r = new Reader(new DataInputStream(new ByteArrayInputStream(bytes, 14, n)), n);
    String name;
    Expr expr;
    try {
      name = r.string();
      expr = r.expr(0);
      if (r.in.available() > 0) {
        throw new ComputationFormatException("corrupt computation: " + r.in.available() + " bytes after the tree");
      }
    } catch (EOFException e) {
      throw new ComputationFormatException("corrupt computation: the payload ends in the middle of a node", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ComputationFormatException e) {
      throw e;
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ComputationFormatException("invalid computation: " + e.getMessage(), e);
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

  // ------------------------------------------------------------------ writing

  private static void writeExpr(DataOutputStream out, Expr e) throws IOException {
    if (e instanceof Expr.Reference r) {
      out.writeByte(REFERENCE);
      writeString(out, r.name());
      writeType(out, r.type());
    } else if (e instanceof Expr.Lambda l) {
      out.writeByte(LAMBDA);
      out.writeBoolean(l.parameterName() != null);
      if (l.parameterName() != null) {
        writeString(out, l.parameterName());
        writeType(out, l.parameterType());
      }
      writeExpr(out, l.result());
    } else if (e instanceof Expr.Call c) {
      out.writeByte(CALL);
      writeExpr(out, c.function());
      out.writeBoolean(c.argument() != null);
      if (c.argument() != null) {
        writeExpr(out, c.argument());
      }
    } else if (e instanceof Expr.Block b) {
      out.writeByte(BLOCK);
      out.writeInt(b.locals().size());
      for (Expr.Binding binding : b.locals()) {
        writeString(out, binding.name());
        writeExpr(out, binding.value());
      }
      writeExpr(out, b.result());
    } else if (e instanceof Expr.Struct s) {
      out.writeByte(STRUCT);
      out.writeInt(s.elements().size());
      for (Expr.Element el : s.elements()) {
        out.writeBoolean(el.name() != null);
        if (el.name() != null) {
          writeString(out, el.name());
        }
        writeExpr(out, el.value());
      }
    } else if (e instanceof Expr.Selection s) {
      out.writeByte(SELECTION);
      writeExpr(out, s.source());
      out.writeInt(s.index());
    } else if (e instanceof Expr.Intrinsic i) {
      out.writeByte(INTRINSIC);
      writeString(out, i.def().uri());
      writeType(out, i.type());
    } else if (e instanceof Expr.Literal l) {
      out.writeByte(LITERAL);
      writeTensor(out, l.value());
    } else if (e instanceof Expr.Data d) {
      out.writeByte(DATA);
      writeString(out, d.uri());
      writeType(out, d.type());
    } else if (e instanceof Expr.PlacementLiteral p) {
      out.writeByte(PLACEMENT);
      writeString(out, p.placement().uri());
    } else if (e instanceof Expr.Local l) {
      out.writeByte(LOCAL);
      writeString(out, l.name());
      writeType(out, l.type());
    } else {
      throw new IllegalStateException("internal: unknown node " + e.getClass());
    }
  }

  private static void writeType(DataOutputStream out, Type t) throws IOException {
    writeString(out, t.toString());
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static void writeTensor(DataOutputStream out, Tensor t) throws IOException {
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

  // ------------------------------------------------------------------ reading

  private static final class Reader {
    final DataInputStream in;
    final int size;

    Reader(DataInputStream in, int size) {
      this.in = in;
      this.size = size;
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

    Expr expr(int depth) throws IOException {
      if (depth > MAX_DEPTH) {
        throw new ComputationFormatException("corrupt computation: nodes nested deeper than " + MAX_DEPTH);
      }
      int at = size - in.available();
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
        case LOCAL: {
          String name = string();
          Type type = type();
          if (!(type instanceof FunctionType ft)) {
            throw new ComputationFormatException("corrupt computation: local '" + name + "' has non-function type "
                + type);
          }
          return Expr.local(name, ft);
        }
        default:
          throw new ComputationFormatException("corrupt computation: unknown node tag " + tag + " at byte " + at);
      }
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
      if (rank < 0 || rank > 32) {
        throw new ComputationFormatException("corrupt computation: tensor rank " + rank);
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
          throw new ComputationFormatException("corrupt computation: a tensor of shape " + java.util.Arrays.toString(dims)
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
