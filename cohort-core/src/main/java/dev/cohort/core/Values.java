package dev.cohort.core;

import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.PlacementType;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Converts Java values into the runtime values of a {@link Type}, as TFF converts Python values at a call:
 *
 * <table>
 *   <caption>Accepted Java values</caption>
 *   <tr><th>type</th><th>accepts</th></tr>
 *   <tr><td>tensor</td><td>{@link Tensor}; a {@link Number}, {@link Boolean} or {@link String} for a scalar
 *       (converted to the dtype, integers only for int32/int64); {@code float[]}, {@code int[]}, {@code long[]},
 *       {@code boolean[]}, {@code String[]} for rank 1</td></tr>
 *   <tr><td>struct</td><td>{@link Struct}; a {@link Map} keyed by the element names; a {@link List} or array by
 *       position</td></tr>
 *   <tr><td>sequence</td><td>{@link Sequence} (elements checked as they are read); any {@link Iterable}</td></tr>
 *   <tr><td>{@code {T}@CLIENTS}</td><td>{@link FederatedValue}; a {@link List} with one member per client</td></tr>
 *   <tr><td>{@code T@SERVER}, {@code T@CLIENTS}</td><td>{@link FederatedValue}; the member value itself</td></tr>
 *   <tr><td>function</td><td>a {@link Computation} of an assignable type</td></tr>
 *   <tr><td>placement</td><td>{@link Placement}</td></tr>
 * </table>
 *
 * <p>Runtime values are {@link Tensor}, {@link Struct}, {@link Sequence}, {@link FederatedValue},
 * {@link Computation} and {@link Placement}.
 */
public final class Values {
  private Values() {}

  /**
   * The runtime value of {@code type} for the Java value {@code value}.
   *
   * @throws IllegalArgumentException naming where in the value the mismatch is, the expected type and what was found
   */
  public static Object conform(Object value, Type type) {
    return conform(value, type, "value");
  }

  /** {@link #conform(Object, Type)} with {@code path} naming the value in error messages. */
  public static Object conform(Object value, Type type, String path) {
    if (value == null) {
      throw mismatch(path, type, null);
    }
    if (type instanceof TensorType t) {
      return tensor(value, t, path);
    } else if (type instanceof StructType t) {
      return struct(value, t, path);
    } else if (type instanceof SequenceType t) {
      return sequence(value, t, path);
    } else if (type instanceof FederatedType t) {
      return federated(value, t, path);
    } else if (type instanceof FunctionType t) {
      if (value instanceof Computation c && t.isAssignableFrom(c.typeSignature())) {
        return c;
      }
      throw mismatch(path, type, value);
    } else if (type instanceof PlacementType) {
      if (value instanceof Placement) {
        return value;
      }
      throw mismatch(path, type, value);
    }
    throw new IllegalArgumentException(path + ": no value has the abstract type " + type);
  }

  /** A short description of a value for error messages: "a float32 tensor of shape [3]", "java.lang.Double 3.5". */
  public static String describe(Object value) {
    if (value == null) {
      return "null";
    } else if (value instanceof Tensor t) {
      return t.rank() == 0 ? "a " + t.dtype() + " scalar" : "a " + t.dtype() + " tensor of shape " + t.shape();
    } else if (value instanceof Struct s) {
      return "a struct with " + s.size() + " elements " + s.names();
    } else if (value instanceof FederatedValue f) {
      return f.isAllEqual() ? "an all-equal value at " + f.placement() : "a CLIENTS value with " + f.size() + " members";
    } else if (value instanceof Computation c) {
      return "a computation of type " + c.typeSignature();
    } else if (value instanceof Sequence) {
      return "a sequence";
    } else if (value instanceof List<?> l) {
      return "a list of " + l.size() + " elements";
    }
    String s = value.getClass().isArray() ? Arrays.deepToString(new Object[] {value}) : String.valueOf(value);
    if (s.length() > 60) {
      s = s.substring(0, 57) + "...";
    }
    return value.getClass().getName() + " " + s;
  }

  private static IllegalArgumentException mismatch(String path, Type type, Object value) {
    return new IllegalArgumentException(path + ": expected a value of type " + type + ", found " + describe(value));
  }

  private static Tensor tensor(Object v, TensorType t, String path) {
    Tensor x = toTensor(v, t.dtype());
    if (x == null || !t.accepts(x.dtype(), x.shape())) {
      throw mismatch(path, t, v);
    }
    return x;
  }

  /** {@code v} as a tensor of {@code dtype} if it is a number, else {@link #constant}; null if neither fits. */
  private static Tensor toTensor(Object v, DType dtype) {
    if (v instanceof Number n) {
      return switch (dtype) {
        case FLOAT32 -> Tensor.scalar(n.floatValue());
        case INT32 -> isIntegral(n) && n.longValue() == n.intValue() ? Tensor.scalar(n.intValue()) : null;
        case INT64 -> isIntegral(n) ? Tensor.scalar(n.longValue()) : null;
        default -> null;
      };
    }
    return constant(v);
  }

