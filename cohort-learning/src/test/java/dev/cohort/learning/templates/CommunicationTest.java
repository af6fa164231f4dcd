package dev.cohort.learning.templates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.aggregators.EncodedSumFactory;
import dev.cohort.aggregators.MeanFactory;
import dev.cohort.aggregators.SumFactory;
import dev.cohort.core.Computation;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.Loss;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.models.SequentialModel;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.nn.Layers;
import dev.cohort.nn.Sequential;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommunicationTest {
  private static final StructType SPEC = StructType.named("x", TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, 8),
      "y", TensorType.of(DType.INT32, TensorType.UNKNOWN, 1));

  /** 8 -> 30 -> 2 (trainable 8*30 + 30 + 30*2 + 2 = 332 floats). */
  private static FunctionalModel model() {
    return SequentialModel.of("test.communication.mlp", SPEC,
        () -> Sequential.builder(Shape.of(8)).seed(4).add(Layers.dense(30)).add(Layers.dense(2)).build(),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY_FROM_LOGITS);
  }

  private static List<Sequence> clients(int n) {
    List<Sequence> out = new ArrayList<>();
    for (int c = 0; c < n; c++) {
      out.add(Sequence.of(Struct.named("x", Tensor.zeros(3, 8), "y", Tensor.wrap(new int[3], Shape.of(3, 1)))));
    }
    return out;
  }

  private static LearningProcess fedAvg(dev.cohort.aggregators.AggregationProcess aggregator) {
    FunctionalModel model = model();
    ModelWeights initial = model.initialWeights();
    return LearningProcess.composeLearningProcess(initial, DistributionProcess.broadcast(initial.type()),
        ClientWorkProcess.modelDelta(model, Optimizer.sgdm(0.1), ClientWeighting.NUM_EXAMPLES), aggregator,
        FinalizerProcess.applyOptimizer(Optimizer.sgdm(1.0), initial.type()));
  }

  private static Struct communication(LearningProcess process, int clients) {
    Struct out = (Struct) process.next().call(process.initialize().call(), clients(clients));
    return (Struct) ((Struct) ((FederatedValue) out.get("metrics")).value()).get("communication");
  }

  @Test
  void anUncompressedRoundSendsTheModelAndReceivesTheUpdateAsFloat32PerClient() {
    LearningProcess plain = fedAvg(new MeanFactory().create(model().initialWeights().trainableType(),
        TensorType.FLOAT32));
    LearningProcess measured = Communication.measured(plain);
    assertThat(measured.next().typeSignature().result().toString()).endsWith(",communication=<clients=int64,"
        + "broadcasted_bits=int64,aggregated_bits=int64>>@SERVER>");
    long bits = 332L * 32;
    assertThatThrownBy(() -> Communication.measured(measured)).hasMessageStartingWith("the process's metrics already"
        + " have 'communication' (measured twice?)");
    assertThat(communication(measured, 5)).isEqualTo(Struct.named("clients", Tensor.scalar(5L), "broadcasted_bits",
        Tensor.scalar(5 * bits), "aggregated_bits", Tensor.scalar(5 * bits)));
    // The process itself is unchanged: same state after the round, same other metrics.
    Struct a = (Struct) plain.next().call(plain.initialize().call(), clients(5));
    Struct b = (Struct) measured.next().call(measured.initialize().call(), clients(5));
    assertThat(b.get("state")).isEqualTo(a.get("state"));
    Struct ma = (Struct) ((FederatedValue) a.get("metrics")).value();
    Struct mb = (Struct) ((FederatedValue) b.get("metrics")).value();
    assertThat(mb.names()).containsExactly("distributor", "client_work", "aggregator", "finalizer", "communication");
    for (String name : ma.names()) {
      assertThat(mb.get(name)).isEqualTo(ma.get(name));
    }
  }

  /**
   * With TFF's compression (8-bit uniform quantisation of tensors above a threshold, min and max as float32) the upload
   * is the encoded size: here the 8x30 kernel (240 > 100 elements) goes as 240 bytes + 64 bits, the rest as float32.
   */
  @Test
  void aCompressingAggregatorsClientBitsAreTheUpload() {
    EncodedSumFactory encoded = EncodedSumFactory.quantizeAboveThreshold(8, 100, 3);
    LearningProcess compressed = Communication.measured(fedAvg(new MeanFactory(encoded, new SumFactory(), false)
        .create(model().initialWeights().trainableType(), TensorType.FLOAT32)));
    long upload = 240L * 8 + 64 + (30 + 60 + 2) * 32L;
    Struct c = communication(compressed, 4);
    assertThat(c.get("aggregated_bits")).isEqualTo(Tensor.scalar(4 * upload));
    assertThat(c.get("broadcasted_bits")).isEqualTo(Tensor.scalar(4 * 332L * 32));
  }

  /**
   * TFF's compression_aggregator nests the encoded sum under zeroing and clipping; its client_bits are found there. With
   * TFF's threshold of 20000 elements only the 8x2600 kernel (20800) is quantised to 8 bits (+ min and max).
   */
  @Test
  void theClientBitsOfANestedCompressingAggregatorAreFound() {
    FunctionalModel wide = SequentialModel.of("test.communication.wide", SPEC,
        () -> Sequential.builder(Shape.of(8)).seed(4).add(Layers.dense(2600)).add(Layers.dense(2)).build(),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY_FROM_LOGITS);
    ModelWeights initial = wide.initialWeights();
    LearningProcess recommended = Communication.measured(LearningProcess.composeLearningProcess(initial,
        DistributionProcess.broadcast(initial.type()),
        ClientWorkProcess.modelDelta(wide, Optimizer.sgdm(0.1), ClientWeighting.NUM_EXAMPLES),
        dev.cohort.aggregators.Recommended.compression(true, true, 3).create(initial.trainableType(),
            TensorType.FLOAT32),
        FinalizerProcess.applyOptimizer(Optimizer.sgdm(1.0), initial.type())));
    Struct c = communication(recommended, 3);
    long floats = 8 * 2600 + 2600 + 2600 * 2 + 2;
    assertThat(c.get("broadcasted_bits")).isEqualTo(Tensor.scalar(3 * floats * 32));
    assertThat(c.get("aggregated_bits")).isEqualTo(Tensor.scalar(3 * (20800L * 8 + 64 + (floats - 20800) * 32)));
  }

  @Test
  void aSerializedMeasuredProcessRunsToTheSameBits() {
    LearningProcess measured = Communication.measured(fedAvg(new MeanFactory().create(
        model().initialWeights().trainableType(), TensorType.FLOAT32)));
    Computation next = Computation.deserialize(measured.next().serialize());
    assertThat(next.call(measured.initialize().call(), clients(2)))
        .isEqualTo(measured.next().call(measured.initialize().call(), clients(2)));
  }

  @Test
  void valuesOfUnknownSizeCannotBeCounted() {
    assertThatThrownBy(() -> Communication.bits(TensorType.of(DType.FLOAT32, TensorType.UNKNOWN)))
        .hasMessage("communication accounting needs tensors of known shapes and fixed-size dtypes, found float32[?]");
    assertThat(Communication.bits(StructType.of(TensorType.of(DType.FLOAT32, 3, 2), TensorType.INT64)))
        .isEqualTo(6 * 32 + 64);
  }
}
