package dev.cohort.core.values;

import dev.cohort.core.types.Placement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * The runtime value of a {@link dev.cohort.core.types.FederatedType}: one member per client, or one value shared by all locations
 * (all-equal; always the case at {@link Placement#SERVER}).
 *
 * <p>A CLIENTS value may be <em>lazy</em> ({@link #atClients(int, IntFunction)}): member {@code i} is produced on
 * demand, possibly on a worker thread and possibly more than once, so that a million-client input never sits in
 * memory at once. The member function must be thread-safe and return equal members for equal indices.
 *
 * <p>{@link #toString()} prints a materialized CLIENTS value like TFF prints the Python list it returns
 * ({@code [1.5, 3.5, 2.5]}) and an all-equal value as its member.
 */
public final class FederatedValue {
  private final Placement placement;
  private final boolean allEqual;
  private final Object value;
  private final int size;
  private final IntFunction<?> members;
  private final List<?> list;
  private final String origin;

  private FederatedValue(Placement placement, boolean allEqual, Object value, int size, IntFunction<?> members,
      List<?> list, String origin) {
    this.placement = placement;
    this.allEqual = allEqual;
    this.value = value;
    this.size = size;
    this.members = members;
    this.list = list;
    this.origin = origin;
  }

  /** {@code value} at the server. */
  public static FederatedValue atServer(Object value) {
    return new FederatedValue(Placement.SERVER, true, Objects.requireNonNull(value, "value"), -1, null, null, null);
  }

  /** One value for all clients (type {@code T@CLIENTS}). */
  public static FederatedValue allEqualAtClients(Object value) {
    return new FederatedValue(Placement.CLIENTS, true, Objects.requireNonNull(value, "value"), -1, null, null, null);
  }

  /** One member per client, in client order (a copy of {@code members}). */
  public static FederatedValue atClients(List<?> members) {
    List<Object> copy = new ArrayList<>(members.size());
    for (int i = 0; i < members.size(); i++) {
      copy.add(Objects.requireNonNull(members.get(i), "member of client " + i));
    }
    List<Object> l = Collections.unmodifiableList(copy);
    return new FederatedValue(Placement.CLIENTS, false, null, l.size(), l::get, l, null);
  }

  /**
   * A lazy CLIENTS value of {@code clients} members; member {@code i} is {@code memberAt.apply(i)}, computed on
   * demand (possibly concurrently and more than once).
   */
  public static FederatedValue atClients(int clients, IntFunction<?> memberAt) {
    return atClients(null, clients, memberAt);
  }

  /**
   * As {@link #atClients(int, IntFunction)}, naming what produces the members (e.g. the intrinsic
   * {@code federated_map}, or an argument): a failure while they are computed is reported against {@code origin}.
   */
  public static FederatedValue atClients(String origin, int clients, IntFunction<?> memberAt) {
    if (clients < 0) {
      throw new IllegalArgumentException("clients (" + clients + ") must be >= 0");
    }
    return new FederatedValue(Placement.CLIENTS, false, null, clients, Objects.requireNonNull(memberAt, "memberAt"),
        null, origin);
  }

  /** Where the members live. */
  public Placement placement() {
    return placement;
  }

  /** What produces the members of a lazy value, for failure messages; null if not named. */
  public String origin() {
    return origin;
  }

  /** Whether one value is shared by all locations. */
  public boolean isAllEqual() {
    return allEqual;
  }

  /** Whether the members are held in memory (a list or a single all-equal value) rather than produced on demand. */
  public boolean isMaterialized() {
    return allEqual || list != null;
  }

  /**
   * The number of clients.
   *
   * @throws IllegalStateException for an all-equal value, whose number of locations is not part of it
   */
  public int size() {
    if (allEqual) {
      throw new IllegalStateException("an all-equal " + placement + " value has no client count of its own");
    }
    return size;
  }

  /**
   * The shared value of an all-equal value.
   *
   * @throws IllegalStateException if this value has one member per client
   */
  public Object value() {
    if (!allEqual) {
      throw new IllegalStateException("a CLIENTS value with one member per client has no single value; use member(i)");
    }
    return value;
  }

  /** The member of client {@code i} (the shared value if all-equal). */
  public Object member(int i) {
    if (allEqual) {
      return value;
    }
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("client index (" + i + ") must be less than the number of clients (" + size
          + ")");
    }
    return Objects.requireNonNull(members.apply(i), "member of client " + i);
  }

  /** All members in client order, computed now on this thread if lazy; an all-equal value gives a one-element list. */
  public List<Object> members() {
    if (allEqual) {
      return List.of(value);
    }
    List<Object> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(member(i));
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof FederatedValue f) || f.placement != placement || f.allEqual != allEqual) {
      return false;
    }
    return allEqual ? value.equals(f.value) : members().equals(f.members());
  }

  @Override
  public int hashCode() {
    return Objects.hash(placement, allEqual, allEqual ? value : members());
  }

  @Override
  public String toString() {
    if (allEqual) {
      return String.valueOf(value);
    }
    if (list == null) {
      return "{" + size + " clients, lazy}@CLIENTS";
    }
    return list.toString();
  }
}
