package dev.cohort.testing;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The house rules of Cohort's layout, checked with ArchUnit on a module's compiled main classes.
 *
 * <ul>
 *   <li>Modules depend only on the modules below them: {@code tensor ← nn, core, privacy}, {@code core ←
 *       analytics}, all of them {@code ← examples ← cli}, and benchmarks on top. Maven's dependency graph already
 *       keeps a module from compiling against one it does not declare; this rule makes the intended order explicit
 *       and catches a declared dependency that points up.
 *   <li>Inside a module, packages form layers: a package may use packages of lower layers and classes of its own
 *       package, never a package of its own layer or above. A package that no layer lists fails the check, so a
 *       new package is placed deliberately.
 *   <li>No package cycles.
 * </ul>
 *
 * <p>Each module has one {@code ArchitectureTest} that calls these; a newcomer who adds an upward import learns it
 * from that test's message, which names the class, the dependency and the rule.
 */
public final class Architecture {
  /** Every Cohort module's root package, under {@code dev.cohort}. */
  private static final Set<String> MODULE_ROOTS =
      Set.of("tensor", "nn", "core", "privacy", "analytics", "examples", "cli", "bench", "testing");

  private Architecture() {}

  /** The main (non-test) classes under a root package, as ArchUnit imports them from the class path. */
  public static JavaClasses mainClasses(String rootPackage) {
    return new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
        .importPackages(rootPackage);
  }

  /**
   * Checks that the module rooted at {@code dev.cohort.<module>} uses no other Cohort module than
   * {@code allowed}.
   */
  public static void checkModuleDependencies(String module, String... allowed) {
    String root = "dev.cohort." + module;
    Set<String> ok = new LinkedHashSet<>(List.of(allowed));
    ok.add(module);
    for (String a : ok) {
      if (!MODULE_ROOTS.contains(a)) {
        throw new IllegalArgumentException("unknown module " + a + "; modules: " + new TreeSet<>(MODULE_ROOTS));
      }
    }
    List<String> violations = new ArrayList<>();
    for (JavaClass c : mainClasses(root)) {
      for (Dependency d : c.getDirectDependenciesFromSelf()) {
        String target = d.getTargetClass().getPackageName();
        if (!target.startsWith("dev.cohort.")) {
          continue;
        }
        String targetModule = target.substring("dev.cohort.".length()).split("\\.", 2)[0];
        if (!ok.contains(targetModule)) {
          violations.add(d.getDescription() + "  [module " + module + " may use only " + ok + "]");
        }
      }
    }
    fail("module order", violations);
  }

  /**
   * Checks the layering of a module's packages.
   *
   * @param rootPackage the module's root, e.g. {@code dev.cohort.core}
   * @param layersBottomUp the layers from the bottom up; each is a space-separated list of package names relative
   *     to the root ({@code "."} is the root itself), e.g. {@code "types", "values", "ast", "serialization", ".",
   *     "compiler runtime"}
   */
  public static void checkLayers(String rootPackage, String... layersBottomUp) {
    Map<String, Integer> layerOf = new HashMap<>();
    for (int i = 0; i < layersBottomUp.length; i++) {
      for (String p : layersBottomUp[i].trim().split("\\s+")) {
        String pkg = p.equals(".") ? rootPackage : rootPackage + "." + p;
        if (layerOf.put(pkg, i) != null) {
          throw new IllegalArgumentException("package " + pkg + " is listed in two layers");
        }
      }
    }
    JavaClasses classes = mainClasses(rootPackage);
    if (classes.isEmpty()) {
      throw new AssertionError("no main classes found under " + rootPackage);
    }
    List<String> violations = new ArrayList<>();
    Set<String> unplaced = new TreeSet<>();
    for (JavaClass c : classes) {
      Integer from = layerOf.get(c.getPackageName());
      if (from == null) {
        unplaced.add(c.getPackageName());
        continue;
      }
      for (Dependency d : c.getDirectDependenciesFromSelf()) {
        String target = d.getTargetClass().getPackageName();
        if (target.equals(c.getPackageName()) || !layerOf.containsKey(target)) {
          continue;
        }
        int to = layerOf.get(target);
        if (to >= from) {
          violations.add(d.getDescription() + "  [" + relative(rootPackage, c.getPackageName()) + " (layer " + from
              + ") may use only lower layers; " + relative(rootPackage, target) + " is layer " + to + "]");
        }
      }
    }
    for (String p : unplaced) {
      violations.add("package " + p + " is in no layer: add it to this module's ArchitectureTest");
    }
    fail("layering of " + rootPackage + " (layers bottom up: " + String.join(" | ", layersBottomUp) + ")",
        violations);
    slices().matching(rootPackage + ".(**)").should().beFreeOfCycles().allowEmptyShould(true).check(classes);
  }

  private static String relative(String root, String pkg) {
    return pkg.equals(root) ? "." : pkg.substring(root.length() + 1);
  }

  private static void fail(String rule, List<String> violations) {
    if (!violations.isEmpty()) {
      throw new AssertionError(rule + " violated " + violations.size() + " time(s):\n  "
          + String.join("\n  ", new TreeSet<>(violations)));
    }
  }
}
