package dev.cohort.core.runtime;

/**
 * A client's work failed: carries the stage (the intrinsic that ran the work), the client's index and the number of
 * clients, with the client's exception as the cause. The whole call fails; no partial result is returned.
 */
public final class ClientFailureException extends RuntimeException {
  private final String stage;
  private final int client;
  private final int clients;

  /** A failure of client {@code client} of {@code clients} during {@code stage}. */
  public ClientFailureException(String stage, int client, int clients, Throwable cause) {
    super(stage + ": client " + client + " of " + clients + " failed: " + describe(cause), cause);
    this.stage = stage;
    this.client = client;
    this.clients = clients;
  }

  private static String describe(Throwable cause) {
    String m = cause.getMessage();
    return m == null ? cause.getClass().getName() : m;
  }

  /** The intrinsic whose client work failed. */
  public String stage() {
    return stage;
  }

  /** The failing client's index. */
  public int client() {
    return client;
  }

  /** The number of clients in the call. */
  public int clients() {
    return clients;
  }
}
