/** Internals shared by Cohort's modules (argument checks). Not part of the public API; may change at any time. */
package dev.cohort.tensor.internal;
