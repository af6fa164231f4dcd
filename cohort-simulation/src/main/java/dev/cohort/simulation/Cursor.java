package dev.cohort.simulation;

/**
 * One pass over a dataset's elements, positioned before the first element. A cursor is owned by one pass on one
 * thread; {@link Dataset} opens a new one for every pass.
 */
interface Cursor {
  /** Moves to the next element; false once the pass is over. */
  boolean advance();

  /** The current element as a runtime value (a tensor or a struct of them); valid after {@link #advance()}. */
  Object element();

  /**
   * Whether {@link #copyLeaf} can copy the current element's tensors straight from the source's storage, without
   * building the element: true for in-memory slices and for operations that pass elements through unchanged.
   */
  default boolean columnar() {
    return false;
  }

  /**
   * Copies the elements of tensor leaf {@code leaf} (in {@link Leaves} order) of the current element into
   * {@code dest} (a primitive or {@code String} array) at {@code offset}. Only called when {@link #columnar()}.
   */
  default void copyLeaf(int leaf, Object dest, int offset) {
    throw new IllegalStateException("internal: copyLeaf called on a cursor that is not columnar: " + this);
  }

  /**
   * The in-memory slices the current element is a row of, or null; with {@link #row()}, an address that stays
   * valid for the whole pass ({@link Cursors.Slices#copyRow}), after the cursor has moved on: what lets a shuffle
   * buffer hold row numbers instead of elements. Non-null only where {@link #columnar()} holds.
   */
  default Cursors.Slices slices() {
    return null;
  }

  /** The current element's row in {@link #slices()}; only called when that is not null. */
  default int row() {
    throw new IllegalStateException("internal: row called on a cursor that reads no in-memory slices: " + this);
  }
}
