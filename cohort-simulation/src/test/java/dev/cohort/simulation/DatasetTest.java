package dev.cohort.simulation;

import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.Computation;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DatasetTest {
  /** n examples {@code <x=float32[2],y=int32>} with x = [i, 10 i] and y = i. */
  static Dataset examples(int n) {
    float[] x = new float[2 * n];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      x[2 * i] = i;
      x[2 * i + 1] = 10 * i;
      y[i] = i;
    }
    return Dataset.fromTensorSlices(Struct.named("x", Tensor.of(x, n, 2), "y", Tensor.ofInts(y, n)));
  }

  static List<Integer> labels(Iterable<Object> d) {
    List<Integer> out = new ArrayList<>();
    for (Object e : d) {
      out.add(((Tensor) ((Struct) e).get("y")).intValue());
    }
    return out;
  }

  static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  @Test
  void slicesAreTypedAndReadInOrderOnEveryPass() {
    Dataset d = examples(4);
    assertThat(d.elementType()).hasToString("<x=float32[2],y=int32>");
    assertThat(d.type()).hasToString("<x=float32[2],y=int32>*");
    assertThat(labels(d)).containsExactly(0, 1, 2, 3);
    assertThat(labels(d)).containsExactly(0, 1, 2, 3);
    Struct third = (Struct) d.toList().get(2);
    assertThat(((Tensor) third.get("x")).floatData()).containsExactly(2f, 20f);
    assertThat(d.count()).isEqualTo(4);
  }

  @Test
  void aDatasetIsASequenceThatAComputationConsumesAsItsTypedArgument() {
    Dataset d = examples(5);
    Computation sumOfLabels = Computation.local("simulation_test.sum_of_labels", SequenceType.of(d.elementType()),
        INT32, seq -> {
          int s = 0;
          for (Object e : (Sequence) seq) {
            s += ((Tensor) ((Struct) e).get("y")).intValue();
          }
          return Tensor.scalar(s);
        });
    assertThat(sumOfLabels.typeSignature()).hasToString("(<x=float32[2],y=int32>* -> int32)");
    assertThat(((Tensor) sumOfLabels.call(d)).intValue()).isEqualTo(10);
    assertThat(((Tensor) sumOfLabels.call(d.filter(e -> labels(List.of(e)).get(0) % 2 == 0))).intValue())
        .isEqualTo(6);
  }

  @Test
  void mapFilterTakeSkipAndRepeatComposeLazily() {
    Dataset d = examples(10);
    Dataset doubled = d.map(INT32, e -> Tensor.scalar(2 * ((Tensor) ((Struct) e).get("y")).intValue()));
    assertThat(doubled.elementType()).isEqualTo(INT32);
    List<Integer> values = new ArrayList<>();
    doubled.skip(2).take(3).forEach(t -> values.add(((Tensor) t).intValue()));
    assertThat(values).containsExactly(4, 6, 8);
    assertThat(labels(d.filter(e -> labels(List.of(e)).get(0) % 3 == 0))).containsExactly(0, 3, 6, 9);
    assertThat(labels(d.take(3).repeat(2))).containsExactly(0, 1, 2, 0, 1, 2);
    assertThat(labels(d.repeat().take(12))).containsExactlyElementsOf(
        List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1));
    assertThat(d.skip(20).count()).isZero();
    assertThat(d.take(0).count()).isZero();
    assertThat(d.repeat(0).count()).isZero();
    assertThat(Dataset.empty(INT32).repeat().count()).isZero();
  }

  @Test
  void anEndlessSourceIsReadOnlyAsFarAsAPassGoes() {
    int[] produced = {0};
    Dataset endless = Dataset.from(INT32, Sequence.from(() -> new Iterator<Integer>() {
      private int i;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Integer next() {
        produced[0]++;
        return i++;
      }
    }));
    assertThat(endless.batch(4).take(3).count()).isEqualTo(3);
    assertThat(produced[0]).isEqualTo(12);
  }

  @Test
  void theSameShuffleKeyGivesTheSameOrderAndEveryElementOnce() {
    Dataset d = examples(50);
    List<Integer> a = labels(d.shuffle(50, 7, 1, 2));
    assertThat(a).isEqualTo(labels(d.shuffle(50, 7, 1, 2)));
    assertThat(a).containsExactlyInAnyOrderElementsOf(range(0, 50)).isNotEqualTo(range(0, 50));
    assertThat(labels(d.shuffle(50, 7, 1, 3))).isNotEqualTo(a);
    assertThat(labels(d.shuffle(50, 8, 1, 2))).isNotEqualTo(a);
    Dataset shuffled = d.shuffle(50, 7, 1, 2);
    assertThat(labels(shuffled)).isEqualTo(labels(shuffled));
    assertThat(labels(d.shuffle(1, 7))).isEqualTo(range(0, 50));
  }

  @Test
  void aShuffleBufferOnlyReordersWithinItsReach() {
    Dataset d = examples(200);
    for (long key = 0; key < 20; key++) {
      List<Integer> order = labels(d.shuffle(5, 3, key));
      assertThat(order).containsExactlyInAnyOrderElementsOf(range(0, 200));
      for (int i = 0; i < order.size(); i++) {
        assertThat(order.get(i)).as("element %d of key %d", i, key).isLessThan(i + 5);
      }
    }
  }

  @Test
  void aFullBufferShufflesUniformly() {
    Dataset d = examples(3);
    Map<List<Integer>, Integer> counts = new HashMap<>();
    int trials = 6000;
    for (long key = 0; key < trials; key++) {
      counts.merge(labels(d.shuffle(3, 11, key)), 1, Integer::sum);
    }
    assertThat(counts).hasSize(6);
    double expected = trials / 6.0;
    double sigma = Math.sqrt(trials * (1 / 6.0) * (5 / 6.0));
    counts.values().forEach(c -> assertThat(Math.abs(c - expected)).isLessThan(4 * sigma));
  }

  @Test
  void eachRepeatedEpochIsShuffledAfreshYetEveryPassIsTheSame() {
    Dataset epochs = examples(20).shuffle(20, 5).repeat(3);
    List<Integer> all = labels(epochs);
    assertThat(all).hasSize(60);
    List<Integer> e0 = all.subList(0, 20);
    List<Integer> e1 = all.subList(20, 40);
    List<Integer> e2 = all.subList(40, 60);
    assertThat(e0).containsExactlyInAnyOrderElementsOf(range(0, 20));
    assertThat(e1).containsExactlyInAnyOrderElementsOf(range(0, 20)).isNotEqualTo(e0);
    assertThat(e2).containsExactlyInAnyOrderElementsOf(range(0, 20)).isNotEqualTo(e1);
    assertThat(labels(epochs)).isEqualTo(all);
    assertThat(labels(examples(20).repeat(3).shuffle(60, 5))).containsExactlyInAnyOrderElementsOf(
        IntStream.range(0, 60).map(i -> i % 20).boxed().toList());
  }

  @Test
  void batchesStackIntoALeadingDimensionTypedAsTffTypesThem() {
    Dataset d = examples(7);
    Dataset b = d.batch(3);
    assertThat(b.elementType()).hasToString("<x=float32[?,2],y=int32[?]>");
    List<Object> batches = b.toList();
    assertThat(batches).hasSize(3);
    Struct first = (Struct) batches.get(0);
    assertThat(((Tensor) first.get("x")).shape().dims()).containsExactly(3, 2);
    assertThat(((Tensor) first.get("x")).floatData()).containsExactly(0f, 0f, 1f, 10f, 2f, 20f);
    assertThat(((Tensor) first.get("y")).intData()).containsExactly(0, 1, 2);
    Struct last = (Struct) batches.get(2);
    assertThat(((Tensor) last.get("x")).shape().dims()).containsExactly(1, 2);
    assertThat(((Tensor) last.get("y")).intData()).containsExactly(6);

    Dataset dropped = d.batch(3, true);
    assertThat(dropped.elementType()).hasToString("<x=float32[3,2],y=int32[3]>");
    assertThat(dropped.count()).isEqualTo(2);
    assertThat(dropped.batch(2).elementType()).hasToString("<x=float32[?,3,2],y=int32[?,3]>");
  }

  @Test
  void batchingBuiltElementsGivesWhatBatchingSlicesGives() {
    Dataset d = examples(10);
    Dataset rebuilt = d.map(d.elementType(), e -> e);
    assertThat(rebuilt.batch(4).toList()).isEqualTo(d.batch(4).toList());
    assertThat(d.shuffle(10, 1).batch(4).toList()).isEqualTo(d.shuffle(10, 1).map(d.elementType(), e -> e)
        .batch(4).toList());
  }

  @Test
  void columnarBatchingBuildsNoElement() {
    Leaves leaves = Leaves.of(StructType.named("x", TensorType.of(DType.FLOAT32, 2)), "test");
    int[] built = {0};
    float[] column = {1, 2, 3, 4, 5, 6};
    Cursor source = new Cursor() {
      private int row = -1;

      @Override
      public boolean advance() {
        return ++row < 3;
      }

      @Override
      public Object element() {
        built[0]++;
        throw new AssertionError("element built");
      }

      @Override
      public boolean columnar() {
        return true;
      }

      @Override
      public void copyLeaf(int leaf, Object dest, int offset) {
        System.arraycopy(column, 2 * row, dest, offset, 2);
      }
    };
    Cursors.Batch batch = new Cursors.Batch(new Cursors.Take(source, 3), leaves, 2, false);
    assertThat(batch.advance()).isTrue();
    assertThat(((Tensor) ((Struct) batch.element()).get("x")).floatData()).containsExactly(1, 2, 3, 4);
    assertThat(batch.advance()).isTrue();
    assertThat(((Tensor) ((Struct) batch.element()).get("x")).floatData()).containsExactly(5, 6);
    assertThat(batch.advance()).isFalse();
    assertThat(built[0]).isZero();
  }

  @Test
  void batchingAnElementOfTheWrongShapeNamesItAndTheTypes() {
    Dataset d = examples(3).map(examples(3).elementType(), e -> {
      Struct s = (Struct) e;
      int y = ((Tensor) s.get("y")).intValue();
      return y == 2 ? Struct.named("x", Tensor.zeros(3), "y", s.get("y")) : e;
    });
    assertThatThrownBy(() -> d.batch(2).toList()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch: element 2 does not match the element type <x=float32[2],y=int32>: element.x should be "
            + "float32[2], found a float32 tensor of shape [3]");
    Type unknown = TensorType.of(DType.FLOAT32, TensorType.UNKNOWN);
    assertThatThrownBy(() -> Dataset.empty(unknown).batch(2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch: element has type float32[?]; batching needs every tensor's shape fully known"
            + " (element type float32[?])");
    assertThatThrownBy(() -> d.batch(0)).hasMessage("batch: batch size (0) must be >= 1");
  }

  @Test
  void javaValuesAreConformedToTheElementType() {
    Dataset d = Dataset.of(StructType.named("a", FLOAT32, "b", INT32), List.of(List.of(1.5, 2), List.of(3, 4)));
    assertThat(d.toList()).hasToString("[<a=1.5,b=2>, <a=3.0,b=4>]");
    assertThatThrownBy(() -> Dataset.of(INT32, List.of(1, 2.5))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("element 1: expected a value of type int32");
    assertThatThrownBy(() -> Dataset.fromTensorSlices(Struct.named("a", Tensor.zeros(3), "b", Tensor.zeros(4))))
        .hasMessage("fromTensorSlices: every tensor needs the same first dimension; leaf 0 has 3 rows, leaf 1 has "
            + "shape [4]");
  }

  @Test
  void passesOnSeveralThreadsAtOnceSeeTheSameElements() throws Exception {
    Dataset d = examples(500).shuffle(64, 9).batch(7);
    List<Object> expected = d.toList();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<Object>>> passes = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        passes.add(pool.submit(d::toList));
      }
      for (Future<List<Object>> p : passes) {
        assertThat(p.get()).isEqualTo(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
