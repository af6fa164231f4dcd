package dev.cohort.core.types;

import java.util.List;
import java.util.Objects;

/**
 * The type of a sequence (a data set): zero or more elements of one type, read in order and re-iterable.
 * Notation {@code T*}. The element may not contain federated, function or sequence types.
 *
 * @param element the element type
 */
public record SequenceType(Type element) implements Type {
  /** Rejects elements that contain federated, function or sequence types. */
  public SequenceType {
    Objects.requireNonNull(element, "element");
    if (TypeAnalysis.contains(element, t -> t instanceof FederatedType || t instanceof FunctionType
        || t instanceof SequenceType)) {
      throw new TypeMismatchException("a sequence element may not contain federated, function or sequence types,"
          + " found element type " + element, null, element);
    }
  }

  /** {@code element*}. */
  public static SequenceType of(Type element) {
    return new SequenceType(element);
  }

  @Override
  public boolean isAssignableFrom(Type source) {
    return source instanceof SequenceType s && element.isAssignableFrom(s.element);
  }

  @Override
  public List<Type> children() {
    return List.of(element);
  }

  @Override
  public String toString() {
    return TypePrinter.print(this, false);
  }
}
