/**
 * The abstract syntax tree of computations and what names its leaves: {@link dev.cohort.core.ast.Expr} (one record
 * per TFF building block, each checking its type when constructed) and whole-tree operations in
 * {@link dev.cohort.core.ast.Exprs} and {@link dev.cohort.core.ast.Inlining} (nested computations inlined into one
 * block, which the runtime evaluates); the intrinsic catalogue {@link dev.cohort.core.ast.IntrinsicDef}, which holds
 * each intrinsic's typing rule once ({@link dev.cohort.core.ast.IntrinsicDef#instantiate}); local Java functions
 * ({@link dev.cohort.core.ast.LocalFunction}) and their stable names ({@link dev.cohort.core.ast.LocalRegistry}), as
 * federated-language keeps {@code intrinsic_defs.py} beside {@code building_blocks.py}. Runtimes and compilers read
 * the tree; users normally build it by tracing.
 */
package dev.cohort.core.ast;
