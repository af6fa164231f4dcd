/**
 * Runnable counterparts of TFF's tutorials ({@link dev.cohort.examples.Tutorial}, listed by
 * {@link dev.cohort.examples.Tutorials}); each prints what the tutorial's notebook prints. Run them with
 * {@code ./cohort tutorial <name>}.
 */
package dev.cohort.examples;
