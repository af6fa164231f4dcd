package dev.cohort.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a class's {@code main} in a second JVM, for tests that check what one JVM writes loads in another that never
 * built it (serialized computations, checkpoints).
 */
public final class SecondJvm {
  /** How long the second JVM may run before the test fails. */
  private static final long TIMEOUT_SECONDS = 120;

  private SecondJvm() {}

  /**
   * Runs {@code java -Xss4m -cp <this test's class path> main args...} with this JVM's Java, its output and errors
   * going to {@code log}, and asserts that it ends within 120 s with exit status 0 (the failure shows its output).
   *
   * @param main the class whose {@code main} runs; on this test's class path
   * @param log the file the second JVM's output and errors are written to
   * @param args the arguments of {@code main}
   */
  public static void run(Class<?> main, Path log, String... args) throws IOException, InterruptedException {
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xss4m", "-cp", classPath, main.getName()));
    command.addAll(List.of(args));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean ended = child.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (!ended) {
      child.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(ended).as("the second JVM ended within %d s; its output:%n%s", TIMEOUT_SECONDS, output).isTrue();
    assertThat(child.exitValue()).as("the second JVM's exit status; its output:%n%s", output).isZero();
  }
}
