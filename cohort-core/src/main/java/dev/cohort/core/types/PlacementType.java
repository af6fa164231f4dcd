package dev.cohort.core.types;

import java.util.List;

/** The type of a placement literal ({@link Placement#SERVER} or {@link Placement#CLIENTS}); prints {@code placement}. */
public record PlacementType() implements Type {
  /** The placement type (all instances are equal). */
  public static final PlacementType INSTANCE = new PlacementType();

  @Override
  public boolean isAssignableFrom(Type source) {
    return source instanceof PlacementType;
  }

  @Override
  public List<Type> children() {
    return List.of();
  }

  @Override
  public String toString() {
    return "placement";
  }
}
