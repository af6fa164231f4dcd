/**
 * Test support shared by every Cohort module, used in test scope only.
 *
 * <h2>Contents</h2>
 * <ul>
 *   <li>{@link dev.cohort.testing.Cases}: seeded property-test cases for JUnit 5 parameterized tests; each case
 *       carries its own seed, so a failing case prints what reproduces it.
 *   <li>{@link dev.cohort.testing.Fuzz}: seeded, count- and time-bounded byte mutation of file formats, checking
 *       that a reader either accepts a file or rejects it with its documented exception.
 *   <li>{@link dev.cohort.testing.Prerequisites}: a test that needs data or a tool skips locally and fails under
 *       {@code CI=true}, saying what to install.
 *   <li>{@link dev.cohort.testing.Architecture}: the layering rules (packages depend only downward, no package
 *       cycles, modules only on the modules below them), enforced with ArchUnit.
 *   <li>{@link dev.cohort.testing.SecondJvm}: runs a class's {@code main} in a second JVM on the test's class
 *       path, failing the test with its output if it does not end cleanly.
 * </ul>
 */
package dev.cohort.testing;
