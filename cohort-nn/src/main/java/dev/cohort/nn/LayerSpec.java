package dev.cohort.nn;

import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;

/**
 * The configuration of a layer, built into a {@link Layer} once its input shape is known. The built-in specs
 * are created by the static factories of {@link Layers}.
 */
public interface LayerSpec {
  /** The Keras-style base name ({@code dense}); the builder makes it unique ({@code dense_1}). */
  String kind();

  /**
   * Builds the layer for per-example input shape {@code input}, named {@code name}, drawing initial values from
   * {@code init}; {@code index} is the layer's position in its model (it keys the layer's random numbers).
   */
  Layer build(Shape input, String name, int index, RandomStream init);
}
