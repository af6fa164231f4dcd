package dev.cohort.learning.models;

import dev.cohort.core.types.StructType;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.Nest;
import java.util.Objects;

/**
 * A model's weights, TFF's {@code ModelWeights(trainable, non_trainable)}: two structures of float32 tensors, each an
 * unnamed struct in the model's parameter order. As a Cohort value it is the struct
 * {@code <trainable=<...>,non_trainable=<...>>}, e.g. {@code <trainable=<float32[784,10],float32[10]>,non_trainable=<>>}.
 *
 * @param trainable the weights optimizers change
 * @param nonTrainable the rest (e.g. statistics)
 */
public record ModelWeights(Struct trainable, Struct nonTrainable) {
  /** Rejects null parts and parts that are not structures of tensors. */
  public ModelWeights {
    Objects.requireNonNull(trainable, "trainable");
    Objects.requireNonNull(nonTrainable, "nonTrainable");
    Nest.flatten(trainable);
    Nest.flatten(nonTrainable);
  }

  /** The Cohort value {@code <trainable=...,non_trainable=...>}. */
  public Struct toValue() {
    return Struct.named("trainable", trainable, "non_trainable", nonTrainable);
  }

  /**
   * The weights in a value of {@link #type()}'s form.
   *
   * @throws IllegalArgumentException if {@code value} is not a struct named {@code trainable}, {@code non_trainable}
   */
  public static ModelWeights fromValue(Object value) {
    if (!(value instanceof Struct s) || s.size() != 2 || !"trainable".equals(s.name(0))
        || !"non_trainable".equals(s.name(1)) || !(s.get(0) instanceof Struct t) || !(s.get(1) instanceof Struct n)) {
      throw new IllegalArgumentException("model weights must be a struct <trainable=<...>,non_trainable=<...>>, found "
          + dev.cohort.core.Values.describe(value));
    }
    return new ModelWeights(t, n);
  }

  /** The Cohort type, {@code <trainable=<...>,non_trainable=<...>>}. */
  public StructType type() {
    return (StructType) Nest.typeOf(toValue());
  }

  /** The type of {@code trainable}. */
  public StructType trainableType() {
    return (StructType) Nest.typeOf(trainable);
  }
}
