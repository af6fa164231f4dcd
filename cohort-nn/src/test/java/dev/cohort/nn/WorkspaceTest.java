package dev.cohort.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Workspace}: tapes that reuse the previous step's arrays compute the same bits as tapes that allocate. */
class WorkspaceTest {
  /** Batches of varying sizes, as a client's short last batch and the next client's full ones make them. */
  private static final int[] BATCHES = {6, 6, 3, 6, 6, 1, 6, 4, 6};

  /**
   * A CNN that takes every path the workspace serves: a Winograd convolution (5x5, 32 -> 32) and an im2col one,
   * both with bias and ReLU, max pooling, a sigmoid dense layer (the non-ReLU gradient) and the fused loss.
   */
  private static Sequential cnn() {
    return Sequential.builder(Shape.of(8, 8, 1)).seed(5)
        .add(Layers.conv2d(32, 3).withPadding(dev.cohort.tensor.Padding.SAME).withActivation(Activation.RELU))
        .add(Layers.conv2d(32, 5).withPadding(dev.cohort.tensor.Padding.SAME).withActivation(Activation.RELU))
        .add(Layers.maxPool2d(2)).add(Layers.flatten()).add(Layers.dense(12, Activation.SIGMOID))
        .add(Layers.dense(4)).build();
  }

  /** Losses, predictions and weights of SGD steps over {@link #BATCHES}; every third step keeps the gradients. */
  private static List<float[]> train(Sequential net, Workspace workspace) {
    List<float[]> seen = new ArrayList<>();
    for (int step = 0; step < BATCHES.length; step++) {
      int n = BATCHES[step];
      Tensor x = RandomStream.of(step).normal(Shape.of(n, 8, 8, 1), 0f, 1f);
      int[] y = new int[n];
      for (int i = 0; i < n; i++) {
        y[i] = (i * 7 + step) % 4;
      }
      Tape tape = workspace == null ? new Tape() : new Tape(workspace);
      Variable logits = net.call(tape.constant(x), new ForwardPass(tape, true, null));
      Variable loss = Losses.sparseSoftmaxCrossEntropy(logits, Tensor.wrap(y, Shape.of(n)));
      seen.add(logits.value().floatData().clone()); // read before the next tape reuses the array
      seen.add(loss.value().floatData().clone());
      if (step % 3 == 2) {
        tape.backward(loss);
        for (Parameter p : net.trainableParameters()) {
          seen.add(p.grad().floatData().clone());
        }
      } else {
        tape.backward(loss, 0.1f);
      }
    }
    for (Parameter p : net.trainableParameters()) {
      seen.add(p.value().floatData().clone());
    }
    return seen;
  }

  @Test
  void stepsOnAWorkspaceMatchFreshTapesToTheBit() {
    List<float[]> fresh = train(cnn(), null);
    List<float[]> reused = train(cnn(), new Workspace());
    assertThat(reused).hasSameSizeAs(fresh);
    for (int i = 0; i < fresh.size(); i++) {
      assertThat(reused.get(i)).as("array %s", i).isEqualTo(fresh.get(i));
    }
  }

  @Test
  void aStepReusesTheArraysOfTheStepBefore() {
    Workspace ws = new Workspace();
    Sequential net = cnn();
    Tensor x = RandomStream.of(1).normal(Shape.of(6, 8, 8, 1), 0f, 1f);
    float[][] outputs = new float[3][];
    for (int step = 0; step < 3; step++) {
      Tape tape = new Tape(ws);
      outputs[step] = net.call(tape.constant(x), new ForwardPass(tape, false, null)).value().floatData();
    }
    assertThat(outputs[1]).isSameAs(outputs[0]);
    assertThat(outputs[2]).isSameAs(outputs[0]);
    Tape fresh = new Tape();
    assertThat(net.call(fresh.constant(x), new ForwardPass(fresh, false, null)).value().floatData()).isNotSameAs(outputs[0]);
  }

  @Test
  void arraysComeBackZeroedOrAsTheyWereAndUnusedLengthsAreDropped() {
    Workspace ws = new Workspace();
    new Tape(ws);
    float[] a = ws.floats(100, true);
    float[] b = ws.floats(100, false); // a second array of the same length in the same step
    int[] idx = ws.ints(100);
    assertThat(b).isNotSameAs(a);
    java.util.Arrays.fill(a, 3f);
    java.util.Arrays.fill(b, 4f);
    new Tape(ws);
    assertThat(ws.floats(100, true)).isSameAs(a).containsOnly(0f);
    assertThat(ws.floats(100, false)).isSameAs(b).containsOnly(4f);
    assertThat(ws.ints(100)).isSameAs(idx);
    new Tape(ws); // length 100 unused in this step and the next: dropped
    new Tape(ws);
    new Tape(ws);
    assertThat(ws.floats(100, false)).isNotSameAs(a).isNotSameAs(b).containsOnly(0f);
  }

  @Test
  void aNullWorkspaceIsRejected() {
    assertThatThrownBy(() -> new Tape(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("workspace must not be null");
  }
}
