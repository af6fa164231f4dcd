package dev.cohort.aggregators;

import dev.cohort.core.Computation;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;

/** The checks {@link AggregationProcess} and {@link EstimationProcess} share; messages name the process kind. */
final class Contract {
  private Contract() {}

  static FederatedType initialState(String kind, Computation initialize) {
    FunctionType t = initialize.typeSignature();
    if (t.parameter() != null) {
      throw new IllegalArgumentException(kind + ": initialize must take no parameter, found " + t);
    }
    if (!(t.result() instanceof FederatedType f) || f.placement() != Placement.SERVER) {
      throw new IllegalArgumentException(kind + ": initialize must return the state placed at SERVER, found "
          + t.result() + (t.result() instanceof StructType ? " (zip a struct of SERVER values with federatedZip)"
          : ""));
    }
    return f;
  }

  static StructType nextParameter(String kind, Computation next, int min, int max, String expected) {
    FunctionType t = next.typeSignature();
    if (!(t.parameter() instanceof StructType p) || p.size() < min || p.size() > max) {
      throw new IllegalArgumentException(kind + ": next must take " + expected + ", found " + t);
    }
    for (int i = 0; i < p.size(); i++) {
      if (!(p.type(i) instanceof FederatedType)) {
        throw new IllegalArgumentException(kind + ": next must take federated arguments, but argument " + i
            + " has type " + p.type(i) + " (next: " + t + ")");
      }
    }
    return p;
  }

  static void stateAccepted(String kind, Computation next, StructType parameter, FederatedType state) {
    if (!parameter.type(0).isAssignableFrom(state)) {
      throw new IllegalArgumentException(kind + ": the state " + state + " returned by initialize is not"
          + " assignable to the first argument of next, " + parameter.type(0) + " (next: " + next.typeSignature()
          + ")");
    }
  }

  static void stateReturned(String kind, Computation next, StructType parameter, Type returned) {
    if (!parameter.type(0).isAssignableFrom(returned)) {
      throw new IllegalArgumentException(kind + ": the state " + returned + " returned by next is not assignable"
          + " to its first argument, " + parameter.type(0) + " (next: " + next.typeSignature() + ")");
    }
  }

  static void placedAt(String kind, Computation next, StructType struct, int index, String role,
      Placement placement) {
    Type t = struct.type(index);
    if (!(t instanceof FederatedType f) || f.placement() != placement) {
      throw new IllegalArgumentException(kind + ": the " + role + " of next must be placed at " + placement
          + ", found " + t + " (next: " + next.typeSignature() + ")");
    }
  }
}
