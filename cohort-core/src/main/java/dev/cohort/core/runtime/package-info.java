/**
 * The in-process runtime: {@link dev.cohort.core.runtime.InProcessContext} evaluates computations with a reference
 * interpreter and hands CLIENTS-placed work to a {@link dev.cohort.core.runtime.ClientExecutor} (the seam for
 * runtimes that leave the process); a failing client surfaces as a
 * {@link dev.cohort.core.runtime.ClientFailureException}.
 */
package dev.cohort.core.runtime;
