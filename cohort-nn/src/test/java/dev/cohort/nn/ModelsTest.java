package dev.cohort.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ModelsTest {

  @Test
  void emnistCnnHasTffsLayersAndParameterCounts() {
    Sequential cnn = Models.emnistCnn(false, 0);
    // 5*5*1*32+32 + 5*5*32*64+64 + 3136*512+512 + 512*62+62, the count Keras reports for TFF's CNN.
    assertThat(cnn.parameterCount()).isEqualTo(1_690_046);
    assertThat(cnn.layers().stream().map(Layer::name).toList())
        .containsExactly("conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1", "flatten", "dense", "dense_1");
    assertThat(cnn.parameters().stream().map(Parameter::name).toList()).containsExactly(
        "conv2d/kernel", "conv2d/bias", "conv2d_1/kernel", "conv2d_1/bias", "dense/kernel", "dense/bias",
        "dense_1/kernel", "dense_1/bias");
    assertThat(cnn.outputShape()).isEqualTo(Shape.of(62));
    assertThat(cnn.summary()).contains("conv2d_1                 [?, 14, 14, 64]           51264")
        .contains("Total params: 1690046");
    // only_digits=True: tff.md's computed 1,663,370 (the last layer 512*10+10).
    Sequential digits = Models.emnistCnn(true, 0);
    assertThat(digits.parameterCount()).isEqualTo(1_663_370);
    assertThat(digits.outputShape()).isEqualTo(Shape.of(10));
    assertThat(digits.predict(Tensor.zeros(3, 28, 28, 1)).shape()).isEqualTo(Shape.of(3, 10));
  }

  @Test
  void emnistCnnWeightsDependOnlyOnTheSeed() {
    assertThat(Models.emnistCnn(true, 5).weights()).isEqualTo(Models.emnistCnn(true, 5).weights());
    assertThat(Models.emnistCnn(true, 5).weights().get("conv2d/kernel"))
        .isNotEqualTo(Models.emnistCnn(true, 6).weights().get("conv2d/kernel"));
    assertThat(Models.emnistCnn(true, 5).weights().get("dense/bias").norm().floatValue()).isZero();
  }
}
