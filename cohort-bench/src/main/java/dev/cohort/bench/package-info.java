/**
 * Benchmarks, each a {@code main} run as {@code bench/run <ClassName>} from the repository root; BENCHMARKS.md
 * records their figures. Peers (PyTorch) run in the same process tree and the same run.
 */
package dev.cohort.bench;
