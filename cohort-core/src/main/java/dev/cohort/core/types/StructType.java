package dev.cohort.core.types;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The type of a struct: an ordered list of elements, each with an optional name. Notation {@code <a=float32,int32>};
 * the empty struct is {@code <>}.
 *
 * <p>Names are identifiers ({@code [A-Za-z_][A-Za-z0-9_]*}) and unique within a struct.
 *
 * @param fields the elements in order
 */
public record StructType(List<Field> fields) implements Type {
  /** The one definition of an identifier: struct element names, abstract type labels, names in computations. */
  private static final Pattern IDENTIFIER_PATTERN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** {@code <>}. */
  public static final StructType EMPTY = new StructType(List.of());

  /**
   * One element of a struct type.
   *
   * @param name the element's name, or {@code null} if unnamed
   * @param type the element's type
   */
  public record Field(String name, Type type) {
    /** Validates the name. */
    public Field {
      Objects.requireNonNull(type, "type");
      if (name != null && !isIdentifier(name)) {
        throw new IllegalArgumentException("struct element name '" + name
            + "' is not an identifier ([A-Za-z_][A-Za-z0-9_]*)");
      }
    }

    /** A named element. */
    public static Field of(String name, Type type) {
      return new Field(name, type);
    }

    /** An unnamed element. */
    public static Field of(Type type) {
      return new Field(null, type);
    }
  }

  /** Copies the fields and rejects duplicate names. */
  public StructType {
    fields = List.copyOf(fields);
    Set<String> seen = new HashSet<>();
    for (Field f : fields) {
      if (f.name() != null && !seen.add(f.name())) {
        throw new IllegalArgumentException("struct type has the element name '" + f.name() + "' twice");
      }
    }
  }

  /**
   * Whether {@code name} is an identifier ({@code [A-Za-z_][A-Za-z0-9_]*}): what can name a struct element, and
   * equally a reference, parameter or block local in a computation, so that printed forms always parse back.
   */
  public static boolean isIdentifier(String name) {
    return name != null && IDENTIFIER_PATTERN.matcher(name).matches();
  }

  /** An unnamed struct type {@code <T0,T1,...>}. */
  public static StructType of(Type... types) {
    List<Field> f = new ArrayList<>(types.length);
    for (Type t : types) {
      f.add(new Field(null, t));
    }
    return new StructType(f);
  }

  /** A struct type of the given fields. */
  public static StructType of(Field... fields) {
    return new StructType(List.of(fields));
  }

  /**
   * A named struct type from alternating names and types: {@code named("a", FLOAT32, "b", INT32)} is
   * {@code <a=float32,b=int32>}.
   */
  public static StructType named(Object... namesAndTypes) {
    if (namesAndTypes.length % 2 != 0) {
      throw new IllegalArgumentException("StructType.named takes name/type pairs, got "
          + namesAndTypes.length + " arguments");
    }
    List<Field> f = new ArrayList<>();
    for (int i = 0; i < namesAndTypes.length; i += 2) {
      if (!(namesAndTypes[i] instanceof String name)) {
        throw new IllegalArgumentException("StructType.named: argument " + i + " must be a String name, got "
            + namesAndTypes[i]);
      }
      if (!(namesAndTypes[i + 1] instanceof Type type)) {
        throw new IllegalArgumentException("StructType.named: argument " + (i + 1) + " must be a Type, got "
            + namesAndTypes[i + 1]);
      }
      f.add(new Field(name, type));
    }
    return new StructType(f);
  }

  /** The number of elements. */
  public int size() {
    return fields.size();
  }

  /** The type of element {@code index}. */
  public Type type(int index) {
    return fields.get(index).type();
  }

  /** The name of element {@code index}, or null. */
  public String name(int index) {
    return fields.get(index).name();
  }

  /** The index of the element named {@code name}, or -1. */
  public int indexOf(String name) {
    for (int i = 0; i < fields.size(); i++) {
      if (name.equals(fields.get(i).name())) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The element names, one per element in order, {@code null} for an unnamed one: parallel to the elements, as
   * {@link dev.cohort.core.values.Struct#names()} is, so that {@code Struct.of(type.names(), values)} builds a value
   * of this type and {@code names().indexOf(name)} is an element's index.
   */
  public List<String> names() {
    List<String> out = new ArrayList<>(fields.size());
    for (Field f : fields) {
      out.add(f.name());
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public boolean isAssignableFrom(Type source) {
    if (!(source instanceof StructType s) || s.fields.size() != fields.size()) {
      return false;
    }
    for (int i = 0; i < fields.size(); i++) {
      Field target = fields.get(i);
      Field from = s.fields.get(i);
      if (from.name() != null && !from.name().equals(target.name())) {
        return false;
      }
      if (!target.type().isAssignableFrom(from.type())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public List<Type> children() {
    List<Type> out = new ArrayList<>(fields.size());
    for (Field f : fields) {
      out.add(f.type());
    }
    return out;
  }

  @Override
  public String toString() {
    return TypePrinter.print(this, false);
  }
}
