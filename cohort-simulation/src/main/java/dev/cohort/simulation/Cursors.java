package dev.cohort.simulation;

import dev.cohort.tensor.DType;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.util.Arrays;
import java.util.Iterator;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Predicate;

/** The cursors behind {@link Dataset}'s operations; each holds only what its operation needs for one pass. */
final class Cursors {
  private Cursors() {}

  /** A cursor that forwards columnar copies to the cursor it reads. */
  private abstract static class Forwarding implements Cursor {
    abstract Cursor current();

    @Override
    public boolean columnar() {
      return current().columnar();
    }

    @Override
    public void copyLeaf(int leaf, Object dest, int offset) {
      current().copyLeaf(leaf, dest, offset);
    }

    @Override
    public Slices slices() {
      return current().slices();
    }

    @Override
    public int row() {
      return current().row();
    }
  }

  /** Rows of in-memory leaf tensors sharing a leading dimension, optionally through a row index. */
  static final class Slices implements Cursor {
    private final Leaves leaves;
    private final Tensor[] columns;
    private final int[] rowSizes;
    private final int[] rows;
    private final int count;
    private int position = -1;

    /** Slices of {@code columns} (one per leaf); {@code rows} selects and orders rows, or null for all. */
    Slices(Leaves leaves, Tensor[] columns, int[] rows) {
      this.leaves = leaves;
      this.columns = columns;
      this.rows = rows;
      this.rowSizes = new int[columns.length];
      for (int i = 0; i < columns.length; i++) {
        rowSizes[i] = columns[i].shape().dim(0) == 0 ? 0 : columns[i].size() / columns[i].shape().dim(0);
      }
      this.count = rows != null ? rows.length : columns.length == 0 ? 0 : columns[0].shape().dim(0);
    }

    @Override
    public boolean advance() {
      if (position + 1 >= count) {
        position = count;
        return false;
      }
      position++;
      return true;
    }

    @Override
    public int row() {
      return rows != null ? rows[position] : position;
    }

    @Override
    public Slices slices() {
      return this;
    }

    @Override
    public Object element() {
      return elementAt(row());
    }

    /** Row {@code row} of the columns as an element (new tensors). */
    Object elementAt(int row) {
      Object[] values = new Object[columns.length];
      for (int i = 0; i < columns.length; i++) {
        DType dtype = columns[i].dtype();
        Object array = TensorArrays.allocate(dtype, rowSizes[i]);
        copyRow(i, row, array, 0);
        int[] dims = columns[i].shape().dims();
        values[i] = TensorArrays.wrap(dtype, array, Shape.of(Arrays.copyOfRange(dims, 1, dims.length)));
      }
      return leaves.assemble(values);
    }

    @Override
    public boolean columnar() {
      return true;
    }

    @Override
    public void copyLeaf(int leaf, Object dest, int offset) {
      copyRow(leaf, row(), dest, offset);
    }

    /** Copies leaf {@code leaf} of row {@code row} into {@code dest} at {@code offset}, wherever the pass is. */
    void copyRow(int leaf, int row, Object dest, int offset) {
      int size = rowSizes[leaf];
      System.arraycopy(TensorArrays.data(columns[leaf]), row * size, dest, offset, size);
    }
  }

  /** The elements of an iterator. */
  static final class FromIterator implements Cursor {
    private final Iterator<?> it;
    private final Function<Object, Object> check;
    private Object current;

    FromIterator(Iterator<?> it, Function<Object, Object> check) {
      this.it = it;
      this.check = check;
    }

    @Override
    public boolean advance() {
      if (!it.hasNext()) {
        return false;
      }
      current = check.apply(it.next());
      return true;
    }

    @Override
    public Object element() {
      return current;
    }
  }

  /** {@code fn} of each element, computed at most once per element and only if asked for. */
  static final class Map implements Cursor {
    private final Cursor source;
    private final Function<Object, Object> fn;
    private Object current;
    private boolean computed;

