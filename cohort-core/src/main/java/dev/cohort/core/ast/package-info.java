/**
 * The abstract syntax tree of computations: {@link dev.cohort.core.ast.Expr} (one record per TFF building block,
 * each checking its type when constructed) and whole-tree operations in {@link dev.cohort.core.ast.Exprs}. Runtimes
 * and compilers read it; users normally build it by tracing.
 */
package dev.cohort.core.ast;
