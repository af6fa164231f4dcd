package dev.cohort.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecondJvmTest {
  /** Writes its second argument to the file named by its first, prints it, and exits with status {@code args[2]}. */
  static final class Child {
    private Child() {}

    public static void main(String[] args) throws IOException {
      Files.writeString(Path.of(args[0]), args[1], StandardCharsets.UTF_8);
      System.out.println("child says " + args[1]);
      System.exit(Integer.parseInt(args[2]));
    }
  }

  @Test
  void theSecondJvmRunsMainWithTheArgumentsAndItsOutputGoesToTheLog(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("child.log");
    SecondJvm.run(Child.class, log, dir.resolve("out.txt").toString(), "hello", "0");
    assertThat(Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8)).isEqualTo("hello");
    assertThat(Files.readString(log, StandardCharsets.UTF_8)).contains("child says hello");
  }

  @Test
  void aNonZeroExitFailsWithTheSecondJvmsOutput(@TempDir Path dir) {
    assertThatThrownBy(() -> SecondJvm.run(Child.class, dir.resolve("child.log"),
        dir.resolve("out.txt").toString(), "broken", "3"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("exit status")
        .hasMessageContaining("child says broken");
  }
}
