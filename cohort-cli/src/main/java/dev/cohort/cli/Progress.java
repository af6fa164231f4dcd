package dev.cohort.cli;

import java.io.Console;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The rounds' progress: a live bar on standard error (ETA and the running loss, drawn by the progressbar library)
 * when standard output is a terminal, nothing otherwise, where the per-round lines are the progress (a log, a pipe,
 * a test).
 */
final class Progress implements AutoCloseable {
  private final ProgressBar bar;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  /** A bar over {@code rounds} rounds, or none when {@code quiet} or not on a terminal. */
  static Progress start(boolean quiet, int rounds) {
    if (quiet || !onTerminal()) {
      return new Progress(null);
    }
    return new Progress(new ProgressBarBuilder().setTaskName("round").setInitialMax(rounds)
        .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUpdateIntervalMillis(250).continuousUpdate()
        .setConsumer(new ConsoleProgressBarConsumer(System.err)).build());
  }

  /** One round done; {@code message} (the running loss) shows beside the bar. */
  void step(String message) {
    if (bar != null) {
      bar.setExtraMessage(message);
      bar.step();
    }
  }

  /** A resumed run: the bar starts at {@code round}, the rounds an earlier run trained. */
  void resumeAt(int round) {
    if (bar != null) {
      bar.stepTo(round);
    }
  }

  /** Prints {@code line} on {@code out}, first clearing the bar's line so the two do not overlap. */
  void line(PrintWriter out, String line) {
    if (bar != null) {
      System.err.print("\r\033[2K");
      System.err.flush();
    }
    out.println(line);
    out.flush();
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }

  /** Whether standard input and output are a terminal ({@code Console.isTerminal()} where the JDK has it, 22+). */
  private static boolean onTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // before JDK 22, a console exists only on a terminal
    }
  }
}
