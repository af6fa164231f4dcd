package dev.cohort.simulation.datasets;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.tensor.DType;
import java.util.Objects;

/**
 * How a {@code tf.train.Example} becomes a Cohort element: the element type, a struct of tensors with fully known
 * shapes, each filled from the feature of its name: {@code float32} from a {@code float_list}, {@code int32} and
 * {@code int64} from an {@code int64_list} ({@code int32} checked to fit, as TFF casts EMNIST's label), {@code str}
 * from a {@code bytes_list} (UTF-8), {@code bool} from an {@code int64_list} of 0s and 1s; the list must hold exactly
 * as many values as the tensor. Features of the Example that the type does not name are ignored.
 *
 * @param elementType the struct type of one example
 */
public record ExampleSpec(StructType elementType) {
  /** TFF's federated EMNIST: {@code <label=int32,pixels=float32[28,28]>}. */
  public static final ExampleSpec EMNIST = new ExampleSpec(
      StructType.named("label", TensorType.INT32, "pixels", TensorType.of(DType.FLOAT32, 28, 28)));

  /** TFF's Shakespeare: {@code <snippets=str>}. */
  public static final ExampleSpec SHAKESPEARE = new ExampleSpec(StructType.named("snippets", TensorType.STRING));

  /** TFF's StackOverflow text features: {@code <tags=str,title=str,tokens=str>}. */
  public static final ExampleSpec STACKOVERFLOW = new ExampleSpec(StructType.named("tags", TensorType.STRING,
      "title", TensorType.STRING, "tokens", TensorType.STRING));

  /**
   * Checks that every element is named and a tensor with a fully known shape.
   *
   * @throws IllegalArgumentException naming the element that is not
   */
  public ExampleSpec {
    Objects.requireNonNull(elementType, "elementType");
    for (int i = 0; i < elementType.size(); i++) {
      if (elementType.name(i) == null || !(elementType.type(i) instanceof TensorType t) || !t.isFullyDefined()) {
        throw new IllegalArgumentException("ExampleSpec: element " + i + " of " + elementType
            + " must be a named tensor with a fully known shape");
      }
    }
  }
}
