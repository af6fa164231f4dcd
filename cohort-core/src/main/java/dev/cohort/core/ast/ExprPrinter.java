package dev.cohort.core.ast;

/** Prints an {@link Expr} in a compact, TFF-like form. */
final class ExprPrinter {
  private ExprPrinter() {}

  static String print(Expr e) {
    StringBuilder sb = new StringBuilder();
    print(e, sb);
    return sb.toString();
  }

  private static void print(Expr e, StringBuilder sb) {
    if (e instanceof Expr.Reference r) {
      sb.append(r.name());
    } else if (e instanceof Expr.Lambda l) {
      sb.append('(');
      if (l.parameterName() != null) {
        sb.append(l.parameterName());
      }
      sb.append(" -> ");
      print(l.result(), sb);
      sb.append(')');
    } else if (e instanceof Expr.Call c) {
      print(c.function(), sb);
      sb.append('(');
      if (c.argument() != null) {
        print(c.argument(), sb);
      }
      sb.append(')');
    } else if (e instanceof Expr.Block b) {
      sb.append("(let ");
      for (int i = 0; i < b.locals().size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append(b.locals().get(i).name()).append('=');
        print(b.locals().get(i).value(), sb);
      }
      sb.append(" in ");
      print(b.result(), sb);
      sb.append(')');
    } else if (e instanceof Expr.Struct s) {
      sb.append('<');
      for (int i = 0; i < s.elements().size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        Expr.Element el = s.elements().get(i);
        if (el.name() != null) {
          sb.append(el.name()).append('=');
        }
        print(el.value(), sb);
      }
      sb.append('>');
    } else if (e instanceof Expr.Selection s) {
      print(s.source(), sb);
      String name = ((dev.cohort.core.types.StructType) s.source().type()).name(s.index());
      if (name != null) {
        sb.append('.').append(name);
      } else {
        sb.append('[').append(s.index()).append(']');
      }
    } else if (e instanceof Expr.Intrinsic i) {
      sb.append(i.def().uri());
    } else if (e instanceof Expr.Literal l) {
      sb.append(l.value());
    } else if (e instanceof Expr.Data d) {
      sb.append("data(").append(d.uri()).append(')');
    } else if (e instanceof Expr.PlacementLiteral p) {
      sb.append(p.placement());
    } else if (e instanceof Expr.Local l) {
      sb.append("local:").append(l.name());
    }
  }
}
