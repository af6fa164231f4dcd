package dev.cohort.learning.algorithms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.ast.Expr;
import dev.cohort.core.ast.Exprs;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.LearningProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's portability: a learning process's {@code initialize} and {@code next}, serialized here, load in a second
 * JVM process that never builds the process ({@link PortableProcessMain}) and run a round to the same bits.
 */
class PortableProcessTest {
  @Test
  void aSecondJvmLoadsInitializeAndNextAndRunsARoundToTheSameBits(@TempDir Path dir) throws Exception {
    // Momentum and Adam: optimizers whose state and hyper-parameters the second JVM rebuilds only from the files.
    LearningProcess fedAvg = FedAvg.weighted(FedAvgTest.model(), Optimizer.sgdm(0.1, 0.9), Optimizer.adam(0.05));
    assertThat(Exprs.contains(fedAvg.next().expr(), e -> e instanceof Expr.Local l
        && l.name().equals("learning.optimizers.next") && l.parameters().toString().contains("Adam"))).isTrue();
    fedAvg.initialize().save(dir.resolve("initialize.cohort"));
    fedAvg.next().save(dir.resolve("next.cohort"));
    String here = PortableProcessMain.bits(fedAvg.next().call(fedAvg.initialize().call(), FedAvgTest.clients(3)));

    Process child = new ProcessBuilder(command(dir)).redirectErrorStream(true)
        .redirectOutput(dir.resolve("child.log").toFile()).start();
    boolean ended = child.waitFor(120, TimeUnit.SECONDS);
    if (!ended) {
      child.destroyForcibly();
    }
    String log = Files.readString(dir.resolve("child.log"), StandardCharsets.UTF_8);
    assertThat(ended).as("the second JVM ended within 120 s; its output:%n%s", log).isTrue();
    assertThat(child.exitValue()).as("the second JVM's exit status; its output:%n%s", log).isZero();
    String there = Files.readString(dir.resolve("round.txt"), StandardCharsets.UTF_8);
    assertThat(there).isEqualTo(here).contains("SERVER{");
  }

  /** {@code java -cp <this test's class path> PortableProcessMain dir}, with this JVM's Java. */
  private static List<String> command(Path dir) throws IOException {
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xss4m");
    command.add("-cp");
    command.add(classPath);
    command.add(PortableProcessMain.class.getName());
    command.add(dir.toString());
    return command;
  }
}
