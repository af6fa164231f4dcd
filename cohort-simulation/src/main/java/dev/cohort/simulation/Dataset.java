package dev.cohort.simulation;

import dev.cohort.core.Values;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A lazy, re-iterable dataset with an element type: the counterpart of a {@code tf.data.Dataset} in TFF, and a
 * {@link Sequence}, so it can be passed as it is wherever a computation expects {@code T*}.
 *
 * <p>Operations ({@link #map}, {@link #filter}, {@link #repeat}, {@link #shuffle}, {@link #batch}, {@link #take},
 * {@link #skip}) return new datasets and read nothing. Elements are produced when a pass iterates, one at a time;
 * a pass holds only what its operations need (a shuffle its buffer, a batch one batch), never the whole data set.
 * Every {@link #iterator()} is an independent pass, so several threads may iterate one dataset at once.
 *
 * <p>Elements are runtime values of the element type: {@link Tensor}s and {@link Struct}s of them.
 *
 * <p><b>Shuffling and passes.</b> A shuffle is keyed ({@link #shuffle(int, long, long...)}): the same seed and key
 * give the same order. Every pass over the same dataset sees the same order (a pass is not numbered by how many
 * came before it, so results never depend on which thread iterated first); within {@code shuffle(...).repeat(n)},
 * each of the {@code n} epochs is shuffled afresh from the key and the epoch index, which is what tf.data's default
 * {@code reshuffle_each_iteration=True} gives inside a repeat. For a new order in every round, put the round into
 * the key: {@code shuffle(100, seed, round, clientIndex)}.
 */
public final class Dataset implements Sequence {
  /** The purpose folded into shuffle streams, so that they never coincide with other streams of the same key. */
  private static final long SHUFFLE = 0x5348_5546_464C_45L; // "SHUFFLE"

  private final Type elementType;
  private final Source source;

  private Dataset(Type elementType, Source source) {
    SequenceType.of(Objects.requireNonNull(elementType, "elementType"));
    this.elementType = elementType;
    this.source = source;
  }

  // ---------------------------------------------------------------- creating datasets

  /** The dataset with no elements. */
  public static Dataset empty(Type elementType) {
    return new Dataset(elementType, pass -> new Cursors.FromIterator(List.of().iterator(), e -> e));
  }

  /**
   * A dataset of the given Java values, each converted to the element type as a computation argument is
   * ({@link Values#conform}) and held in memory.
   *
   * @throws IllegalArgumentException naming the element that does not fit the type
   */
  public static Dataset of(Type elementType, List<?> elements) {
    List<Object> values = new ArrayList<>(elements.size());
    for (int i = 0; i < elements.size(); i++) {
      values.add(Values.conform(elements.get(i), elementType, "element " + i));
    }
    List<Object> held = List.copyOf(values);
    return new Dataset(elementType, pass -> new Cursors.FromIterator(held.iterator(), e -> e));
  }

  /**
   * A lazy dataset over a sequence (for example {@link Sequence#from} streaming from disk): every pass iterates the
   * sequence again and converts each element to the element type ({@link Values#conform}), failing the pass on the
   * first element that does not fit.
   */
  public static Dataset from(Type elementType, Sequence elements) {
    Objects.requireNonNull(elements, "elements");
    return new Dataset(elementType, pass -> new Cursors.FromIterator(elements.iterator(),
        e -> Values.conform(e, elementType, "dataset element")));
  }

  /**
   * The slices of tensors along their first dimension, as {@code tf.data.Dataset.from_tensor_slices}: a
   * {@link Tensor} of shape {@code [n, d...]} gives {@code n} elements of shape {@code [d...]}; a (nested)
   * {@link Struct} of such tensors, all with the same first dimension, gives {@code n} structs of the same names.
   * The tensors are shared, not copied; batching copies rows straight from them.
   *
   * @throws IllegalArgumentException if a leaf is not a tensor of rank at least 1, or first dimensions differ
   */
  public static Dataset fromTensorSlices(Object tensors) {
    return slices(tensors, null);
  }

  /** {@link #fromTensorSlices} through a row index: rows {@code rows[0], rows[1], ...} of the tensors. */
  static Dataset slices(Object tensors, int[] rows) {
    List<Tensor> leafTensors = new ArrayList<>();
    Type type = sliceType(tensors, "tensors", leafTensors);
    int n = leafTensors.isEmpty() ? 0 : leafTensors.get(0).shape().dim(0);
    for (int i = 0; i < leafTensors.size(); i++) {
      if (leafTensors.get(i).shape().dim(0) != n) {
        throw new IllegalArgumentException("fromTensorSlices: every tensor needs the same first dimension; leaf 0 has "
            + n + " rows, leaf " + i + " has shape " + leafTensors.get(i).shape());
      }
    }
    if (rows != null) {
      for (int r : rows) {
        if (r < 0 || r >= n) {
          throw new IllegalArgumentException("slices: row " + r + " is outside [0, " + n + ")");
        }
      }
    }
    Leaves leaves = Leaves.of(type, "fromTensorSlices");
    Tensor[] columns = leafTensors.toArray(new Tensor[0]);
    int[] index = rows == null ? null : rows.clone();
    return new Dataset(type, pass -> new Cursors.Slices(leaves, columns, index));
  }

  private static Type sliceType(Object value, String path, List<Tensor> out) {
    if (value instanceof Tensor t) {
      if (t.rank() < 1) {
        throw new IllegalArgumentException("fromTensorSlices: " + path + " is a scalar; slices need rank >= 1");
      }
      out.add(t);
      int[] dims = t.shape().dims();
      return TensorType.of(t.dtype(), Arrays.copyOfRange(dims, 1, dims.length));
    }
    if (value instanceof Struct s) {
      List<StructType.Field> fields = new ArrayList<>();
      for (int i = 0; i < s.size(); i++) {
        String name = s.name(i);
        fields.add(new StructType.Field(name,
            sliceType(s.get(i), path + (name != null ? "." + name : "[" + i + "]"), out)));
      }
      return new StructType(fields);
    }
    throw new IllegalArgumentException("fromTensorSlices: " + path + " must be a Tensor or a Struct of them, found "
        + Values.describe(value));
  }

  /**
   * A dataset built anew for every pass by {@code perPass}: how a loader reads a client's examples only when its
   * dataset is iterated. The datasets it returns must have an element type assignable to {@code elementType}.
   */
  public static Dataset defer(Type elementType, Supplier<Dataset> perPass) {
    Objects.requireNonNull(perPass, "perPass");
    return new Dataset(elementType, pass -> {
      Dataset d = perPass.get();
      if (!elementType.isAssignableFrom(d.elementType)) {
        throw new IllegalStateException("defer: a pass produced a dataset of " + d.elementType
            + ", not assignable to the declared element type " + elementType);
      }
      return d.source.open(pass);
    });
  }

  /** The datasets {@code part(0) .. part(count - 1)}, one after the other, each opened when reached. */
  static Dataset concatenate(Type elementType, int count, LongFunction<Dataset> part) {
    return new Dataset(elementType, pass -> new Cursors.Concat(i -> part.apply(i).source.open(pass), count, false));
  }

  // ---------------------------------------------------------------- properties

  /** The type of each element. */
  public Type elementType() {
    return elementType;
  }

  /** The sequence type {@code elementType*} of this dataset as a computation value. */
  public SequenceType type() {
    return SequenceType.of(elementType);
  }

  @Override
  public Iterator<Object> iterator() {
    Cursor cursor = source.open(Pass.TOP);
    return new Iterator<>() {
      private int state; // 0: not yet advanced, 1: on an element, 2: done

      @Override
      public boolean hasNext() {
        if (state == 0) {
          state = cursor.advance() ? 1 : 2;
        }
        return state == 1;
      }

      @Override
      public Object next() {
        if (!hasNext()) {
          throw new NoSuchElementException("the dataset pass is over");
        }
        state = 0;
        return cursor.element();
      }
    };
  }

  /**
   * The number of elements of one pass, counted without building elements where the source need not (slices,
   * and the operations that pass them through).
   */
  public long count() {
    Cursor cursor = source.open(Pass.TOP);
    long n = 0;
    while (cursor.advance()) {
      n++;
    }
    return n;
  }

  // ---------------------------------------------------------------- operations

  /**
   * {@code fn} applied to each element, lazily, on every pass; {@code elementType} is the type of what {@code fn}
   * returns (TFF infers it by tracing; Java states it). Elements are checked against it where they are consumed: by
   * {@link #batch} and when passed to a computation.
   *
   * <p>For an untyped {@link Sequence}, {@link Sequence#mapped(Sequence, Function)}.
   */
  public Dataset map(Type elementType, Function<Object, Object> fn) {
    Objects.requireNonNull(fn, "fn");
    return new Dataset(elementType, pass -> new Cursors.Map(source.open(pass), fn));
  }

  /** The elements for which {@code keep} is true. */
  public Dataset filter(Predicate<Object> keep) {
    Objects.requireNonNull(keep, "keep");
    return new Dataset(elementType, pass -> new Cursors.Filter(source.open(pass), keep));
  }

  /**
   * The elements {@code count} times over (epochs); each epoch is a new pass over this dataset, with its own shuffle
   * order for shuffles inside it.
   *
   * @throws IllegalArgumentException if {@code count < 0}
   */
  public Dataset repeat(long count) {
    if (count < 0) {
      throw new IllegalArgumentException("repeat: count (" + count + ") must be >= 0; repeat() repeats without end");
    }
    return repeated(count);
  }

  /**
   * The elements repeated without end, as {@code tf.data}'s {@code repeat()}; a pass over it ends only if this
   * dataset is empty. Bound it with {@link #take}.
   */
  public Dataset repeat() {
    return repeated(-1);
  }

  private Dataset repeated(long count) {
    return new Dataset(elementType, pass -> new Cursors.Concat(i -> source.open(pass.epoch(i)), count, true));
  }

  /**
   * The elements in an order shuffled through a buffer of {@code bufferSize} elements, as {@code tf.data}'s shuffle:
   * the buffer is filled first, then each step emits a uniformly chosen buffered element and refills its slot from
   * the input. A buffer at least as large as the dataset gives a uniform permutation. The random stream is
   * {@code RandomStream.of(seed, key...)} forked by the epochs of enclosing {@link #repeat}s (see the class
   * documentation): the same seed and key give the same order.
   *
   * @throws IllegalArgumentException if {@code bufferSize < 1}
   */
  public Dataset shuffle(int bufferSize, long seed, long... key) {
    if (bufferSize < 1) {
      throw new IllegalArgumentException("shuffle: buffer size (" + bufferSize + ") must be >= 1");
    }
    RandomStream base = RandomStream.of(seed, key).fork(SHUFFLE);
    return new Dataset(elementType,
        pass -> new Cursors.Shuffle(source.open(pass), bufferSize, base.fork(pass.epochs())));
  }

  /** {@link #batch(int, boolean)} keeping a smaller last batch. */
  public Dataset batch(int batchSize) {
    return batch(batchSize, false);
  }

  /**
   * Consecutive elements stacked into batches: each tensor leaf of type {@code T[d...]} becomes {@code T[?,d...]},
   * or {@code T[batchSize,d...]} with {@code dropRemainder} (which drops a smaller last batch), as TFF types
   * {@code dataset.batch}. Each batch is built in storage allocated for it, copied straight from in-memory sources.
   *
   * @throws IllegalArgumentException if {@code batchSize < 1}, or the element type is not made of tensors with fully
   *     known shapes (and structs of them); a pass fails naming the element that does not fit the type
   */
  public Dataset batch(int batchSize, boolean dropRemainder) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch: batch size (" + batchSize + ") must be >= 1");
    }
    Leaves leaves = Leaves.of(elementType, "batch");
    for (int i = 0; i < leaves.size(); i++) {
      if (!leaves.type(i).isFullyDefined()) {
        throw new IllegalArgumentException("batch: " + leaves.path(i) + " has type " + leaves.type(i)
            + "; batching needs every tensor's shape fully known (element type " + elementType + ")");
      }
    }
    int leading = dropRemainder ? batchSize : TensorType.UNKNOWN;
    Type batched = leaves.mapTypes(t -> {
      List<Integer> dims = new ArrayList<>();
      dims.add(leading);
      dims.addAll(t.shape());
      return new TensorType(t.dtype(), dims);
    });
    return new Dataset(batched, pass -> new Cursors.Batch(source.open(pass), leaves, batchSize, dropRemainder));
  }

  /**
   * The first {@code count} elements.
   *
   * @throws IllegalArgumentException if {@code count < 0}
   */
  public Dataset take(long count) {
    if (count < 0) {
      throw new IllegalArgumentException("take: count (" + count + ") must be >= 0");
    }
    return new Dataset(elementType, pass -> new Cursors.Take(source.open(pass), count));
  }

  /**
   * All but the first {@code count} elements.
   *
   * @throws IllegalArgumentException if {@code count < 0}
   */
  public Dataset skip(long count) {
    if (count < 0) {
      throw new IllegalArgumentException("skip: count (" + count + ") must be >= 0");
    }
    return new Dataset(elementType, pass -> new Cursors.Skip(source.open(pass), count));
  }

  /** {@code Dataset<element type>}, e.g. {@code Dataset<<x=float32[?,784],y=int64[?,1]>>}. */
  @Override
  public String toString() {
    return "Dataset<" + elementType + ">";
  }
}
