package dev.cohort.aggregators;

import static dev.cohort.aggregators.Rounds.result;
import static dev.cohort.aggregators.Rounds.server;
import static dev.cohort.core.types.TensorType.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** TFF's SecureModularSumFactoryExecutionTest cases (aggregators/secure_test.py). */
class SecureModularSumFactoryTest {

  private static List<Integer> ints(String spaced) {
    return java.util.Arrays.stream(spaced.trim().split(" +")).map(Integer::valueOf).toList();
  }

  @ParameterizedTest
  @CsvSource({"2, 0 1, 1", "2, 0 1 1, 0", "2, 0 1 1 1, 1", "8, 1 2 3, 6", "8, 1 2 3 4, 2", "22, 22, 0",
      "22, 220, 0", "22, -1 7, 6", "4, 1 3 6, 2"})
  void nonSymmetric(long modulus, String data, int expected) {
    assertThat(result(new Rounds(new SecureModularSumFactory(modulus).create(INT32)).next(ints(data))))
        .isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"2, 0 1, 1", "2, 0 1 1, -1", "2, 0 1 1 1, 0", "2, 0 -1, -1", "2, 0 -1 -1, 1", "2, 0 -1 -1 -1, 0",
      "8, 1 2 3, 6", "8, 1 2 3 4, -5", "8, -1 -2 -3 -4, 5", "22, 22, -21", "22, -22, 21", "22, 215, 0",
      "22, 112 123, 20", "4, 1 3 6, 3"})
  void symmetric(long modulus, String data, int expected) {
    assertThat(result(new Rounds(new SecureModularSumFactory(modulus, true).create(INT32)).next(ints(data))))
        .isEqualTo(expected);
  }

  @Test
  void structures() {
    StructType type = StructType.of(TensorType.of(DType.INT32, 2), INT32);
    Struct out = new Rounds(new SecureModularSumFactory(8).create(type)).next(List.of(
        List.of(Tensor.ofInts(new int[] {1, 2}, 2), Tensor.scalar(3)),
        List.of(Tensor.ofInts(new int[] {4, 5}, 2), Tensor.scalar(6))));
    Struct result = (Struct) server(out.get("result"));
    assertThat(((Tensor) result.get(0)).intData()).containsExactly(5, 7);
    assertThat(((Tensor) result.get(1)).intValue()).isEqualTo(1);
  }

  @Test
  void badModulusOrTypeFailsWhenBuilt() {
    assertThatThrownBy(() -> new SecureModularSumFactory(0)).hasMessage(
        "SecureModularSumFactory: modulus (0) must be positive");
    assertThatThrownBy(() -> new SecureModularSumFactory(8).create(TensorType.FLOAT32))
        .hasMessageContaining("the value type must be an integer tensor type");
    assertThatThrownBy(() -> new SecureModularSumFactory(1L << 40).create(INT32))
        .hasMessageContaining("does not fit the int32 tensors of int32");
  }
}
