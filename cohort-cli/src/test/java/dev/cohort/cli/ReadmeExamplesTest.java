package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The Java examples of the project's README compile as written, against every module (this is the module that
 * depends on all of them). Each {@code ```java} block becomes one method body; its {@code import} lines become the
 * file's imports. Blocks are compiled, not run: the README shows what a user types, and the modules' own tests check
 * what those calls return.
 */
class ReadmeExamplesTest {
  private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void everyJavaBlockOfTheReadmeCompiles() throws IOException {
    Path readme = Path.of("..", "README.md");
    List<String> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(Files.readString(readme));
    while (m.find()) {
      blocks.add(m.group(1));
    }
    assertThat(blocks).as("java blocks in %s", readme).hasSizeGreaterThanOrEqualTo(3);
    List<JavaFileObject> sources = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      sources.add(source("ReadmeExample" + i, blocks.get(i)));
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    Path out = Files.createTempDirectory("readme-examples");
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    boolean ok = javac.getTask(new StringWriter(), null, diagnostics,
        List.of("-d", out.toString(), "-classpath", classPath, "-proc:none"), null, sources).call();
    StringBuilder report = new StringBuilder();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() == Diagnostic.Kind.ERROR) {
        report.append(d.getSource().getName()).append(':').append(d.getLineNumber()).append(": ")
            .append(d.getMessage(Locale.ROOT)).append('\n');
      }
    }
    assertThat(ok).as("README java blocks failed to compile:\n%s", report).isTrue();
  }

  private static JavaFileObject source(String name, String block) {
    StringBuilder imports = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (String line : block.split("\n", -1)) {
      (line.startsWith("import ") ? imports : body).append(line).append('\n');
    }
    String code = imports + "class " + name + " {\n  @SuppressWarnings(\"unused\")\n  static void example() throws"
        + " Exception {\n" + body + "  }\n}\n";
    return new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return code;
      }
    };
  }
}
