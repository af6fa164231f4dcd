/**
 * The {@code cohort} command line ({@link dev.cohort.cli.Cohort}): thin picocli commands that build the same objects
 * a library user would. Errors name the flag, the value and what was expected, and exit with status 2.
 */
package dev.cohort.cli;
