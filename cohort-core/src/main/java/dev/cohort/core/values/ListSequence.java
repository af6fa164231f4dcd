package dev.cohort.core.values;

import java.util.Iterator;
import java.util.List;

/** A sequence backed by an immutable list; equal to other list-backed sequences with equal elements. */
final class ListSequence implements Sequence {
  private final List<Object> elements;

  ListSequence(List<Object> elements) {
    this.elements = elements;
  }

  @Override
  public Iterator<Object> iterator() {
    return elements.iterator();
  }

  @Override
  public boolean isMaterialized() {
    return true;
  }

  @Override
  public List<Object> toList() {
    return elements;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ListSequence s && s.elements.equals(elements);
  }

  @Override
  public int hashCode() {
    return elements.hashCode();
  }

  @Override
  public String toString() {
    return elements.toString();
  }
}
