package dev.cohort.core.types;

import dev.cohort.tensor.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads TFF's type notation (compact or formatted):
 *
 * <pre>
 * type     := primary ( '*' | '@' PLACEMENT )*
 * primary  := '&lt;' [ element ( ',' element )* ] '&gt;'
 *           | '{' type '}' '@' PLACEMENT
 *           | '(' [ type ] '-&gt;' type ')'
 *           | DTYPE [ '[' dim ( ',' dim )* ']' ] | "'" DTYPE "'(shape=None)"
 *           | 'placement' | LABEL
 * element  := [ IDENT '=' ] type
 * dim      := '?' | INT
 * </pre>
 */
final class TypeParser {
  /** The deepest nesting of types read, far beyond real types, so a crafted input cannot overflow the stack. */
  static final int MAX_DEPTH = 1000;
  /** The most characters of the input quoted in an error message. */
  private static final int QUOTED = 80;

  private final String s;
  private int pos;
  private int depth;

  private TypeParser(String s) {
    this.s = s;
  }

  static Type parse(String notation) {
    if (notation == null) {
      throw new IllegalArgumentException("type notation must not be null");
    }
    TypeParser p = new TypeParser(notation);
    Type t = p.type();
    p.skipSpace();
    if (p.pos != notation.length()) {
      throw p.error("end of input");
    }
    return t;
  }

  static boolean isReservedWord(String word) {
    if (word.equals("placement")) {
      return true;
    }
    for (DType d : DType.values()) {
      if (d.toString().equals(word)) {
        return true;
      }
    }
    return false;
  }

  private Type type() {
    if (++depth > MAX_DEPTH) {
      throw new IllegalArgumentException("cannot parse type '" + quoted() + "' at position " + pos
          + ": types are nested deeper than " + MAX_DEPTH + " levels");
    }
    Type t = primary();
    while (true) {
      skipSpace();
      if (peek('*')) {
        pos++;
        t = new SequenceType(t);
      } else if (peek('@')) {
        pos++;
        t = new FederatedType(t, placement(), true);
      } else {
        depth--;
        return t;
      }
    }
  }

  private Placement placement() {
    String word = identifier();
    return switch (word) {
      case "SERVER" -> Placement.SERVER;
      case "CLIENTS" -> Placement.CLIENTS;
      default -> throw error("SERVER or CLIENTS (found '" + word + "')");
    };
  }

  private Type primary() {
    skipSpace();
    if (pos >= s.length()) {
      throw error("a type");
    }
    char c = s.charAt(pos);
    if (c == '<') {
      pos++;
      return struct();
    } else if (c == '{') {
      pos++;
      Type member = type();
      expect('}');
      skipSpace();
      expect('@');
      return new FederatedType(member, placement(), false);
    } else if (c == '(') {
      pos++;
      skipSpace();
      Type param = null;
      if (!s.startsWith("->", pos)) {
        param = type();
        skipSpace();
      }
      expect('-');
      expect('>');
      Type result = type();
      skipSpace();
      expect(')');
      return new FunctionType(param, result);
    } else if (c == '\'') {
      pos++;
      DType dtype = dtype(identifier());
      expect('\'');
      expectWord("(shape=None)");
      return TensorType.unknownRank(dtype);
    }
    String word = identifier();
    if (word.equals("placement")) {
      return PlacementType.INSTANCE;
    }
    if (!isReservedWord(word)) {
      return new AbstractType(word);
    }
    DType dtype = dtype(word);
    if (pos < s.length() && s.charAt(pos) == '[') {
      pos++;
      List<Integer> dims = new ArrayList<>();
      while (true) {
        skipSpace();
        if (peek('?')) {
          pos++;
          dims.add(TensorType.UNKNOWN);
        } else {
          dims.add(number());
        }
        skipSpace();
        if (peek(',')) {
          pos++;
        } else {
          expect(']');
          break;
        }
      }
      return new TensorType(dtype, dims);
    }
    return new TensorType(dtype, List.of());
  }

  private Type struct() {
    List<StructType.Field> fields = new ArrayList<>();
    skipSpace();
    if (peek('>')) {
      pos++;
      return StructType.EMPTY;
    }
    while (true) {
      skipSpace();
      String name = null;
      int save = pos;
      if (pos < s.length() && isIdentStart(s.charAt(pos))) {
        String word = identifier();
        skipSpace();
        if (peek('=')) {
          pos++;
          name = word;
        } else {
          pos = save;
        }
      }
      fields.add(new StructType.Field(name, type()));
      skipSpace();
      if (peek(',')) {
        pos++;
      } else {
        expect('>');
        return new StructType(fields);
      }
    }
  }

  private DType dtype(String word) {
    for (DType d : DType.values()) {
      if (d.toString().equals(word)) {
        return d;
      }
    }
    throw error("a dtype (float32, int32, int64, bool, str), found '" + word + "'");
  }

  private int number() {
    int start = pos;
    // ASCII digits only: Character.isDigit (and Integer.parseInt) would also take other scripts' digits.
    while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
      pos++;
    }
    if (start == pos) {
      throw error("a dimension (digits 0-9 or ?)");
    }
    try {
      return Integer.parseInt(s.substring(start, pos));
    } catch (NumberFormatException e) {
      throw error("a dimension below 2^31");
    }
  }

  private String identifier() {
    skipSpace();
    int start = pos;
    if (pos < s.length() && isIdentStart(s.charAt(pos))) {
      pos++;
      while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
        pos++;
      }
    }
    if (start == pos) {
      throw error("a name");
    }
    return s.substring(start, pos);
  }

  private static boolean isIdentStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private boolean peek(char c) {
    return pos < s.length() && s.charAt(pos) == c;
  }

  private void expect(char c) {
    skipSpace();
    if (!peek(c)) {
      throw error("'" + c + "'");
    }
    pos++;
  }

  private void expectWord(String word) {
    if (!s.startsWith(word, pos)) {
      throw error("'" + word + "'");
    }
    pos += word.length();
  }

  private void skipSpace() {
    while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
      pos++;
    }
  }

  private IllegalArgumentException error(String expected) {
    return new IllegalArgumentException("cannot parse type '" + quoted() + "' at position " + pos + ": expected "
        + expected);
  }

  private String quoted() {
    return s.length() <= QUOTED ? s : s.substring(0, QUOTED) + "... (" + s.length() + " characters)";
  }
}
