package dev.cohort.examples;

import dev.cohort.core.ContextStack;
import dev.cohort.core.runtime.InProcessContext;
import java.io.PrintStream;

/** What every {@link Tutorial} does the same way: run in an in-process context, and name the notebook's cells. */
final class Notebook {
  private Notebook() {}

  /** Runs {@code tour} with a fresh {@link InProcessContext} installed as the current context. */
  @SuppressWarnings("try") // the scope is the point: it installs the context
  static void inProcessContext(Runnable tour) {
    try (InProcessContext context = InProcessContext.builder().build();
         ContextStack.Scope scope = ContextStack.install(context)) {
      tour.run();
    }
  }

  /** Prints the {@code #} line naming the notebook cell whose output follows. */
  static void cell(PrintStream out, String what) {
    out.println("# " + what);
  }
}
