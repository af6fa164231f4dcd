package dev.cohort.core.types;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Laws of the type system over generated types: printing round-trips, assignability is a partial order (reflexive,
 * transitive, antisymmetric).
 */
class TypeLawsTest {

  @Provide
  Arbitrary<Type> types() {
    return Arbitraries.lazyOf(this::tensor, this::tensor, this::tensor, () -> struct(2), () -> sequence(),
        () -> federated(), () -> function());
  }

  private Arbitrary<Type> tensor() {
    Arbitrary<DType> dtype = Arbitraries.of(DType.FLOAT32, DType.INT32);
    Arbitrary<List<Integer>> dims = Arbitraries.of(TensorType.UNKNOWN, 1, 2).list().ofMaxSize(2);
    return net.jqwik.api.Combinators.combine(dtype, dims, Arbitraries.integers().between(0, 9))
        .as((d, s, r) -> r == 0 ? TensorType.unknownRank(d) : new TensorType(d, s));
  }

  private Arbitrary<Type> leafOrStruct(int depth) {
    return depth <= 0 ? tensor() : Arbitraries.oneOf(tensor(), tensor(), struct(depth - 1));
  }

  private Arbitrary<Type> struct(int depth) {
    Arbitrary<String> names = Arbitraries.of("a", "b", null);
    return net.jqwik.api.Combinators.combine(leafOrStruct(depth).list().ofMaxSize(3), names.list().ofSize(3))
        .as((ts, ns) -> {
          List<StructType.Field> fields = new ArrayList<>();
          List<String> used = new ArrayList<>();
          for (int i = 0; i < ts.size(); i++) {
            String n = ns.get(i);
            if (n != null && used.contains(n)) {
              n = null;
            }
            used.add(n);
            fields.add(new StructType.Field(n, ts.get(i)));
          }
          return new StructType(fields);
        });
  }

  private Arbitrary<Type> sequence() {
    return leafOrStruct(1).map(SequenceType::new);
  }

  private Arbitrary<Type> federated() {
    return net.jqwik.api.Combinators.combine(Arbitraries.oneOf(leafOrStruct(1), sequence()),
            Arbitraries.of(Placement.values()), Arbitraries.of(true, false))
        .as(FederatedType::new);
  }

  private Arbitrary<Type> function() {
    return net.jqwik.api.Combinators.combine(Arbitraries.oneOf(leafOrStruct(1), federated()).injectNull(0.2),
        Arbitraries.oneOf(leafOrStruct(1), federated())).as(FunctionType::new);
  }

  @Property(tries = 300)
  void compactAndFormattedNotationParseBack(@ForAll("types") Type t) {
    assertThat(Type.parse(t.toString())).isEqualTo(t);
    assertThat(Type.parse(t.formatted())).isEqualTo(t);
    assertThat(t.formatted().replace("\n", "").replace("  ", "")).isEqualTo(t.toString());
  }

  @Property(tries = 300)
  void assignabilityIsReflexive(@ForAll("types") Type t) {
    assertThat(t.isAssignableFrom(t)).isTrue();
    assertThat(t.isEquivalentTo(t)).isTrue();
  }

  @Property(tries = 500)
  void assignabilityIsTransitive(@ForAll("types") Type c, @ForAll long seed) {
    java.util.Random random = new java.util.Random(seed);
    Type b = generalize(c, random);
    Type a = generalize(b, random);
    assertThat(b.isAssignableFrom(c)).as("%s <- %s", b, c).isTrue();
    assertThat(a.isAssignableFrom(b)).as("%s <- %s", a, b).isTrue();
    assertThat(a.isAssignableFrom(c)).as("%s <- %s", a, c).isTrue();
  }

  /**
   * Pairs that exercise equivalence: a type and a copy parsed back from its notation (equal, a distinct object), a
   * type and a generalization of it (assignable one way, sometimes equal), and two independent types.
   */
  @Provide
  Arbitrary<List<Type>> relatedPairs() {
    return net.jqwik.api.Combinators.combine(types(), types(), Arbitraries.integers().between(0, 2),
        Arbitraries.longs()).as((a, other, how, seed) -> {
          Type b = switch (how) {
            case 0 -> Type.parse(a.toString());
            case 1 -> generalize(a, new java.util.Random(seed));
            default -> other;
          };
          return List.of(a, b);
        });
  }

  @Property(tries = 600)
  void typesAreEquivalentOnlyIfEqual(@ForAll("relatedPairs") List<Type> pair) {
    // Assignability is antisymmetric: mutual assignability (equivalence) holds exactly for equal types, so a type
    // that accepts another and is accepted by it is the same type, and a generalization is strictly more general.
    Type a = pair.get(0);
    Type b = pair.get(1);
    boolean equivalent = a.isAssignableFrom(b) && b.isAssignableFrom(a);
    assertThat(a.isEquivalentTo(b)).as("%s <-> %s", a, b).isEqualTo(equivalent);
    assertThat(equivalent).as("%s <-> %s", a, b).isEqualTo(a.equals(b));
    String kind = !equivalent ? "not equivalent" : a == b ? "the same object" : "equivalent distinct objects";
    Statistics.label("pairs").collect(kind);
    Statistics.label("pairs").coverage(c -> {
      c.check("equivalent distinct objects").percentage(p -> p > 20);
      c.check("not equivalent").percentage(p -> p > 20);
    });
  }

  /** A type that accepts every value of {@code t}: fewer known dimensions, more names, fewer all-equal flags. */
  private static Type generalize(Type t, java.util.Random r) {
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
      java.util.Set<String> names = new java.util.HashSet<>(st.names());
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

  @Property(tries = 300)
  void equalTypesAreEquivalent(@ForAll("types") Type a, @ForAll("types") Type b) {
    if (a.equals(b)) {
      assertThat(a.isEquivalentTo(b)).isTrue();
      assertThat(a.hashCode()).isEqualTo(b.hashCode());
    }
  }
}
