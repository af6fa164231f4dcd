package dev.cohort.aggregators;

import static dev.cohort.core.Intrinsics.federatedMax;
import static dev.cohort.core.Intrinsics.federatedSum;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT32;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.Computation;
import dev.cohort.core.ContextStack;
import dev.cohort.core.runtime.ClientExecutor;
import dev.cohort.core.runtime.InProcessContext;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Processes stream: run on a lazy CLIENTS input, no CLIENTS value is ever materialized (held with one member per
 * client at once). A client executor records every materialization the runtime asks of it.
 */
class StreamingTest {
  private static final int CLIENTS = 50;

  /** A client executor that delegates, recording the stage of every {@code collect} (a materialization). */
  private static final class RecordingExecutor implements ClientExecutor {
    private final ClientExecutor delegate = ClientExecutor.inProcess(2);
    final List<String> collected = new ArrayList<>();

    @Override
    public <T, A> A fold(String stage, int clients, ClientTask<? extends T> task, A initial,
        BiFunction<A, ? super T, A> accumulate) {
      return delegate.fold(stage, clients, task, initial, accumulate);
    }

    @Override
    public <T> List<T> collect(String stage, int clients, ClientTask<? extends T> task) {
      synchronized (collected) {
        collected.add(stage);
      }
      return delegate.collect(stage, clients, task);
    }

    @Override
    public int parallelism() {
      return delegate.parallelism();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  /** A lazy CLIENTS value: member {@code i} is computed on demand, never held by the caller. */
  static FederatedValue lazyClients(int clients, java.util.function.IntFunction<Object> member) {
    return FederatedValue.atClients("test input", clients, member);
  }

  /** The stages at which running {@code body} materialized a CLIENTS value; empty if everything streamed. */
  @SuppressWarnings("try") // the scope installs the context
  static List<String> materializations(Supplier<?> body) {
    RecordingExecutor executor = new RecordingExecutor();
    try (InProcessContext context = InProcessContext.builder().clientExecutor(executor).build();
         ContextStack.Scope scope = ContextStack.install(context)) {
      body.get();
    } finally {
      executor.close();
    }
    return executor.collected;
  }

  private static FederatedValue scalars() {
    return lazyClients(CLIENTS, i -> Tensor.scalar((float) (i % 7)));
  }

  @Test
  void theRecorderSeesAComputationThatReadsALazyValueTwice() {
    Computation twice = Computation.federated("read_twice", FederatedType.atClients(FLOAT32),
        v -> List.of(federatedSum(v), v));
    assertThat(materializations(() -> twice.call(scalars()))).containsExactly("test input");
  }

  @Test
  void meansStream() {
    AggregationProcess weighted = new MeanFactory().create(FLOAT32, FLOAT32);
    assertThat(materializations(() -> new Rounds(weighted).next(scalars(), scalars()))).isEmpty();
    AggregationProcess unweighted = new UnweightedMeanFactory().create(FLOAT32);
    assertThat(materializations(() -> new Rounds(unweighted).next(scalars()))).isEmpty();
  }

  @Test
  void clippingAndZeroingStream() {
    WeightedAggregationFactory robust = Robust.zeroing(3.0, NormOrder.L2, Robust.clipping(2.0, new MeanFactory()));
    AggregationProcess p = robust.create(FLOAT32, FLOAT32);
    assertThat(materializations(() -> new Rounds(p).next(scalars(), scalars()))).isEmpty();
  }

  @Test
  void adaptiveClippingStreams() {
    UnweightedAggregationFactory adaptive = Robust.clipping(QuantileEstimation.noNoise(1.0, 0.8, 0.2),
        new UnweightedMeanFactory());
    AggregationProcess p = adaptive.create(FLOAT32);
    assertThat(materializations(() -> new Rounds(p).next(scalars()))).isEmpty();
  }

  @Test
  void differentiallyPrivateAggregationStreams() {
    UnweightedAggregationFactory dp = Robust.zeroing(5.0, NormOrder.LINF,
        DifferentiallyPrivateFactory.gaussianFixed(1.0, CLIENTS, 1.0, 7L));
    AggregationProcess p = dp.create(FLOAT32);
    assertThat(materializations(() -> new Rounds(p).next(scalars()))).isEmpty();
    AggregationProcess adaptive = DifferentiallyPrivateFactory.gaussianAdaptive(1.0, CLIENTS, 7L).create(FLOAT32);
    assertThat(materializations(() -> new Rounds(adaptive).next(scalars()))).isEmpty();
  }

  @Test
  void compressedAndRotatedSumsStream() {
    for (AggregationProcess p : List.of(EncodedSumFactory.quantizeAboveThreshold(2, 0, 1L).create(FLOAT32),
        new HadamardTransformFactory(5L).create(FLOAT32), new DiscreteFourierTransformFactory(5L).create(FLOAT32),
        DiscretizationFactory.stochastic(new ModularClippingSumFactory(-64, 64), 0.5, 3L).create(FLOAT32),
        DiscretizationFactory.deterministic(new SumFactory(), 0.5, new UnweightedMeanFactory()).create(FLOAT32),
        Concat.concatFactory(new SumFactory()).create(FLOAT32),
        DebugMeasurements.add(new UnweightedMeanFactory()).create(FLOAT32),
        new UnweightedReservoirSamplingFactory(3, 4L).create(FLOAT32))) {
      assertThat(materializations(() -> new Rounds(p).next(scalars()))).as(p.next().typeSignature().toString())
          .isEmpty();
    }
  }

  @Test
  void secureSumsStream() {
    FederatedValue ints = lazyClients(CLIENTS, i -> Tensor.scalar(i % 7));
    for (AggregationProcess p : List.of(SecureSumFactory.floats(4.0).create(FLOAT32),
        SecureSumFactory.estimated(QuantileEstimation.noNoise(3.0, 0.9, 0.5)).create(FLOAT32))) {
      assertThat(materializations(() -> new Rounds(p).next(scalars()))).as(p.next().typeSignature().toString())
          .isEmpty();
    }
    for (AggregationProcess p : List.of(SecureSumFactory.integers(5).create(INT32),
        new SecureModularSumFactory(8).create(INT32), new SecureModularSumFactory(8, true).create(INT32))) {
      assertThat(materializations(() -> new Rounds(p).next(ints))).as(p.next().typeSignature().toString())
          .isEmpty();
    }
  }

  @Test
  void secureQuantizedSumStreams() {
    Computation sum = Computation.federated("quantized", FederatedType.atClients(FLOAT32),
        v -> Primitives.secureQuantizedSum(v, -1.0f, 8.0f));
    assertThat(materializations(() -> sum.call(scalars()))).isEmpty();
  }

  @Test
  void weightedClippingAndZeroingWithEstimatedNormsStream() {
    AggregationProcess p = Recommended.robust().create(FLOAT32, FLOAT32);
    assertThat(materializations(() -> new Rounds(p).next(scalars(), scalars()))).isEmpty();
  }
}
