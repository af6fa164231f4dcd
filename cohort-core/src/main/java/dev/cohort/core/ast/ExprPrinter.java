package dev.cohort.core.ast;

import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;

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
      if (l.parameters().size() > 0) {
        sb.append(parameters(l.parameters()));
      }
    }
  }

  /** The largest tensor printed element by element in a local's parameters; larger ones print as dtype and shape. */
  private static final int PRINTED_ELEMENTS = 8;

  /**
   * Parameters of a local function, compactly: {@code <order="l2",capacity=100,table=int32[1024]>}; strings quoted,
   * tensors of more than {@value #PRINTED_ELEMENTS} elements as dtype and shape.
   */
  static String parameters(Struct parameters) {
    StringBuilder sb = new StringBuilder("<");
    for (int i = 0; i < parameters.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      if (parameters.name(i) != null) {
        sb.append(parameters.name(i)).append('=');
      }
      Object v = parameters.get(i);
      if (v instanceof Struct s) {
        sb.append(parameters(s));
      } else {
        Tensor t = (Tensor) v;
        if (t.size() > PRINTED_ELEMENTS) {
          sb.append(TensorType.of(t.dtype(), t.shape()));
        } else if (t.dtype() == DType.STRING && t.rank() == 0) {
          sb.append('"').append(t.stringValue().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        } else {
          sb.append(t);
        }
      }
    }
    return sb.append('>').toString();
  }
}
