package dev.cohort.simulation.datasets;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.tensor.DType;
import java.util.Objects;

/**
 * How a LEAF JSON example becomes a Cohort element: the element type, a struct of two tensors, and which of its
 * elements is LEAF's {@code x} and which its {@code y}. A tensor of rank 0 is read from a JSON scalar (a number, a
 * string for {@code str}, {@code true}/{@code false} for {@code bool}); a tensor of rank {@code r >= 1} from an array
 * nested at most {@code r} deep holding exactly as many scalars as the shape has elements, in row-major order (so
 * FEMNIST's flat 784 numbers fill {@code float32[28,28]}). Numbers are parsed as JSON (double) and rounded to float32
 * as Python's {@code np.float32(json.load(...))} does.
 *
 * @param elementType the struct type of one example; both tensor types fully known
 * @param x the element that LEAF's {@code x} fills
 * @param y the element that LEAF's {@code y} fills
 */
public record LeafFeatures(StructType elementType, String x, String y) {
  /**
   * FEMNIST as TFF's federated EMNIST types it: {@code <label=int32,pixels=float32[28,28]>}, {@code pixels} from
   * {@code x} (1.0 is the white background, 0.0 ink; LEAF and TFF share this convention) and {@code label} (0..61:
   * digits, then upper-case, then lower-case letters) from {@code y}.
   */
  public static final LeafFeatures FEMNIST = new LeafFeatures(
      StructType.named("label", TensorType.INT32, "pixels", TensorType.of(DType.FLOAT32, 28, 28)), "pixels", "label");

  /**
   * Checks that the element type has exactly the two named elements, each a tensor with a fully known shape.
   *
   * @throws IllegalArgumentException naming what does not fit
   */
  public LeafFeatures {
    Objects.requireNonNull(elementType, "elementType");
    if (elementType.size() != 2 || Objects.equals(x, y) || elementType.indexOf(x) < 0
        || elementType.indexOf(y) < 0) {
      throw new IllegalArgumentException("LEAF features: the element type " + elementType + " must have exactly "
          + "the two elements x='" + x + "' and y='" + y + "'");
    }
    for (String name : new String[] {x, y}) {
      if (!(elementType.type(elementType.indexOf(name)) instanceof TensorType t) || !t.isFullyDefined()) {
        throw new IllegalArgumentException("LEAF features: element '" + name + "' of " + elementType
            + " must be a tensor with a fully known shape");
      }
    }
  }

  /** The tensor type of the element LEAF's {@code x} fills. */
  public TensorType xType() {
    return (TensorType) elementType.type(elementType.indexOf(x));
  }

  /** The tensor type of the element LEAF's {@code y} fills. */
  public TensorType yType() {
    return (TensorType) elementType.type(elementType.indexOf(y));
  }
}
