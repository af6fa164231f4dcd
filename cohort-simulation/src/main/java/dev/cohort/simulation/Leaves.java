package dev.cohort.simulation;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The tensor leaves of an element type made of tensors and (nested) structs, in depth-first order: how batching
 * and slicing see an element. {@code <label=int32,pixels=float32[28,28]>} has the leaves {@code label} and
 * {@code pixels}.
 */
final class Leaves {
  private sealed interface Node permits Leaf, Branch {}

  private record Leaf(int index) implements Node {}

  private record Branch(List<String> names, List<Node> children) implements Node {}

  private final Type type;
  private final Node root;
  private final List<TensorType> types = new ArrayList<>();
  private final List<String> paths = new ArrayList<>();

  private Leaves(Type type, String op) {
    this.type = type;
    this.root = build(type, "element", op);
  }

  /**
   * The leaves of {@code type}.
   *
   * @throws IllegalArgumentException naming {@code op} if the type holds anything but tensors and structs
   */
  static Leaves of(Type type, String op) {
    return new Leaves(type, op);
  }

  private Node build(Type t, String path, String op) {
    if (t instanceof TensorType tt) {
      types.add(tt);
      paths.add(path);
      return new Leaf(types.size() - 1);
    }
    if (t instanceof StructType st) {
      List<String> names = new ArrayList<>();
      List<Node> children = new ArrayList<>();
      for (int i = 0; i < st.size(); i++) {
        names.add(st.name(i));
        children.add(build(st.type(i), path + (st.name(i) != null ? "." + st.name(i) : "[" + i + "]"), op));
      }
      return new Branch(names, children);
    }
    throw new IllegalArgumentException(op + ": element type " + type + " must be made of tensors and structs, found "
        + t + " at " + path);
  }

  /** The number of leaves. */
  int size() {
    return types.size();
  }

  /** The type of leaf {@code i}. */
  TensorType type(int i) {
    return types.get(i);
  }

  /** Where leaf {@code i} sits, e.g. {@code element.pixels}. */
  String path(int i) {
    return paths.get(i);
  }

  /** The element type with each leaf type replaced by {@code fn} of it. */
  Type mapTypes(UnaryOperator<TensorType> fn) {
    return mapType(type, fn);
  }

  private static Type mapType(Type t, UnaryOperator<TensorType> fn) {
    if (t instanceof TensorType tt) {
      return fn.apply(tt);
    }
    StructType st = (StructType) t;
    List<StructType.Field> fields = new ArrayList<>();
    for (int i = 0; i < st.size(); i++) {
      fields.add(new StructType.Field(st.name(i), mapType(st.type(i), fn)));
    }
    return new StructType(fields);
  }

  /**
   * Writes the leaf tensors of {@code element} into {@code out}.
   *
   * @throws IllegalArgumentException naming {@code what} (e.g. "batch: element 17") if the element's structure
   *     differs from the type's
   */
  void flatten(Object element, Tensor[] out, String what) {
    flatten(root, element, out, what, "element");
  }

  private void flatten(Node node, Object value, Tensor[] out, String what, String path) {
    if (node instanceof Leaf leaf) {
      TensorType t = types.get(leaf.index());
      if (!(value instanceof Tensor tensor) || !t.accepts(tensor.dtype(), tensor.shape())) {
        throw new IllegalArgumentException(what + " does not match the element type " + type + ": " + path
            + " should be " + t + ", found " + describe(value));
      }
      out[leaf.index()] = tensor;
      return;
    }
    Branch b = (Branch) node;
    if (!(value instanceof Struct s) || s.size() != b.children().size()) {
      throw new IllegalArgumentException(what + " does not match the element type " + type + ": " + path
          + " should be a struct of " + b.children().size() + " elements, found " + describe(value));
    }
    for (int i = 0; i < b.children().size(); i++) {
      String name = b.names().get(i);
      flatten(b.children().get(i), s.get(i), out, what, path + (name != null ? "." + name : "[" + i + "]"));
    }
  }

  private static String describe(Object v) {
    if (v instanceof Tensor t) {
      return "a " + t.dtype() + " tensor of shape " + t.shape();
    }
    if (v instanceof Struct s) {
      return "a struct of " + s.size() + " elements";
    }
    return v == null ? "null" : v.getClass().getName();
  }

  /** The element whose leaves are {@code leafValues}, with the type's struct names. */
  Object assemble(Object[] leafValues) {
    return assemble(root, leafValues);
  }

  private static Object assemble(Node node, Object[] leafValues) {
    if (node instanceof Leaf leaf) {
      return leafValues[leaf.index()];
    }
    Branch b = (Branch) node;
    List<Object> values = new ArrayList<>(b.children().size());
    for (Node child : b.children()) {
      values.add(assemble(child, leafValues));
    }
    return Struct.of(b.names(), values);
  }
}
