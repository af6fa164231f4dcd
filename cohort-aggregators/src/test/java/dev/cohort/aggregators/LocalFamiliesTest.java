package dev.cohort.aggregators;

import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.ast.LocalRegistry;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The module's local families, as a loader meets them: defined by {@link AggregationProcess#defineLocalFamilies}
 * alone, they build their function at the types and parameters their factories use, and reject another type or
 * other parameters with a precise error (what a corrupt or foreign file would carry).
 */
class LocalFamiliesTest {
  private static final Struct L2 = Struct.named("norm_order", Tensor.scalar("l2"));

  @Test
  void aFamilyBuildsItsMemberFromTheTypeAndParametersAlone() throws Exception {
    AggregationProcess.defineLocalFamilies();
    FunctionType clip = new FunctionType(StructType.named("value", FLOAT32, "norm", FLOAT32),
        StructType.named("value", FLOAT32, "norm", FLOAT32, "flag", INT32));
    Struct out = (Struct) LocalRegistry.resolve("aggregators.clip", clip, L2)
        .apply(Struct.named("value", Tensor.scalar(-4f), "norm", Tensor.scalar(2f)));
    assertThat(((Tensor) out.get("value")).floatValue()).isEqualTo(-2f);
    assertThat(((Tensor) out.get("flag")).intValue()).isEqualTo(1);
  }

  @Test
  void anotherTypeOrOtherParametersAreRejectedPrecisely() {
    AggregationProcess.defineLocalFamilies();
    FunctionType clip = new FunctionType(StructType.named("value", FLOAT32, "norm", FLOAT32),
        StructType.named("value", FLOAT32, "norm", FLOAT32, "flag", INT32));
    assertThatThrownBy(() -> LocalRegistry.resolve("aggregators.clip", new FunctionType(FLOAT32, FLOAT32), L2))
        .isInstanceOf(TypeMismatchException.class)
        .hasMessageContaining("not a member type of the family aggregators.clip");
    assertThatThrownBy(() -> LocalRegistry.resolve("aggregators.clip", new FunctionType(clip.parameter(), FLOAT32),
        L2)).isInstanceOf(TypeMismatchException.class)
        .hasMessageContaining("expected (<value=float32,norm=float32> -> <value=float32,norm=float32,flag=int32>)");
    assertThatThrownBy(() -> LocalRegistry.resolve("aggregators.clip", clip,
        Struct.named("norm_order", Tensor.scalar("l3")))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected the parameters <norm_order=one of [l1, l2, linf]>");
    FunctionType wrap = new FunctionType(INT32, INT32);
    assertThatThrownBy(() -> LocalRegistry.resolve("aggregators.modular_clip", wrap,
        Struct.named("lower", Tensor.scalar(3), "upper", Tensor.scalar(3L))))
        .hasMessageContaining("expected the parameters <lower=int32,upper=int32>");
    assertThatThrownBy(() -> LocalRegistry.resolve("aggregators.modular_clip", wrap,
        Struct.named("lower", Tensor.scalar(3), "upper", Tensor.scalar(3))))
        .hasMessageContaining("expected lower < upper");
  }
}
