package dev.cohort.core.values;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The runtime value of a {@link dev.cohort.core.types.StructType}: an ordered list of values, each with an optional name. Immutable (the
 * element values themselves are shared, not copied). {@link #toString()} prints {@code <a=1.5,b=2>}.
 */
public final class Struct {
  private static final Struct EMPTY = new Struct(List.of(), List.of());

  private final List<String> names;
  private final List<Object> values;

  private Struct(List<String> names, List<Object> values) {
    this.names = names;
    this.values = values;
  }

  /** The empty struct {@code <>}. */
  public static Struct empty() {
    return EMPTY;
  }

  /** An unnamed struct of {@code values}. */
  public static Struct of(Object... values) {
    List<Object> v = new ArrayList<>(values.length);
    for (Object o : values) {
      v.add(Objects.requireNonNull(o, "struct element"));
    }
    return new Struct(Collections.nCopies(values.length, null), Collections.unmodifiableList(v));
  }

  /**
   * A struct from parallel lists of names (entries may be null for unnamed elements) and values.
   *
   * @throws IllegalArgumentException if the sizes differ or a name repeats
   */
  public static Struct of(List<String> names, List<?> values) {
    if (names.size() != values.size()) {
      throw new IllegalArgumentException("struct: " + names.size() + " names for " + values.size() + " values");
    }
    List<String> n = Collections.unmodifiableList(new ArrayList<>(names));
    for (int i = 0; i < n.size(); i++) {
      if (n.get(i) != null && n.indexOf(n.get(i)) != i) {
        throw new IllegalArgumentException("struct has the element name '" + n.get(i) + "' twice");
      }
    }
    List<Object> v = new ArrayList<>(values.size());
    for (Object o : values) {
      v.add(Objects.requireNonNull(o, "struct element"));
    }
    return new Struct(n, Collections.unmodifiableList(v));
  }

  /** A named struct from alternating names and values: {@code named("A", 2, "B", 3)}. */
  public static Struct named(Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("Struct.named takes name/value pairs, got " + namesAndValues.length
          + " arguments");
    }
    List<String> n = new ArrayList<>();
    List<Object> v = new ArrayList<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (!(namesAndValues[i] instanceof String s)) {
        throw new IllegalArgumentException("Struct.named: argument " + i + " must be a String name, got "
            + namesAndValues[i]);
      }
      n.add(s);
      v.add(namesAndValues[i + 1]);
    }
    return of(n, v);
  }

  /** The number of elements. */
  public int size() {
    return values.size();
  }

  /** Element {@code index}. */
  public Object get(int index) {
    if (index < 0 || index >= values.size()) {
      throw new IndexOutOfBoundsException("struct index (" + index + ") must be less than size (" + values.size() + ")");
    }
    return values.get(index);
  }

  /**
   * The element named {@code name}.
   *
   * @throws IllegalArgumentException naming the struct's names if there is no such element
   */
  public Object get(String name) {
    int i = names.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("struct has no element named '" + name + "'; its names are "
          + names.stream().filter(Objects::nonNull).toList());
    }
    return values.get(i);
  }

  /** The name of element {@code index}, or null. */
  public String name(int index) {
    return names.get(index);
  }

  /** The element names (null entries for unnamed elements). */
  public List<String> names() {
    return names;
  }

  /** The element values. */
  public List<Object> values() {
    return values;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Struct s && s.names.equals(names) && s.values.equals(values);
  }

  @Override
  public int hashCode() {
    return 31 * names.hashCode() + values.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("<");
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      if (names.get(i) != null) {
        sb.append(names.get(i)).append('=');
      }
      sb.append(values.get(i));
    }
    return sb.append('>').toString();
  }
}
