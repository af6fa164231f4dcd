package dev.cohort.core.types;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.testing.Cases;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Laws of the type system over seeded random types ({@link RandomTypes}): printing round-trips, assignability is a
 * partial order (reflexive, transitive, antisymmetric), and equal types are equivalent with equal hash codes.
 *
 * <p>Each property counts how often its interesting branch ran (a multi-line formatted form, a strict
 * generalization, a pair of distinct equal objects, ...); after the class, {@link #everyPropertyCoveredItsCases()}
 * fails if a property that ran all its cases exercised a branch fewer times than its minimum, so a generator that
 * drifts into trivial cases fails the build instead of passing vacuously.
 */
class TypeLawsTest {
  private static final int CASES = 500;

  /** Per property: how many cases ran, and how often each labelled branch was taken. */
  private static final Map<String, AtomicInteger> RAN = new ConcurrentHashMap<>();
  private static final Map<String, Map<String, AtomicInteger>> BRANCHES = new ConcurrentHashMap<>();

  static Stream<Cases.Case> cases() {
    return Cases.of(20260425, CASES);
  }

  private static void ran(String property) {
    RAN.computeIfAbsent(property, k -> new AtomicInteger()).incrementAndGet();
  }

  private static void took(String property, String branch) {
    BRANCHES.computeIfAbsent(property, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(branch, k -> new AtomicInteger()).incrementAndGet();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void compactAndFormattedNotationParseBack(Cases.Case c) {
    ran("notation");
    Type t = c.random().nextBoolean() ? RandomTypes.comparable(c.random()) : RandomTypes.any(c.random());
    assertThat(Type.parse(t.toString())).isEqualTo(t);
    assertThat(Type.parse(t.formatted())).isEqualTo(t);
    assertThat(t.formatted().replace("\n", "").replace("  ", "")).isEqualTo(t.toString());
    if (t.formatted().contains("\n  <")) {
      took("notation", "nested struct on its own indented line");
    }
    if (TypeAnalysis.contains(t, x -> x instanceof AbstractType || x instanceof PlacementType)) {
      took("notation", "abstract or placement type");
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void assignabilityIsReflexive(Cases.Case c) {
    ran("reflexive");
    Type t = RandomTypes.comparable(c.random());
    assertThat(t.isAssignableFrom(t)).isTrue();
    assertThat(t.isEquivalentTo(t)).isTrue();
    took("reflexive", t.getClass().getSimpleName());
  }

  @ParameterizedTest
  @MethodSource("cases")
  void assignabilityIsTransitive(Cases.Case c) {
    ran("transitive");
    Type cType = RandomTypes.comparable(c.random());
    Type b = generalize(cType, c.random());
    Type a = generalize(b, c.random());
    assertThat(b.isAssignableFrom(cType)).as("%s <- %s", b, cType).isTrue();
    assertThat(a.isAssignableFrom(b)).as("%s <- %s", a, b).isTrue();
    assertThat(a.isAssignableFrom(cType)).as("%s <- %s", a, cType).isTrue();
    if (!a.equals(b) && !b.equals(cType)) {
      took("transitive", "two strict generalizations");
    }
  }

  /**
   * Assignability is antisymmetric: mutual assignability (equivalence) holds exactly for equal types, so a type
   * that accepts another and is accepted by it is the same type, and a generalization is strictly more general.
   * The pairs: a type and a copy parsed back from its notation (equal, a distinct object), a type and a
   * generalization of it (assignable one way, sometimes equal), and two independent types.
   */
  @ParameterizedTest
  @MethodSource("cases")
  void typesAreEquivalentOnlyIfEqual(Cases.Case c) {
    ran("antisymmetric");
    Type a = RandomTypes.comparable(c.random());
    Type b = switch (c.random().nextInt(3)) {
      case 0 -> Type.parse(a.toString());
      case 1 -> generalize(a, c.random());
      default -> RandomTypes.comparable(c.random());
    };
    boolean equivalent = a.isAssignableFrom(b) && b.isAssignableFrom(a);
    assertThat(a.isEquivalentTo(b)).as("%s <-> %s", a, b).isEqualTo(equivalent);
    assertThat(equivalent).as("%s <-> %s", a, b).isEqualTo(a.equals(b));
    took("antisymmetric", !equivalent ? "not equivalent" : a == b ? "the same object" : "equivalent distinct objects");
  }

  /**
   * Equal types are equivalent and hash alike. Every pair is equal by construction, a distinct object each time: a
   * copy parsed back from the notation, or one rebuilt node by node through the records' constructors.
   */
  @ParameterizedTest
  @MethodSource("cases")
  void equalTypesAreEquivalent(Cases.Case c) {
    ran("equal");
    Type a = RandomTypes.comparable(c.random());
    boolean parsed = c.random().nextBoolean();
    Type b = parsed ? Type.parse(a.formatted()) : rebuild(a);
    assertThat(b).isNotSameAs(a).isEqualTo(a);
    assertThat(a.isEquivalentTo(b)).as("%s <-> %s", a, b).isTrue();
    assertThat(b.isEquivalentTo(a)).as("%s <-> %s", b, a).isTrue();
    assertThat(a.hashCode()).isEqualTo(b.hashCode());
    took("equal", parsed ? "parsed copy" : "rebuilt copy");
    if (!(a instanceof TensorType)) {
      took("equal", "composite type");
    }
  }

  @AfterAll
  static void everyPropertyCoveredItsCases() {
    checkCoverage("notation", Map.of("nested struct on its own indented line", CASES / 50,
        "abstract or placement type", CASES / 20));
    checkCoverage("reflexive", Map.of("TensorType", CASES / 5, "StructType", CASES / 20,
        "SequenceType", CASES / 20, "FederatedType", CASES / 20, "FunctionType", CASES / 20));
    checkCoverage("transitive", Map.of("two strict generalizations", CASES / 20));
    checkCoverage("antisymmetric", Map.of("equivalent distinct objects", CASES / 5, "not equivalent", CASES / 5));
    checkCoverage("equal", Map.of("parsed copy", CASES / 4, "rebuilt copy", CASES / 4, "composite type", CASES / 5));
  }

  /** Fails if {@code property} ran all its cases but took a branch fewer times than its minimum. */
  private static void checkCoverage(String property, Map<String, Integer> minimum) {
    AtomicInteger ran = RAN.get(property);
    if (ran == null || ran.get() < CASES) {
      return; // only some cases ran (a filtered run): coverage is a statement about the whole suite
    }
    Map<String, AtomicInteger> taken = BRANCHES.getOrDefault(property, Map.of());
    minimum.forEach((branch, min) -> assertThat(taken.getOrDefault(branch, new AtomicInteger()).get())
        .as("property '%s': cases taking branch '%s' (of %d; branches taken: %s)", property, branch, CASES, taken)
        .isGreaterThanOrEqualTo(min));
  }

  /** An equal copy of {@code t}, built anew through the records' constructors. */
  private static Type rebuild(Type t) {
    if (t instanceof TensorType tt) {
      return new TensorType(tt.dtype(), tt.shape() == null ? null : new ArrayList<>(tt.shape()));
    } else if (t instanceof StructType st) {
      List<StructType.Field> fields = new ArrayList<>();
      for (int i = 0; i < st.size(); i++) {
        fields.add(new StructType.Field(st.name(i), rebuild(st.type(i))));
      }
      return new StructType(fields);
    } else if (t instanceof SequenceType s) {
      return new SequenceType(rebuild(s.element()));
    } else if (t instanceof FederatedType f) {
      return new FederatedType(rebuild(f.member()), f.placement(), f.allEqual());
    } else if (t instanceof FunctionType f) {
      return new FunctionType(f.parameter() == null ? null : rebuild(f.parameter()), rebuild(f.result()));
    } else if (t instanceof AbstractType a) {
      return new AbstractType(a.label());
    }
    return t;
  }

  /** A type that accepts every value of {@code t}: fewer known dimensions, more names, fewer all-equal flags. */
  private static Type generalize(Type t, SplittableRandom r) {
    if (t instanceof TensorType tt) {
      if (tt.shape() == null || r.nextInt(4) == 0) {
        return r.nextInt(3) == 0 ? TensorType.unknownRank(tt.dtype()) : tt;
      }
      List<Integer> dims = new ArrayList<>(tt.shape());
      for (int i = 0; i < dims.size(); i++) {
        if (r.nextBoolean()) {
          dims.set(i, TensorType.UNKNOWN);
        }
      }
      return new TensorType(tt.dtype(), dims);
    } else if (t instanceof StructType st) {
      List<StructType.Field> fields = new ArrayList<>();
      Set<String> names = new HashSet<>(st.names());
      for (int i = 0; i < st.size(); i++) {
        String n = st.name(i);
        if (n == null && r.nextBoolean() && names.add("n" + i)) {
          n = "n" + i;
        }
        fields.add(new StructType.Field(n, generalize(st.type(i), r)));
      }
      return new StructType(fields);
    } else if (t instanceof SequenceType s) {
      return new SequenceType(generalize(s.element(), r));
    } else if (t instanceof FederatedType f) {
      return new FederatedType(generalize(f.member(), r), f.placement(), f.allEqual() && r.nextBoolean());
    } else if (t instanceof FunctionType f) {
      // Contravariant parameter: a more general function type takes a more specific parameter; keep it.
      return new FunctionType(f.parameter(), generalize(f.result(), r));
    }
    return t;
  }
}
