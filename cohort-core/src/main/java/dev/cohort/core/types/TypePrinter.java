package dev.cohort.core.types;

import java.util.ArrayList;
import java.util.List;

/**
 * Prints types in TFF's notation. The formatted form follows TFF's layout: each struct element on its own line,
 * indented by two spaces, with the brackets on the lines around them.
 */
final class TypePrinter {
  private TypePrinter() {}

  static String print(Type type, boolean formatted) {
    List<String> lines = lines(type, formatted);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < lines.size(); i++) {
      if (i > 0 && formatted) {
        sb.append('\n');
      }
      sb.append(stripTrailing(lines.get(i)));
    }
    return sb.toString();
  }

  private static String stripTrailing(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == ' ') {
      end--;
    }
    return s.substring(0, end);
  }

  /** Joins parts: each part's first line continues the current last line, its other lines follow. */
  @SafeVarargs
  private static List<String> combine(List<String>... parts) {
    List<String> out = new ArrayList<>();
    out.add("");
    for (List<String> part : parts) {
      out.set(out.size() - 1, out.get(out.size() - 1) + part.get(0));
      out.addAll(part.subList(1, part.size()));
    }
    return out;
  }

  private static List<String> lines(Type type, boolean formatted) {
    if (type instanceof TensorType t) {
      return List.of(tensor(t));
    } else if (type instanceof AbstractType a) {
      return List.of(a.label());
    } else if (type instanceof PlacementType) {
      return List.of("placement");
    } else if (type instanceof SequenceType s) {
      return combine(lines(s.element(), formatted), List.of("*"));
    } else if (type instanceof FederatedType f) {
      List<String> member = lines(f.member(), formatted);
      String at = "@" + f.placement();
      return f.allEqual()
          ? combine(member, List.of(at))
          : combine(List.of("{"), member, List.of("}"), List.of(at));
    } else if (type instanceof FunctionType f) {
      List<String> param = f.parameter() == null ? List.of("") : lines(f.parameter(), formatted);
      return combine(List.of("("), param, List.of(" -> "), lines(f.result(), formatted), List.of(")"));
    } else if (type instanceof StructType s) {
      if (s.size() == 0) {
        return List.of("<>");
      }
      List<String> elements = elements(s, formatted);
      if (formatted) {
        List<String> indented = new ArrayList<>(elements.size());
        for (String line : elements) {
          indented.add("  " + line);
        }
        return combine(List.of("<", ""), indented, List.of("", ">"));
      }
      return combine(List.of("<"), elements, List.of(">"));
    }
    throw new IllegalStateException("unexpected type class " + type.getClass());
  }

  private static List<String> elements(StructType s, boolean formatted) {
    List<String> out = new ArrayList<>();
    out.add("");
    for (int i = 0; i < s.size(); i++) {
      if (i > 0) {
        out = formatted ? combine(out, List.of(",", "")) : combine(out, List.of(","));
      }
      List<String> element = lines(s.type(i), formatted);
      if (s.name(i) != null) {
        element = combine(List.of(s.name(i) + "="), element);
      }
      out = combine(out, element);
    }
    return out;
  }

  private static String tensor(TensorType t) {
    if (t.shape() == null) {
      // TFF formats the unknown-rank case as '{!r}(shape=None)' of the dtype name, quotes included.
      return "'" + t.dtype() + "'(shape=None)";
    }
    if (t.shape().isEmpty()) {
      return t.dtype().toString();
    }
    StringBuilder sb = new StringBuilder(t.dtype().toString()).append('[');
    for (int i = 0; i < t.shape().size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      int d = t.shape().get(i);
      sb.append(d == TensorType.UNKNOWN ? "?" : Integer.toString(d));
    }
    return sb.append(']').toString();
  }
}
