package dev.cohort.learning.models;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.Nest;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A model metric as (initialize, update, finalize), TFF's functional metrics: a client starts from zeros of
 * {@code stateType}, {@link #update}s the state with every batch, and the server sums the clients' unfinalized states
 * and {@link #finalizeState finalizes} the sum ({@code sum_then_finalize}). The state must therefore be additive
 * across clients (sums and counts), as Keras' metric variables are.
 *
 * <pre>{@code
 * Metric maxLoss = ...; // user-defined:
 * Metric squaredError = new Metric("mean_squared_error", StructType.of(FLOAT32, FLOAT32), FLOAT32,
 *     (state, out, labels) -> ..., state -> ...);
 * }</pre>
 *
 * @param name the key in the metrics structure (an identifier)
 * @param stateType the unfinalized state's type, a structure of fully defined tensor types
 * @param resultType the finalized value's type
 * @param update the new state after a batch
 * @param finalizer the finalized value of a (summed) state
 */
public record Metric(String name, Type stateType, Type resultType, Update update, Finalizer finalizer) {
  /** The state after a batch. Must not modify its arguments. */
  @FunctionalInterface
  public interface Update {
    /** The state after {@code output} on a batch whose labels are {@code labels}. */
    Object apply(Object state, BatchOutput output, Tensor labels);
  }

  /** The finalized value of a state. */
  @FunctionalInterface
  public interface Finalizer {
    /** The metric's value for {@code state}. */
    Object apply(Object state);
  }

  private static final StructType SUM_AND_COUNT = StructType.of(TensorType.FLOAT32, TensorType.FLOAT32);

  /** Rejects a name that is not an identifier and null parts. */
  public Metric {
    if (name == null || !StructType.isIdentifier(name)) {
      throw new IllegalArgumentException("metric name '" + name + "' must be an identifier");
    }
    Objects.requireNonNull(stateType, "stateType");
    Objects.requireNonNull(resultType, "resultType");
    Objects.requireNonNull(update, "update");
    Objects.requireNonNull(finalizer, "finalizer");
  }

  /** The initial (zero) state. */
  public Object initialState() {
    return Nest.zeros(stateType);
  }

  /** The finalized value of {@code state}. */
  public Object finalizeState(Object state) {
    return finalizer.apply(state);
  }

  /**
   * The unfinalized states of {@code metrics} after inference-mode forward passes of {@code worker} (with the weights
   * it holds) over {@code batches}, as a struct named by the metrics: what a client of federated evaluation reports.
   */
  public static Struct evaluate(List<Metric> metrics, ModelWorker worker, Iterable<?> batches) {
    List<Object> states = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Metric m : metrics) {
      states.add(m.initialState());
      names.add(m.name());
    }
    for (Object element : batches) {
      Struct batch = (Struct) element;
      BatchOutput out = worker.forwardPass(batch, false, null);
      for (int i = 0; i < metrics.size(); i++) {
        states.set(i, metrics.get(i).update().apply(states.get(i), out, (Tensor) batch.get(1)));
      }
    }
    return Struct.of(names, states);
  }

  /** The finalized values of {@code states} (a struct of the metrics' states in order), named as {@code states}. */
  public static Struct finalizeAll(List<Metric> metrics, Struct states) {
    List<Object> values = new ArrayList<>();
    for (int i = 0; i < metrics.size(); i++) {
      values.add(metrics.get(i).finalizeState(states.get(i)));
    }
    return Struct.of(states.names(), values);
  }

  /** Keras' loss metric: the example-weighted mean of the batch losses, state {@code <loss·n sum, n>}. */
  public static Metric loss() {
    return new Metric("loss", SUM_AND_COUNT, TensorType.FLOAT32, (state, out, labels) -> {
      float n = out.numExamples();
      return add((Struct) state, out.loss().floatValue() * n, n);
    }, Metric::ratio);
  }

  /**
   * Keras' {@code SparseCategoricalAccuracy}: the fraction of examples whose arg-max prediction equals the label
   * (labels {@code [batch]} or {@code [batch, 1]}), state {@code <correct, n>}.
   */
  public static Metric sparseCategoricalAccuracy() {
    return new Metric("sparse_categorical_accuracy", SUM_AND_COUNT, TensorType.FLOAT32, (state, out, labels) -> {
      Tensor predicted = out.predictions().argmax(out.predictions().rank() - 1);
      int n = predicted.size();
      int correct = 0;
      for (int i = 0; i < n; i++) {
        if (predicted.longData()[i] == label(labels, i)) {
          correct++;
        }
      }
      return add((Struct) state, correct, n);
    }, Metric::ratio);
  }

  /** TFF's {@code num_examples} counter (int64). */
  public static Metric numExamples() {
    return counter("num_examples", out -> out.numExamples());
  }

  /** TFF's {@code num_batches} counter (int64). */
  public static Metric numBatches() {
    return counter("num_batches", out -> 1);
  }

  private static Metric counter(String name, java.util.function.ToIntFunction<BatchOutput> increment) {
    return new Metric(name, TensorType.INT64, TensorType.INT64,
        (state, out, labels) -> Tensor.scalar(((Tensor) state).longValue() + increment.applyAsInt(out)), s -> s);
  }

  private static long label(Tensor labels, int i) {
    return labels.dtype() == DType.INT64 ? labels.longData()[i] : labels.intData()[i];
  }

  private static Struct add(Struct state, float sum, float count) {
    return Struct.of(Tensor.scalar(((Tensor) state.get(0)).floatValue() + sum),
        Tensor.scalar(((Tensor) state.get(1)).floatValue() + count));
  }

  /** {@code sum / count}, 0 when the count is 0 (Keras' {@code divide_no_nan}). */
  private static Object ratio(Object state) {
    Struct s = (Struct) state;
    float count = ((Tensor) s.get(1)).floatValue();
    return Tensor.scalar(count == 0 ? 0f : ((Tensor) s.get(0)).floatValue() / count);
  }
}
