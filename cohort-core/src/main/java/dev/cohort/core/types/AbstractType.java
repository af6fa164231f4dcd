package dev.cohort.core.types;

import java.util.List;

/**
 * A type variable in a polymorphic signature, such as the {@code T} of {@code ({T}@CLIENTS -> T@SERVER)}. Every
 * occurrence of a label in one signature stands for the same concrete type. Abstract types appear only in the
 * signatures of {@code IntrinsicDef}s and are not comparable.
 *
 * @param label the variable's name, an identifier that is not a dtype name
 */
public record AbstractType(String label) implements Type {
  /** Validates the label. */
  public AbstractType {
    if (!StructType.isIdentifier(label) || TypeParser.isReservedWord(label)) {
      throw new IllegalArgumentException("abstract type label '" + label
          + "' must be an identifier other than a dtype name or 'placement'");
    }
  }

  /** The type variable {@code label}. */
  public static AbstractType of(String label) {
    return new AbstractType(label);
  }

  /**
   * Always throws: abstract types are not comparable.
   *
   * @throws IllegalStateException always
   */
  @Override
  public boolean isAssignableFrom(Type source) {
    throw new IllegalStateException("abstract type " + label + " is not comparable; instantiate the signature first");
  }

  @Override
  public List<Type> children() {
    return List.of();
  }

  @Override
  public String toString() {
    return label;
  }
}
