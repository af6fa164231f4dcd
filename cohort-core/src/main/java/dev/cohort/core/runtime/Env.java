package dev.cohort.core.runtime;

/**
 * A linked environment of name bindings, innermost first. A binding's value can be cleared after its last use so
 * that large intermediate values are released while a block still runs.
 */
final class Env {
  static final Env EMPTY = new Env(null, null, null);

  final Env parent;
  final String name;
  Object value;

  Env(Env parent, String name, Object value) {
    this.parent = parent;
    this.name = name;
    this.value = value;
  }

  Object lookup(String n) {
    for (Env e = this; e != EMPTY; e = e.parent) {
      if (e.name.equals(n)) {
        if (e.value == null) {
          throw new IllegalStateException("internal: '" + n + "' was released before its last use");
        }
        return e.value;
      }
    }
    throw new IllegalStateException("internal: unbound name '" + n + "' (the computation was checked to be closed)");
  }
}
