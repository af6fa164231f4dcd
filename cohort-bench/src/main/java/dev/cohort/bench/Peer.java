package dev.cohort.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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

  /**
   * Runs {@code script} with {@code args} on one thread of the math libraries (as Cohort's benchmarks run) and returns
   * the last line of its output: the peers' JSON result.
   *
   * @param what the peer, for the error message
   * @throws IllegalStateException if {@code script} is not found (the benchmarks run from the repository root) or
   *     exits with a non-zero status; the message holds its output
   */
  static String lastLine(String what, String script, String... args) throws IOException, InterruptedException {
    if (!Files.exists(Path.of(script))) {
      throw new IllegalStateException("run from the repository root: " + script + " not found");
    }
    String[] cmd = new String[args.length + 2];
    cmd[0] = "/usr/bin/python3";
    cmd[1] = script;
    System.arraycopy(args, 0, cmd, 2, args.length);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("OMP_NUM_THREADS", "1");
    pb.environment().put("OPENBLAS_NUM_THREADS", "1");
    pb.environment().put("MKL_NUM_THREADS", "1");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(what + " failed (is python3-torch installed?):\n" + out);
    }
    String[] lines = out.trim().split("\n");
    return lines[lines.length - 1];
  }
}
