/**
 * The compiler: intrinsic rewrites and {@link dev.cohort.core.compiler.MapReduceForm} extraction
 * ({@link dev.cohort.core.compiler.Compiler}).
 */
package dev.cohort.core.compiler;