  /**
   * The tensor for a Java constant with its natural dtype: a {@link Tensor} itself; float32 for {@link Float} and
   * {@link Double}; int32 for {@link Integer}, {@link Short} and {@link Byte}; int64 for {@link Long}; bool; str; and
   * rank 1 for {@code float[]}, {@code int[]}, {@code long[]}, {@code boolean[]} and {@code String[]}. Null for
   * anything else.
   */
  static Tensor constant(Object v) {
    if (v instanceof Tensor t) {
      return t;
    } else if (v instanceof Float || v instanceof Double) {
      return Tensor.scalar(((Number) v).floatValue());
    } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return Tensor.scalar(((Number) v).intValue());
    } else if (v instanceof Long l) {
      return Tensor.scalar(l.longValue());
    } else if (v instanceof Boolean b) {
      return Tensor.scalar(b.booleanValue());
    } else if (v instanceof String s) {
      return Tensor.scalar(s);
    } else if (v instanceof float[] a) {
      return Tensor.of(a, a.length);
    } else if (v instanceof int[] a) {
      return Tensor.ofInts(a, a.length);
    } else if (v instanceof long[] a) {
      return Tensor.ofLongs(a, a.length);
    } else if (v instanceof boolean[] a) {
      return Tensor.ofBools(a, a.length);
    } else if (v instanceof String[] a) {
      return Tensor.ofStrings(a, a.length);
    }
    return null;
  }

  private static boolean isIntegral(Number n) {
    return n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte;
  }

  private static Struct struct(Object v, StructType t, String path) {
    List<Object> elements;
    List<String> sourceNames = null;
    if (v instanceof Struct s) {
      elements = s.values();
      sourceNames = s.names();
    } else if (v instanceof Map<?, ?> m) {
      if (m.size() != t.size()) {
        throw new IllegalArgumentException(path + ": expected a value of type " + t + " (" + t.size()
            + " elements), found a map with keys " + m.keySet());
      }
      elements = new ArrayList<>(t.size());
      for (int i = 0; i < t.size(); i++) {
        String name = t.name(i);
        if (name == null || !m.containsKey(name)) {
          throw new IllegalArgumentException(path + ": expected a value of type " + t + ", found a map with keys "
              + m.keySet() + (name == null ? " (element " + i + " of the type has no name)" : " (no key '" + name + "')"));
        }
        elements.add(m.get(name));
      }
    } else if (v instanceof List<?> l) {
      elements = new ArrayList<>(l);
    } else if (v instanceof Object[] a) {
      elements = Arrays.asList(a);
    } else {
      throw mismatch(path, t, v);
    }
    if (elements.size() != t.size()) {
      throw new IllegalArgumentException(path + ": expected a value of type " + t + " with " + t.size()
          + " elements, found " + elements.size() + " elements");
    }
    List<String> names = new ArrayList<>(t.size());
    List<Object> out = new ArrayList<>(t.size());
    for (int i = 0; i < t.size(); i++) {
      String source = sourceNames == null ? null : sourceNames.get(i);
      if (source != null && !source.equals(t.name(i))) {
        throw new IllegalArgumentException(path + ": element " + i + " is named '" + source + "', but type " + t
            + (t.name(i) == null ? " leaves it unnamed" : " names it '" + t.name(i) + "'"));
      }
      String n = t.name(i);
      names.add(n);
      out.add(conform(elements.get(i), t.type(i), path + (n != null ? "." + n : "[" + i + "]")));
    }
    return Struct.of(names, out);
  }

  private static Sequence sequence(Object v, SequenceType t, String path) {
    String elementPath = path + "[element]";
    if (v instanceof Sequence s && s.isMaterialized()) {
      return eager(s.toList(), t, elementPath);
    } else if (v instanceof Sequence s) {
      return Sequence.mapped(s, e -> conform(e, t.element(), elementPath));
    } else if (v instanceof Iterable<?> it) {
      List<Object> l = new ArrayList<>();
      for (Iterator<?> i = it.iterator(); i.hasNext(); ) {
        l.add(i.next());
      }
      return eager(l, t, elementPath);
    } else if (v instanceof Object[] a) {
      return eager(Arrays.asList(a), t, elementPath);
    }
    throw mismatch(path, t, v);
  }

  private static Sequence eager(List<?> elements, SequenceType t, String path) {
    List<Object> out = new ArrayList<>(elements.size());
    for (Object e : elements) {
      out.add(conform(e, t.element(), path));
    }
    return Sequence.of(out);
  }

  private static FederatedValue federated(Object v, FederatedType t, String path) {
    Type member = t.member();
    if (v instanceof FederatedValue f) {
      if (f.placement() != t.placement()) {
        throw new IllegalArgumentException(path + ": expected a value of type " + t + ", found a value placed at "
            + f.placement());
      }
      if (f.isAllEqual()) {
        Object m = conform(f.value(), member, path);
        return t.placement() == Placement.SERVER ? FederatedValue.atServer(m) : FederatedValue.allEqualAtClients(m);
      }
      if (t.allEqual()) {
        throw new IllegalArgumentException(path + ": expected an all-equal value of type " + t
            + ", found one member for each of " + f.size() + " clients");
      }
      if (f.isMaterialized()) {
        return clientsList(f.members(), member, path);
      }
      return FederatedValue.atClients(f.origin() != null ? f.origin() : path, f.size(),
          i -> conform(f.member(i), member, path + "[client " + i + "]"));
    }
    if (t.placement() == Placement.CLIENTS && !t.allEqual()) {
      if (v instanceof List<?> l) {
        return clientsList(l, member, path);
      }
      throw new IllegalArgumentException(path + ": expected a value of type " + t
          + " (a list with one member per client, or a FederatedValue), found " + describe(v));
    }
    Object m = conform(v, member, path);
    return t.placement() == Placement.SERVER ? FederatedValue.atServer(m) : FederatedValue.allEqualAtClients(m);
  }

  private static FederatedValue clientsList(List<?> members, Type member, String path) {
    List<Object> out = new ArrayList<>(members.size());
    for (int i = 0; i < members.size(); i++) {
      out.add(conform(members.get(i), member, path + "[client " + i + "]"));
    }
    return FederatedValue.atClients(out);
  }
}
