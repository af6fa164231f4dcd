package dev.cohort.learning.templates;

import dev.cohort.core.Computation;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;

/** The type checks the measured processes of this package share; messages name the process, the part and the type. */
final class Processes {
  private Processes() {}

  /** {@code initialize} must be {@code ( -> S@SERVER)}; returns {@code S@SERVER}. */
  static FederatedType initialState(String process, Computation initialize) {
    Type r = initialize.typeSignature().result();
    if (initialize.typeSignature().parameter() != null || !(r instanceof FederatedType f)
        || f.placement() != Placement.SERVER) {
      throw new IllegalArgumentException(process + ": initialize must be ( -> S@SERVER), found "
          + initialize.typeSignature());
    }
    return f;
  }

  /**
   * {@code next} must take {@code <state=...,names...>} with the state accepting {@code state} and return
   * {@code <state=...,result=...,measurements=M@SERVER>}; returns the result struct type.
   */
  static StructType next(String process, Computation next, FederatedType state, String... names) {
    Type p = next.typeSignature().parameter();
    if (!(p instanceof StructType ps) || ps.size() != names.length + 1 || !ps.type(0).isAssignableFrom(state)) {
      throw new IllegalArgumentException(process + ": next must take <" + state + "," + String.join(",", names)
          + ">, found " + next.typeSignature());
    }
    Type r = next.typeSignature().result();
    if (!(r instanceof StructType rs) || rs.size() != 3 || !"state".equals(rs.name(0)) || !"result".equals(rs.name(1))
        || !"measurements".equals(rs.name(2)) || !(rs.type(2) instanceof FederatedType m)
        || m.placement() != Placement.SERVER || !state.isAssignableFrom(rs.type(0))) {
      throw new IllegalArgumentException(process + ": next must return <state=" + state
          + ",result=...,measurements=M@SERVER>, found " + next.typeSignature());
    }
    return rs;
  }
}
