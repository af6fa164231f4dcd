package dev.cohort.core.types;

/**
 * Where the members of a federated value live: at the single {@link #SERVER} or at the group of
 * {@link #CLIENTS}. {@link #toString()} prints TFF's literal ({@code SERVER}, {@code CLIENTS}); {@link #uri()} is
 * the name used in serialized computations ({@code server}, {@code clients}).
 */
public enum Placement {
  /** The coordinating server: one member, so values placed here are always all-equal. */
  SERVER("server", true),
  /** The group of participating clients: one member per client, not all-equal unless stated. */
  CLIENTS("clients", false);

  private final String uri;
  private final boolean defaultAllEqual;

  Placement(String uri, boolean defaultAllEqual) {
    this.uri = uri;
    this.defaultAllEqual = defaultAllEqual;
  }

  /** The serialized name: {@code server} or {@code clients}. */
  public String uri() {
    return uri;
  }

  /** Whether a {@link FederatedType} at this placement is all-equal when not stated (SERVER yes, CLIENTS no). */
  public boolean defaultAllEqual() {
    return defaultAllEqual;
  }

  /** The placement whose {@link #uri()} is {@code uri}. */
  public static Placement fromUri(String uri) {
    for (Placement p : values()) {
      if (p.uri.equals(uri)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown placement uri '" + uri + "'; expected 'server' or 'clients'");
  }
}
