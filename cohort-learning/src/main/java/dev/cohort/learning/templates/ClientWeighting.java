package dev.cohort.learning.templates;

/** How a client's model update is weighted in the mean, TFF's {@code ClientWeighting}. */
public enum ClientWeighting {
  /** Weight 1 for every client ({@code UNIFORM}). */
  UNIFORM,
  /** The number of examples the client trained on ({@code NUM_EXAMPLES}). */
  NUM_EXAMPLES
}
