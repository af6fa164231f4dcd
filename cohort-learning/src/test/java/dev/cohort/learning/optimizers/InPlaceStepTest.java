package dev.cohort.learning.optimizers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.values.Struct;
import dev.cohort.learning.Nest;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class InPlaceStepTest {
  private static Struct weights(long seed) {
    RandomStream rng = RandomStream.of(seed);
    return Struct.of(rng.uniform(Shape.of(7, 3), -1, 1), rng.uniform(Shape.of(3), -1, 1));
  }

  private static List<float[]> data(Object s) {
    return Nest.flatten(s).stream().map(Tensor::floatData).toList();
  }

  @Test
  void plainSgdWritesTheSameBitsAsNextIntoTheGivenArrays() {
    Optimizer sgd = Optimizer.sgdm(0.05);
    Struct gradients = weights(2);
    Struct pure = weights(1);
    Struct owned = weights(1);
    Struct state = sgd.initialize(Nest.typeOf(pure));
    for (int step = 0; step < 3; step++) {
      pure = (Struct) sgd.next(state, pure, gradients).weights();
      List<float[]> before = data(owned);
      Optimizer.Step s = sgd.nextInPlace(state, owned, gradients);
      assertThat(data(s.weights())).containsExactlyElementsOf(before); // the same arrays, overwritten
      owned = (Struct) s.weights();
      for (int k = 0; k < 2; k++) {
        assertThat(data(owned).get(k)).isEqualTo(data(pure).get(k));
      }
    }
    // next left its input alone: the first step's input is the untouched initial draw
    Struct initial = weights(1);
    sgd.next(state, initial, gradients);
    assertThat(data(initial).get(0)).isEqualTo(data(weights(1)).get(0));
  }

  @Test
  void otherOptimizersStepInPlaceAsTheyStepPurely() {
    for (Optimizer o : List.of(Optimizer.sgdm(0.05, 0.9), Optimizer.adam(0.01), Optimizer.adagrad(0.1))) {
      Struct w = weights(3);
      Struct g = weights(4);
      Struct state = o.initialize(Nest.typeOf(w));
      Optimizer.Step pure = o.next(state, w, g);
      Optimizer.Step inPlace = o.nextInPlace(state, weights(3), g);
      for (int k = 0; k < 2; k++) {
        assertThat(data(inPlace.weights()).get(k)).as("%s", o).isEqualTo(data(pure.weights()).get(k));
      }
      assertThat(data(w).get(0)).isEqualTo(data(weights(3)).get(0));
    }
  }
}
