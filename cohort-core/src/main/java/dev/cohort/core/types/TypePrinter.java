package dev.cohort.core.types;

/**
 * Prints types in TFF's notation. The formatted form follows TFF's layout: each struct element on its own line,
 * indented by two spaces per enclosing struct, with the brackets on the lines around them.
 *
 * <p>Printing appends to one buffer, so it takes time linear in the length of the output, however wide or deep the
 * type.
 */
final class TypePrinter {
  private TypePrinter() {}

  static String print(Type type, boolean formatted) {
    StringBuilder out = new StringBuilder();
    new Printer(out, formatted).print(type, 0);
    return out.toString();
  }

  /** Appends one type's notation to a buffer; {@code indent} counts the structs around the current line. */
  private record Printer(StringBuilder out, boolean formatted) {
    void print(Type type, int indent) {
      if (type instanceof TensorType t) {
        tensor(t);
      } else if (type instanceof AbstractType a) {
        out.append(a.label());
      } else if (type instanceof PlacementType) {
        out.append("placement");
      } else if (type instanceof SequenceType s) {
        print(s.element(), indent);
        out.append('*');
      } else if (type instanceof FederatedType f) {
        if (f.allEqual()) {
          print(f.member(), indent);
        } else {
          out.append('{');
          print(f.member(), indent);
          out.append('}');
        }
        out.append('@').append(f.placement());
      } else if (type instanceof FunctionType f) {
        out.append('(');
        if (f.parameter() != null) {
          print(f.parameter(), indent);
        }
        out.append(" -> ");
        print(f.result(), indent);
        out.append(')');
      } else if (type instanceof StructType s) {
        struct(s, indent);
      } else {
        throw new IllegalStateException("internal: unexpected type class " + type.getClass());
      }
    }

    private void struct(StructType s, int indent) {
      if (s.size() == 0) {
        out.append("<>");
        return;
      }
      out.append('<');
      for (int i = 0; i < s.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        newline(indent + 1);
        if (s.name(i) != null) {
          out.append(s.name(i)).append('=');
        }
        print(s.type(i), indent + 1);
      }
      newline(indent);
      out.append('>');
    }

    /** In the formatted form, ends the line and indents the next by two spaces per level. */
    private void newline(int indent) {
      if (formatted) {
        out.append('\n');
        for (int k = 0; k < indent; k++) {
          out.append("  ");
        }
      }
    }

    private void tensor(TensorType t) {
      if (t.shape() == null) {
        // TFF formats the unknown-rank case as '{!r}(shape=None)' of the dtype name, quotes included.
        out.append('\'').append(t.dtype()).append("'(shape=None)");
        return;
      }
      out.append(t.dtype());
      if (t.shape().isEmpty()) {
        return;
      }
      out.append('[');
      for (int i = 0; i < t.shape().size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        int d = t.shape().get(i);
        if (d == TensorType.UNKNOWN) {
          out.append('?');
        } else {
          out.append(d);
        }
      }
      out.append(']');
    }
  }
}
