package dev.cohort.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** The PyTorch peers of the benchmarks: scripts under {@code bench/} run by Debian's {@code /usr/bin/python3}. */
final class Peer {
  private Peer() {}

  /**
   * Runs {@code script} with {@code args}, copying its output (standard error included) to standard output line by
   * line as it comes.
   *
   * @throws IllegalStateException if the script exits with a non-zero status
   */
  static void print(String script, String... args) throws IOException, InterruptedException {
    String[] cmd = new String[args.length + 2];
    cmd[0] = "/usr/bin/python3";
    cmd[1] = script;
    System.arraycopy(args, 0, cmd, 2, args.length);
    Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        System.out.println(line);
      }
    }
    if (proc.waitFor() != 0) {
      throw new IllegalStateException(script + " failed with exit status " + proc.exitValue());
    }
  }
}
