package dev.cohort.nn;

import static dev.cohort.tensor.internal.Checks.checkArgument;

import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;

/**
 * A named float32 model weight with a persistent gradient buffer of the same shape.
 *
 * <p>The value is mutable in place (optimizers update it); {@link #set(Tensor)} copies new values in.
 * {@link Tape#backward} overwrites the gradient buffer of every parameter the loss depends on. Because the
 * gradient lives here, a parameter (and the model holding it) belongs to one thread at a time.
 */
public final class Parameter {
  private final String name;
  private final Tensor value;
  private final Tensor grad;
  private final boolean trainable;

  /** A parameter named {@code name} (a path such as {@code dense/kernel}) holding {@code initial}. */
  public Parameter(String name, Tensor initial, boolean trainable) {
    checkArgument(name != null && !name.isEmpty(), "parameter name must be non-empty");
    checkArgument(initial.dtype() == DType.FLOAT32, "parameter %s: dtype %s, expected float32", name, initial.dtype());
    this.name = name;
    this.value = initial.copy();
    this.grad = Tensor.zeros(DType.FLOAT32, initial.shape());
    this.trainable = trainable;
  }

  /** The path name, e.g. {@code conv2d_1/kernel}. */
  public String name() {
    return name;
  }

  /** The live value (updates in place are visible to the model). */
  public Tensor value() {
    return value;
  }

  /** The live gradient buffer, valid after a {@link Tape#backward} that reached this parameter. */
  public Tensor grad() {
    return grad;
  }

  /** The shape. */
  public Shape shape() {
    return value.shape();
  }

  /** False for non-trainable state (e.g. statistics); such parameters get no gradient. */
  public boolean trainable() {
    return trainable;
  }

  /** Copies {@code newValue} into this parameter; shapes must match. */
  public void set(Tensor newValue) {
    checkArgument(newValue.dtype() == DType.FLOAT32 && newValue.shape().equals(value.shape()),
        "parameter %s: cannot set %s%s, expected float32%s", name, newValue.dtype(), newValue.shape(), value.shape());
    System.arraycopy(newValue.floatData(), 0, value.floatData(), 0, value.size());
  }

  @Override
  public String toString() {
    return name + value.shape();
  }
}