    Map(Cursor source, Function<Object, Object> fn) {
      this.source = source;
      this.fn = fn;
    }

    @Override
    public boolean advance() {
      computed = false;
      current = null;
      return source.advance();
    }

    @Override
    public Object element() {
      if (!computed) {
        current = fn.apply(source.element());
        computed = true;
      }
      return current;
    }
  }

  /** The elements for which a predicate holds. */
  static final class Filter extends Forwarding {
    private final Cursor source;
    private final Predicate<Object> keep;
    private Object current;

    Filter(Cursor source, Predicate<Object> keep) {
      this.source = source;
      this.keep = keep;
    }

    @Override
    Cursor current() {
      return source;
    }

    @Override
    public boolean advance() {
      while (source.advance()) {
        Object e = source.element();
        if (keep.test(e)) {
          current = e;
          return true;
        }
      }
      current = null;
      return false;
    }

    @Override
    public Object element() {
      return current;
    }
  }

  /** At most {@code limit} elements. */
  static final class Take extends Forwarding {
    private final Cursor source;
    private final long limit;
    private long taken;

    Take(Cursor source, long limit) {
      this.source = source;
      this.limit = limit;
    }

    @Override
    Cursor current() {
      return source;
    }

    @Override
    public boolean advance() {
      if (taken >= limit || !source.advance()) {
        taken = limit;
        return false;
      }
      taken++;
      return true;
    }

    @Override
    public Object element() {
      return source.element();
    }
  }

  /** All but the first {@code count} elements. */
  static final class Skip extends Forwarding {
    private final Cursor source;
    private long toSkip;

    Skip(Cursor source, long count) {
      this.source = source;
      this.toSkip = count;
    }

    @Override
    Cursor current() {
      return source;
    }

    @Override
    public boolean advance() {
      while (toSkip > 0) {
        toSkip--;
        if (!source.advance()) {
          toSkip = 0;
          return false;
        }
      }
      return source.advance();
    }

    @Override
    public Object element() {
      return source.element();
    }
  }

  /**
   * The parts {@code 0..count-1} one after the other ({@code count < 0}: without end); a part that turns out empty
   * ends the pass, so repeating an empty dataset forever ends at once, as in tf.data.
   */
  static final class Concat extends Forwarding {
    private final LongFunction<Cursor> parts;
    private final long count;
    private final boolean stopOnEmptyPart;
    private long index = -1;
    private Cursor part;
    private boolean partHadElements;

    Concat(LongFunction<Cursor> parts, long count, boolean stopOnEmptyPart) {
      this.parts = parts;
      this.count = count;
      this.stopOnEmptyPart = stopOnEmptyPart;
    }

    @Override
    Cursor current() {
      return part;
    }

    @Override
    public boolean advance() {
      while (true) {
        if (part != null && part.advance()) {
          partHadElements = true;
          return true;
        }
        if (part != null && stopOnEmptyPart && !partHadElements) {
          return false;
        }
        if (count >= 0 && index + 1 >= count) {
          part = null;
          return false;
        }
        index++;
        part = parts.apply(index);
        partHadElements = false;
      }
    }

    @Override
    public Object element() {
      return part.element();
    }
  }

  /**
   * tf.data's shuffle: a buffer of {@code size} elements is filled from the source; each step emits a uniformly
   * chosen buffered element and puts the next source element in its place; at the end the buffer drains in
   * random order. An element that is a row of in-memory slices is buffered as its address (slices and row), not
   * built, so shuffling such a dataset before batching copies each row once, into its batch.
   */
  static final class Shuffle implements Cursor {
    private final Cursor source;
    private final RandomStream random;
    private final Object[] elements;
    private final Slices[] owners;
    private final int[] rows;
    private int buffered = -1;
    private Object element;
    private Slices owner;
    private int row;

    Shuffle(Cursor source, int size, RandomStream random) {
      this.source = source;
      this.random = random;
      this.elements = new Object[size];
      this.owners = new Slices[size];
      this.rows = new int[size];
    }

