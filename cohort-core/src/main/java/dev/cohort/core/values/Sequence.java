package dev.cohort.core.values;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The runtime value of a {@link dev.cohort.core.types.SequenceType}: elements read in order, any number of times. A sequence may be
 * backed by a list or be lazy: {@link #from(Supplier)} produces a fresh iterator on every pass, so a sequence can
 * stream from disk without being held in memory.
 *
 * <p>Implementations must be safe to iterate from several threads at once (each pass has its own iterator).
 */
public interface Sequence extends Iterable<Object> {

  /** A sequence of the given elements (copied into an immutable list). */
  static Sequence of(Object... elements) {
    return of(List.of(elements));
  }

  /** A sequence over a copy of {@code elements}. */
  static Sequence of(List<?> elements) {
    return new ListSequence(List.<Object>copyOf(elements));
  }

  /**
   * A lazy sequence: every pass calls {@code iterators} for a fresh iterator, so elements may be read from disk or
   * computed on demand. The supplier must return iterators over the same elements every time.
   */
  static Sequence from(Supplier<? extends Iterator<?>> iterators) {
    Objects.requireNonNull(iterators, "iterators");
    return () -> {
      @SuppressWarnings("unchecked")
      Iterator<Object> it = (Iterator<Object>) iterators.get();
      return it;
    };
  }

  /**
   * A lazy, untyped sequence whose elements are {@code fn} applied to those of {@code source}, computed on every pass.
   * A static method, so that typed sequences (a simulation {@code Dataset}, whose {@code map} also takes the new
   * element type) do not inherit an untyped {@code map} that silently drops their type.
   */
  static Sequence mapped(Sequence source, Function<Object, Object> fn) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(fn, "fn");
    return () -> new Iterator<>() {
      private final Iterator<Object> it = source.iterator();

      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public Object next() {
        return fn.apply(it.next());
      }
    };
  }

  /**
   * Whether the elements are held in memory, so that {@link #toList()} costs nothing and passes never recompute
   * them ({@link #of} sequences); lazy sequences return false.
   */
  default boolean isMaterialized() {
    return false;
  }

  /** The elements of one pass, in a new list. */
  default List<Object> toList() {
    List<Object> out = new ArrayList<>();
    for (Object o : this) {
      out.add(o);
    }
    return out;
  }
}
