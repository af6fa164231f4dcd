package dev.cohort.core.types;

import java.util.List;

/**
 * The type of a federated computation or of one of its values, in TFF's type system.
 *
 * <p>Types are immutable records compared by value. {@code toString()} prints TFF's compact notation exactly
 * ({@code float32[?,784]}, {@code <a=float32,b=int32>}, {@code float32*}, {@code (float32 -> float32)},
 * {@code {float32}@CLIENTS}, {@code float32@SERVER}); {@link #formatted()} prints the multi-line form of TFF's
 * {@code formatted_representation()}, and {@link #parse(String)} reads either back.
 *
 * <table>
 *   <caption>The kinds of type</caption>
 *   <tr><th>record</th><th>notation</th></tr>
 *   <tr><td>{@link TensorType}</td><td>{@code int32}, {@code float32[?,784]}</td></tr>
 *   <tr><td>{@link StructType}</td><td>{@code <a=float32,int32>}, {@code <>}</td></tr>
 *   <tr><td>{@link SequenceType}</td><td>{@code float32*}</td></tr>
 *   <tr><td>{@link FunctionType}</td><td>{@code (float32 -> float32)}, {@code ( -> int32)}</td></tr>
 *   <tr><td>{@link FederatedType}</td><td>{@code {float32}@CLIENTS}, {@code float32@CLIENTS}, {@code float32@SERVER}</td></tr>
 *   <tr><td>{@link AbstractType}</td><td>{@code T} (only in intrinsic signatures)</td></tr>
 *   <tr><td>{@link PlacementType}</td><td>{@code placement}</td></tr>
 * </table>
 */
public sealed interface Type
    permits TensorType, StructType, SequenceType, FunctionType, FederatedType, AbstractType, PlacementType {

  /**
   * Whether a value of type {@code source} can be used where this type is expected, by TFF's rules: tensors need
   * the same dtype and rank, with each of this type's dimensions unknown or equal; structs need the same length,
   * assignable elements, and each named source element must carry this type's name at that position; functions
   * are contravariant in the parameter; a federated target needs the same placement, an assignable member, and an
   * all-equal source if it is all-equal itself.
   *
   * @throws IllegalStateException if an {@link AbstractType} is compared (abstract types are not comparable)
   */
  boolean isAssignableFrom(Type source);

  /**
   * Throws if {@link #isAssignableFrom} is false.
   *
   * @throws TypeMismatchException naming both types in TFF notation
   */
  default void checkAssignableFrom(Type source) {
    if (!isAssignableFrom(source)) {
      throw new TypeMismatchException(
          "type " + source + " is not assignable to " + this, this, source);
    }
  }

  /** Whether values convert both ways: assignable in both directions. */
  default boolean isEquivalentTo(Type other) {
    return isAssignableFrom(other) && other.isAssignableFrom(this);
  }

  /** The immediate child types (struct elements, sequence element, parameter and result, member). */
  List<Type> children();

  /** TFF's multi-line formatted representation (2-space indentation inside structs). */
  default String formatted() {
    return TypePrinter.print(this, true);
  }

  /**
   * Parses TFF's compact or formatted notation, e.g. {@code "({float32}@CLIENTS -> float32@SERVER)"}.
   *
   * @throws IllegalArgumentException naming the position and what was expected, or if types are nested deeper than
   *     1,000 levels
   */
  static Type parse(String notation) {
    return TypeParser.parse(notation);
  }
}
