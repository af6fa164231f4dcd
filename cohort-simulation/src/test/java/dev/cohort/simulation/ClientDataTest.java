package dev.cohort.simulation;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedSum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.Computation;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClientDataTest {
  static final StructType EMNIST = StructType.named("label", TensorType.INT32,
      "pixels", TensorType.of(DType.FLOAT32, 28, 28));

  /** Client "c&lt;k&gt;" has k + 1 examples whose labels are 100 k + i and whose pixels are all i. */
  static ClientData synthetic(int clients) {
    List<String> ids = new ArrayList<>();
    for (int k = clients - 1; k >= 0; k--) {
      ids.add("c" + k);
    }
    return ClientData.of(ids, EMNIST, id -> {
      int k = Integer.parseInt(id.substring(1));
      int n = k + 1;
      int[] labels = new int[n];
      float[] pixels = new float[n * 784];
      for (int i = 0; i < n; i++) {
        labels[i] = 100 * k + i;
        java.util.Arrays.fill(pixels, i * 784, (i + 1) * 784, i);
      }
      return Dataset.fromTensorSlices(Struct.named("label", Tensor.ofInts(labels, n),
          "pixels", Tensor.of(pixels, n, 28, 28)));
    });
  }

  static List<Integer> labels(Iterable<Object> d) {
    List<Integer> out = new ArrayList<>();
    for (Object e : d) {
      out.add(((Tensor) ((Struct) e).get("label")).intValue());
    }
    return out;
  }

  @Test
  void clientIdsAreSortedAndUnique() {
    ClientData cd = synthetic(12);
    assertThat(cd.clientIds()).startsWith("c0", "c1", "c10", "c11", "c2").hasSize(12);
    assertThat(cd).hasToString("ClientData(12 clients, <label=int32,pixels=float32[28,28]>)");
    assertThatThrownBy(() -> ClientData.of(List.of("a", "b", "a"), EMNIST, id -> Dataset.empty(EMNIST)))
        .hasMessage("client id 'a' appears more than once");
    assertThatThrownBy(() -> cd.dataset("c99")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no client 'c99' among the 12 clients ('c0' .. 'c9')");
  }

  @Test
  void aClientsDatasetHoldsItsExamples() {
    ClientData cd = synthetic(4);
    assertThat(labels(cd.dataset("c3"))).containsExactly(300, 301, 302, 303);
    Struct e = (Struct) cd.dataset("c2").skip(1).toList().get(0);
    assertThat(((Tensor) e.get("pixels")).shape().dims()).containsExactly(28, 28);
    assertThat(((Tensor) e.get("pixels")).floatData()).containsOnly(1f);
  }

  @Test
  void aDatasetOfAnotherTypeIsRejectedNamingTheClient() {
    ClientData cd = ClientData.of(List.of("a"), EMNIST, id -> Dataset.empty(TensorType.INT32));
    assertThatThrownBy(() -> cd.dataset("a")).isInstanceOf(IllegalStateException.class)
        .hasMessage("the dataset built for client 'a' has elements of type int32, expected "
            + "<label=int32,pixels=float32[28,28]>");
  }

  @Test
  void allClientsFormOneDatasetInIdOrderOrInASeededClientOrder() {
    ClientData cd = synthetic(5);
    assertThat(labels(cd.datasetFromAllClients())).containsExactly(0, 100, 101, 200, 201, 202, 300, 301, 302,
        303, 400, 401, 402, 403, 404);
    List<Integer> shuffled = labels(cd.datasetFromAllClients(3));
    assertThat(shuffled).isEqualTo(labels(cd.datasetFromAllClients(3)))
        .containsExactlyInAnyOrderElementsOf(labels(cd.datasetFromAllClients()));
    assertThat(shuffled).isNotEqualTo(labels(cd.datasetFromAllClients()));
    List<Integer> clientOrder = new ArrayList<>();
    for (int label : shuffled) {
      if (label % 100 == 0) {
        clientOrder.add(label / 100);
      } else {
        assertThat(label - 1).isEqualTo(shuffled.get(shuffled.indexOf(label) - 1));
      }
    }
    assertThat(clientOrder).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
  }

  @Test
  void preprocessingGivesTheTutorialsTypesAndReadsNothingUntilIterated() {
    int[] built = {0};
    ClientData base = synthetic(3);
    ClientData counted = ClientData.of(base.clientIds(), EMNIST, id -> {
      built[0]++;
      return base.dataset(id);
    });
    StructType flat = StructType.named("x", TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, 784),
        "y", TensorType.of(DType.INT64, TensorType.UNKNOWN, 1));
    ClientData pre = counted.preprocess(d -> d.batch(2).map(flat, e -> {
      Struct b = (Struct) e;
      Tensor pixels = (Tensor) b.get("pixels");
      Tensor label = (Tensor) b.get("label");
      return Struct.named("x", pixels.reshape(-1, 784), "y", label.cast(DType.INT64).reshape(-1, 1));
    }).take(5));
    assertThat(built[0]).isZero();
    assertThat(pre.elementType()).hasToString("<x=float32[?,784],y=int64[?,1]>");
    assertThat(pre.clientIds()).isEqualTo(base.clientIds());
    List<Object> batches = pre.dataset("c2").toList();
    assertThat(batches).hasSize(2);
    assertThat(((Tensor) ((Struct) batches.get(1)).get("y")).longData()).containsExactly(202L);
    assertThat(((Tensor) ((Struct) batches.get(0)).get("x")).shape().dims()).containsExactly(2, 784);
    assertThat(built[0]).isEqualTo(1);
  }

  @Test
  void aClientSplitIsSeededDisjointAndComplete() {
    ClientData cd = synthetic(20);
    ClientData.Split s = cd.trainTestClientSplit(5, 42);
    assertThat(s.test().size()).isEqualTo(5);
    assertThat(s.train().size()).isEqualTo(15);
    Set<String> union = new HashSet<>(s.train().clientIds());
    union.addAll(s.test().clientIds());
    assertThat(union).containsExactlyInAnyOrderElementsOf(cd.clientIds());
    assertThat(s.train().clientIds()).doesNotContainAnyElementsOf(s.test().clientIds()).isSorted();
    assertThat(cd.trainTestClientSplit(5, 42).test().clientIds()).isEqualTo(s.test().clientIds());
    assertThat(cd.trainTestClientSplit(5, 43).test().clientIds()).isNotEqualTo(s.test().clientIds());
    String someTest = s.test().clientIds().get(0);
    assertThat(labels(s.test().dataset(someTest))).isEqualTo(labels(cd.dataset(someTest)));
    assertThatThrownBy(() -> s.test().dataset(s.train().clientIds().get(0)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cd.trainTestClientSplit(20, 1))
        .hasMessage("trainTestClientSplit: numTestClients (20) must be in [1, 19] for 20 clients");
  }

  @Test
  void clientDatasetsAreAComputationsClientsArgument() {
    ClientData cd = synthetic(6);
    Computation count = Computation.local("simulation_test.count_examples", SequenceType.of(EMNIST),
        TensorType.INT32, seq -> {
          int n = 0;
          for (Object ignored : (Sequence) seq) {
            n++;
          }
          return Tensor.scalar(n);
        });
    Computation total = Computation.federated("total_examples",
        FederatedType.atClients(SequenceType.of(EMNIST)), data -> federatedSum(federatedMap(count, data)));
    assertThat(total.typeSignature()).hasToString(
        "({<label=int32,pixels=float32[28,28]>*}@CLIENTS -> int32@SERVER)");
    FederatedValue round = cd.atClients(List.of("c5", "c1", "c3"));
    assertThat(((Tensor) ((FederatedValue) total.call(round)).value()).intValue()).isEqualTo(6 + 2 + 4);
  }
}
