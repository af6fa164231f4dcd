package dev.cohort.nn;

import dev.cohort.tensor.Shape;
import java.util.List;

/**
 * A built layer: named parameters and a forward function. Shapes exclude the batch dimension. Layers are
 * created from a {@link LayerSpec} by {@link Sequential.Builder}, which knows the input shape.
 */
public interface Layer {
  /** The unique name within its model, e.g. {@code dense_1}. */
  String name();

  /** Output shape for one example. */
  Shape outputShape();

  /** Parameters, trainable first, in a stable order. */
  List<Parameter> parameters();

  /** Applies the layer to a batch {@code x} (batch dimension first). */
  Variable call(Variable x, ForwardPass pass);
}