    private void fill(int slot) {
      Slices s = source.slices();
      owners[slot] = s;
      if (s != null) {
        rows[slot] = source.row();
        elements[slot] = null;
      } else {
        elements[slot] = source.element();
      }
    }

    @Override
    public boolean advance() {
      if (buffered < 0) {
        buffered = 0;
        while (buffered < elements.length && source.advance()) {
          fill(buffered++);
        }
      }
      if (buffered == 0) {
        element = null;
        owner = null;
        return false;
      }
      int j = random.nextInt(buffered);
      element = elements[j];
      owner = owners[j];
      row = rows[j];
      if (source.advance()) {
        fill(j);
      } else {
        int last = --buffered;
        elements[j] = elements[last];
        owners[j] = owners[last];
        rows[j] = rows[last];
        elements[last] = null;
        owners[last] = null;
      }
      return true;
    }

    @Override
    public Object element() {
      if (owner != null && element == null) {
        element = owner.elementAt(row);
      }
      return element;
    }

    @Override
    public boolean columnar() {
      return owner != null;
    }

    @Override
    public void copyLeaf(int leaf, Object dest, int offset) {
      owner.copyRow(leaf, row, dest, offset);
    }

    @Override
    public Slices slices() {
      return owner;
    }

    @Override
    public int row() {
      return row;
    }
  }

  /**
   * Consecutive elements stacked into batches along a new leading dimension: each batch's storage is allocated once
   * and filled leaf by leaf, straight from the source's storage where the source is columnar.
   */
  static final class Batch implements Cursor {
    private final Cursor source;
    private final Leaves leaves;
    private final int size;
    private final boolean dropRemainder;
    private final int[] leafSizes;
    private final Tensor[] scratch;
    private long seen;
    private Object current;

    Batch(Cursor source, Leaves leaves, int size, boolean dropRemainder) {
      this.source = source;
      this.leaves = leaves;
      this.size = size;
      this.dropRemainder = dropRemainder;
      this.leafSizes = new int[leaves.size()];
      for (int i = 0; i < leafSizes.length; i++) {
        leafSizes[i] = leaves.type(i).toShape().size();
      }
      this.scratch = new Tensor[leaves.size()];
    }

    @Override
    public boolean advance() {
      Object[] arrays = new Object[leafSizes.length];
      int rows = 0;
      while (rows < size && source.advance()) {
        if (rows == 0) { // storage only once there is an element: the pass's last call allocates nothing
          for (int i = 0; i < arrays.length; i++) {
            arrays[i] = TensorArrays.allocate(leaves.type(i).dtype(), size * leafSizes[i]);
          }
        }
        if (source.columnar()) {
          for (int i = 0; i < arrays.length; i++) {
            source.copyLeaf(i, arrays[i], rows * leafSizes[i]);
          }
        } else {
          leaves.flatten(source.element(), scratch, "batch: element " + seen);
          for (int i = 0; i < arrays.length; i++) {
            System.arraycopy(TensorArrays.data(scratch[i]), 0, arrays[i], rows * leafSizes[i], leafSizes[i]);
            scratch[i] = null;
          }
        }
        rows++;
        seen++;
      }
      if (rows == 0 || (rows < size && dropRemainder)) {
        current = null;
        return false;
      }
      Object[] tensors = new Object[arrays.length];
      for (int i = 0; i < arrays.length; i++) {
        DType dtype = leaves.type(i).dtype();
        Object array = rows < size ? TensorArrays.truncate(dtype, arrays[i], rows * leafSizes[i]) : arrays[i];
        int[] dims = leaves.type(i).toShape().dims();
        int[] batched = new int[dims.length + 1];
        batched[0] = rows;
        System.arraycopy(dims, 0, batched, 1, dims.length);
        tensors[i] = TensorArrays.wrap(dtype, array, Shape.of(batched));
      }
      current = leaves.assemble(tensors);
      return true;
    }

    @Override
    public Object element() {
      return current;
    }
  }
}
