package dev.cohort.core.types;

import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Printing and assignability, with rows ported from federated-language's computation_types_test.py (float64 there
 * becomes int64 or float32 here, the dtypes cohort-tensor has) and every type string quoted by TFF's tutorials.
 */
class TypeTest {
  private static final TensorType BOOL = TensorType.BOOL;
  private static final TensorType INT64 = TensorType.INT64;

  static Stream<Arguments> compactNotation() {
    return Stream.of(
        // TensorTypeTest.test_str
        Arguments.of(INT32, "int32"),
        Arguments.of(TensorType.of(DType.INT32, TensorType.UNKNOWN), "int32[?]"),
        Arguments.of(TensorType.of(DType.INT32, 10), "int32[10]"),
        Arguments.of(TensorType.unknownRank(DType.FLOAT32), "'float32'(shape=None)"),
        // StructTypeTest.test_str
        Arguments.of(StructType.of(INT32, BOOL), "<int32,bool>"),
        Arguments.of(StructType.named("a", INT32, "b", BOOL), "<a=int32,b=bool>"),
        Arguments.of(StructType.EMPTY, "<>"),
        Arguments.of(StructType.of(StructType.Field.of(INT64), StructType.Field.of("a", INT32)), "<int64,a=int32>"),
        // SequenceTypeTest.test_str
        Arguments.of(SequenceType.of(INT32), "int32*"),
        Arguments.of(SequenceType.of(StructType.of(INT32, INT64)), "<int32,int64>*"),
        // FunctionTypeTest.test_str
        Arguments.of(FunctionType.of(INT32, INT64), "(int32 -> int64)"),
        Arguments.of(FunctionType.noArg(INT64), "( -> int64)"),
        // AbstractTypeTest / PlacementTypeTest
        Arguments.of(AbstractType.of("T"), "T"),
        Arguments.of(PlacementType.INSTANCE, "placement"),
        // FederatedTypeTest.test_str
        Arguments.of(FederatedType.atClients(INT32, true), "int32@CLIENTS"),
        Arguments.of(FederatedType.atClients(INT32, false), "{int32}@CLIENTS"),
        Arguments.of(new FederatedType(INT32, Placement.SERVER, true), "int32@SERVER"),
        Arguments.of(new FederatedType(INT32, Placement.SERVER, false), "{int32}@SERVER"),
        // ToTypeTest
        Arguments.of(StructType.of(INT32, StructType.of(StructType.Field.of("x", FLOAT32), StructType.Field.of(INT64))),
            "<int32,<x=float32,int64>>"),
        // tff.md §1.9 and §1.10 (tutorial outputs)
        Arguments.of(FederatedType.atClients(FLOAT32), "{float32}@CLIENTS"),
        Arguments.of(FederatedType.atClients(FLOAT32, true), "float32@CLIENTS"),
        Arguments.of(FederatedType.atClients(StructType.named("a", FLOAT32, "b", FLOAT32), true),
            "<a=float32,b=float32>@CLIENTS"),
        Arguments.of(FunctionType.of(FederatedType.atClients(FLOAT32), FederatedType.atServer(FLOAT32)),
            "({float32}@CLIENTS -> float32@SERVER)"),
        Arguments.of(FunctionType.of(SequenceType.of(StructType.named("A", INT32, "B", INT32)), INT32),
            "(<A=int32,B=int32>* -> int32)"),
        Arguments.of(FunctionType.of(FederatedType.atClients(SequenceType.of(FLOAT32)), FederatedType.atServer(FLOAT32)),
            "({float32*}@CLIENTS -> float32@SERVER)"),
        Arguments.of(FederatedType.atClients(SequenceType.of(StructType.of(
                TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, 784), TensorType.of(DType.INT32, TensorType.UNKNOWN, 1)))),
            "{<float32[?,784],int32[?,1]>*}@CLIENTS"),
        Arguments.of(StructType.named("x", TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, 784),
            "y", TensorType.of(DType.INT32, TensorType.UNKNOWN)), "<x=float32[?,784],y=int32[?]>"),
        Arguments.of(FunctionType.noArg(INT32), "( -> int32)"),
        Arguments.of(TensorType.STRING, "str"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("compactNotation")
  void printsTffCompactNotationAndParsesItBack(Type type, String expected) {
    assertThat(type.toString()).isEqualTo(expected);
    assertThat(Type.parse(expected)).isEqualTo(type);
    assertThat(Type.parse(type.formatted())).isEqualTo(type);
  }

  /** RepresentationTest in computation_types_test.py. */
  @Test
  void formattedRepresentationIndentsStructElements() {
    assertThat(FunctionType.of(StructType.of(INT32, FLOAT32), INT64).formatted())
        .isEqualTo("(<\n  int32,\n  float32\n> -> int64)");
    assertThat(FunctionType.of(INT64, StructType.of(INT32, FLOAT32)).formatted())
        .isEqualTo("(int64 -> <\n  int32,\n  float32\n>)");
    assertThat(FunctionType.of(StructType.of(INT32, FLOAT32), StructType.of(INT64, TensorType.STRING)).formatted())
        .isEqualTo("(<\n  int32,\n  float32\n> -> <\n  int64,\n  str\n>)");
    assertThat(StructType.named("a", INT32, "b", FLOAT32).formatted()).isEqualTo("<\n  a=int32,\n  b=float32\n>");
    StructType nested = StructType.of(StructType.of(StructType.of(INT32, FLOAT32), BOOL), TensorType.STRING);
    assertThat(nested.toString()).isEqualTo("<<<int32,float32>,bool>,str>");
    assertThat(nested.formatted()).isEqualTo(
        "<\n  <\n    <\n      int32,\n      float32\n    >,\n    bool\n  >,\n  str\n>");
    assertThat(StructType.of(INT32).formatted()).isEqualTo("<\n  int32\n>");
    assertThat(StructType.EMPTY.formatted()).isEqualTo("<>");
    assertThat(SequenceType.of(StructType.of(INT32, FLOAT32)).formatted()).isEqualTo("<\n  int32,\n  float32\n>*");
    assertThat(FederatedType.atClients(INT32).formatted()).isEqualTo("{int32}@CLIENTS");
    assertThat(FederatedType.atServer(INT32).formatted()).isEqualTo("int32@SERVER");
  }

  static Stream<Arguments> assignability() {
    TensorType i10 = TensorType.of(DType.INT32, 10);
    TensorType iUnknown = TensorType.of(DType.INT32, TensorType.UNKNOWN);
    return Stream.of(
        // TensorTypeTest.test_is_assignable_from
        Arguments.of(INT32, INT32, true),
        Arguments.of(INT32, BOOL, false),
        Arguments.of(INT32, i10, false),
        Arguments.of(iUnknown, i10, true),
        Arguments.of(i10, iUnknown, false),
        Arguments.of(TensorType.unknownRank(DType.INT32), i10, true),
        Arguments.of(i10, TensorType.unknownRank(DType.INT32), false),
        // StructTypeTest.test_is_assignable_from
        Arguments.of(StructType.of(INT32, BOOL), StructType.of(INT32, BOOL), true),
        Arguments.of(StructType.named("a", INT32, "b", INT64), StructType.named("a", INT32, "b", INT64), true),
        Arguments.of(StructType.of(INT32, BOOL), StructType.of(INT32, INT32), false),
        Arguments.of(StructType.named("a", INT32, "b", INT64), StructType.named("a", INT32, "b", INT32), false),
        Arguments.of(StructType.named("a", INT32, "b", INT64), StructType.named("a", INT32, "c", INT64), false),
        Arguments.of(StructType.of(INT32, INT64), StructType.named("a", INT32, "b", INT64), false),
        Arguments.of(StructType.named("a", INT32, "b", INT64), StructType.of(INT32, INT64), true),
        Arguments.of(StructType.of(INT32), StructType.of(INT32, INT32), false),
        // SequenceTypeTest.test_is_assignable_from
        Arguments.of(SequenceType.of(INT32), SequenceType.of(INT32), true),
        Arguments.of(SequenceType.of(INT32), SequenceType.of(BOOL), false),
        Arguments.of(SequenceType.of(iUnknown), SequenceType.of(i10), true),
        // FunctionTypeTest.test_is_assignable_from
        Arguments.of(FunctionType.of(INT32, INT64), FunctionType.of(INT32, INT64), true),
        Arguments.of(FunctionType.of(INT32, INT64), FunctionType.of(INT64, INT64), false),
        Arguments.of(FunctionType.of(INT32, INT64), FunctionType.of(INT32, INT32), false),
        Arguments.of(FunctionType.of(i10, INT32), FunctionType.of(iUnknown, INT32), true),
        Arguments.of(FunctionType.of(iUnknown, INT32), FunctionType.of(i10, INT32), false),
        Arguments.of(FunctionType.noArg(INT32), FunctionType.of(INT32, INT32), false),
        // PlacementTypeTest
        Arguments.of(PlacementType.INSTANCE, PlacementType.INSTANCE, true),
        // FederatedTypeTest.test_is_assignable_from
        Arguments.of(FederatedType.atClients(INT32), FederatedType.atClients(INT32), true),
        Arguments.of(FederatedType.atClients(INT32), FederatedType.atClients(INT64), false),
        Arguments.of(FederatedType.atClients(INT32), FederatedType.of(INT32, Placement.SERVER), false),
        Arguments.of(FederatedType.atClients(INT32, true), FederatedType.atClients(INT32, false), false),
        Arguments.of(FederatedType.atClients(INT32, false), FederatedType.atClients(INT32, true), true),
        Arguments.of(INT32, FederatedType.atServer(INT32), false));
  }

  @ParameterizedTest(name = "{0} <- {1}: {2}")
  @MethodSource("assignability")
  void assignabilityFollowsTffRules(Type target, Type source, boolean expected) {
    assertThat(target.isAssignableFrom(source)).isEqualTo(expected);
  }

  @Test
  void checkAssignableFromNamesBothTypes() {
    assertThatThrownBy(() -> FederatedType.atServer(FLOAT32).checkAssignableFrom(FederatedType.atClients(FLOAT32)))
        .isInstanceOf(TypeMismatchException.class)
        .hasMessage("type {float32}@CLIENTS is not assignable to float32@SERVER");
  }

  @Test
  void abstractTypesAreNotComparable() {
    assertThatThrownBy(() -> AbstractType.of("T").isAssignableFrom(INT32))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("abstract type T is not comparable");
  }

  @Test
  void illFormedTypesAreRejected() {
    assertThatThrownBy(() -> FederatedType.atClients(FederatedType.atServer(INT32)))
        .hasMessage("a federated member may not contain federated or function types, found member type int32@SERVER");
    assertThatThrownBy(() -> FederatedType.atClients(StructType.of(FunctionType.of(INT32, INT32))))
        .isInstanceOf(TypeMismatchException.class);
    assertThatThrownBy(() -> SequenceType.of(SequenceType.of(INT32)))
        .hasMessage("a sequence element may not contain federated, function or sequence types, found element type int32*");
    assertThatThrownBy(() -> StructType.named("a", INT32, "a", INT32))
        .hasMessage("struct type has the element name 'a' twice");
    assertThatThrownBy(() -> StructType.named("not a name", INT32))
        .hasMessageContaining("is not an identifier");
    assertThatThrownBy(() -> AbstractType.of("float32")).hasMessageContaining("other than a dtype name");
  }

  @Test
  void placementsPrintAsTffLiterals() {
    FederatedType t = FederatedType.atClients(FLOAT32);
    assertThat(t.member().toString()).isEqualTo("float32");
    assertThat(t.placement().toString()).isEqualTo("CLIENTS");
    assertThat(t.allEqual()).isFalse();
    assertThat(FederatedType.of(INT32, Placement.SERVER).allEqual()).isTrue();
    assertThat(Placement.fromUri("clients")).isEqualTo(Placement.CLIENTS);
  }

  @Test
  void parserReportsThePositionOfAnError() {
    assertThatThrownBy(() -> Type.parse("<a=float32,"))
        .hasMessage("cannot parse type '<a=float32,' at position 11: expected a type");
    assertThatThrownBy(() -> Type.parse("{int32}@MOON"))
        .hasMessage("cannot parse type '{int32}@MOON' at position 12: expected SERVER or CLIENTS (found 'MOON')");
    assertThatThrownBy(() -> Type.parse("int32 int32"))
        .hasMessage("cannot parse type 'int32 int32' at position 6: expected end of input");
    // Dimensions are ASCII digits: Arabic-Indic three (U+0663) is not 3, though Integer.parseInt would read it so.
    assertThatThrownBy(() -> Type.parse("float32[\u0663]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot parse type 'float32[\u0663]' at position 8: expected a dimension (digits 0-9 or ?)");
  }

  @Test
  void typesNestedDeeperThanAThousandLevelsAreRejectedBeforeTheStackOverflows() {
    String deepest = "<".repeat(999) + "int32" + ">".repeat(999);
    assertThat(Type.parse(deepest).toString()).isEqualTo(deepest);
    String crafted = "<".repeat(20_000);
    assertThatThrownBy(() -> Type.parse(crafted))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot parse type '" + "<".repeat(80) + "... (20000 characters)' at position 1000: types are"
            + " nested deeper than 1000 levels");
  }

  /**
   * Printing is linear in the width of a struct: 200,000 elements print and parse back in about 1.5 s (the printer
   * that copied its lines at every element took 26 s for the compact form alone). The 20 s bound leaves a wide
   * margin for a loaded machine while still failing the quadratic printer.
   */
  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aStructOf200000ElementsPrintsInLinearTimeAndParsesBack() {
    List<StructType.Field> fields = new ArrayList<>();
    for (int i = 0; i < 200_000; i++) {
      Type t = switch (i % 3) {
        case 0 -> TensorType.of(DType.FLOAT32, 2, TensorType.UNKNOWN);
        case 1 -> StructType.of(INT32, BOOL);
        default -> FederatedType.atClients(INT64);
      };
      fields.add(new StructType.Field(i % 2 == 0 ? "e" + i : null, t));
    }
    StructType wide = new StructType(fields);
    String compact = wide.toString();
    // Checked as booleans: a failure message quoting 3.6 million characters would help no one.
    assertThat(compact.startsWith("<e0=float32[2,?],<int32,bool>,e2={int64}@CLIENTS,float32[2,?],e4=<int32,bool>,"))
        .as("compact form starts").isTrue();
    assertThat(compact.endsWith(",{int64}@CLIENTS,e199998=float32[2,?],<int32,bool>>")).as("compact form ends").isTrue();
    Type parsed = Type.parse(compact);
    assertThat(parsed.equals(wide)).as("parse(compact) equals the type").isTrue();
    assertThat(parsed.toString().equals(compact)).as("print(parse(compact)) equals compact").isTrue();
    String formatted = wide.formatted();
    assertThat(formatted.startsWith("<\n  e0=float32[2,?],\n  <\n    int32,\n    bool\n  >,\n  e2={int64}@CLIENTS,\n"))
        .as("formatted form starts").isTrue();
    assertThat(formatted.endsWith("\n  e199998=float32[2,?],\n  <\n    int32,\n    bool\n  >\n>"))
        .as("formatted form ends").isTrue();
    assertThat(Type.parse(formatted).formatted().equals(formatted)).as("print(parse(formatted)) equals formatted")
        .isTrue();
  }
}
