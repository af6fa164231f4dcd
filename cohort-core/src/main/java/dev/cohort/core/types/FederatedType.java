package dev.cohort.core.types;

import java.util.List;
import java.util.Objects;

/**
 * The type of a federated value: a member type placed at {@link Placement#SERVER} or {@link Placement#CLIENTS},
 * with a flag saying whether all members are equal. Notation: {@code {T}@CLIENTS} (one value per client),
 * {@code T@CLIENTS} (all-equal at clients, e.g. a broadcast), {@code T@SERVER}.
 *
 * <p>The member may not contain federated or function types.
 *
 * @param member the type of each member
 * @param placement where the members live
 * @param allEqual whether all members are equal
 */
public record FederatedType(Type member, Placement placement, boolean allEqual) implements Type {
  /** Rejects members containing federated or function types. */
  public FederatedType {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(placement, "placement");
    if (TypeAnalysis.contains(member, t -> t instanceof FederatedType || t instanceof FunctionType)) {
      throw new TypeMismatchException("a federated member may not contain federated or function types, found member"
          + " type " + member, null, member);
    }
  }

  /** {@code member} at {@code placement} with the placement's default all-equal flag. */
  public static FederatedType of(Type member, Placement placement) {
    return new FederatedType(member, placement, placement.defaultAllEqual());
  }

  /** {@code {member}@CLIENTS}. */
  public static FederatedType atClients(Type member) {
    return new FederatedType(member, Placement.CLIENTS, false);
  }

  /** {@code {member}@CLIENTS}, or {@code member@CLIENTS} when {@code allEqual}. */
  public static FederatedType atClients(Type member, boolean allEqual) {
    return new FederatedType(member, Placement.CLIENTS, allEqual);
  }

  /** {@code member@SERVER}. */
  public static FederatedType atServer(Type member) {
    return new FederatedType(member, Placement.SERVER, true);
  }

  @Override
  public boolean isAssignableFrom(Type source) {
    return source instanceof FederatedType f
        && f.placement == placement
        && (!allEqual || f.allEqual)
        && member.isAssignableFrom(f.member);
  }

  @Override
  public List<Type> children() {
    return List.of(member);
  }

  @Override
  public String toString() {
    return TypePrinter.print(this, false);
  }
}
