package dev.cohort.core;

import static dev.cohort.core.Intrinsics.*;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.ast.Expr;
import dev.cohort.core.ast.IntrinsicDef;
import dev.cohort.core.runtime.ClientFailureException;
import dev.cohort.core.runtime.InProcessContext;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The semantics of every intrinsic, and the errors each raises at trace time. */
class IntrinsicsTest {
  private static final Computation PLUS = Computation.local("it.plus", StructType.of(FLOAT32, FLOAT32), FLOAT32,
      a -> ((Tensor) ((Struct) a).get(0)).add((Tensor) ((Struct) a).get(1)));
  private static final Computation DOUBLE = Computation.local("it.double", FLOAT32, FLOAT32, x -> ((Tensor) x).mul(2f));

  @SuppressWarnings("try") // the scope is the point: it installs the context
  private static Object call(Computation c, Object... args) {
    try (InProcessContext ctx = InProcessContext.builder().threads(2).defaultClients(3).build();
         ContextStack.Scope s = ContextStack.install(ctx)) {
      Object r = c.call(args);
      return r instanceof FederatedValue f && f.isAllEqual() ? f.value() : r;
    }
  }

  private static FederatedType clients(Type t) {
    return FederatedType.atClients(t);
  }

  @Test
  void weightedMeanMatchesTffsMeanFactoryCases() {
    // tff.md §7.2 (aggregators/mean_test.py): values [1,2,3], weights [3,2,1] -> 10/6; unweighted -> 2.0.
    Computation weighted = Computation.federated("weighted", "v", clients(FLOAT32), "w", clients(FLOAT32),
        (v, w) -> federatedMean(v, w));
    assertThat(((Tensor) call(weighted, List.of(1f, 2f, 3f), List.of(3f, 2f, 1f))).floatValue())
        .isEqualTo(10f * (1f / 6f));
    Computation intWeights = Computation.federated("int_weights", "v", clients(FLOAT32), "w", clients(INT32),
        (v, w) -> federatedMean(v, w));
    assertThat(((Tensor) call(intWeights, List.of(1f, 2f, 3f), List.of(3, 2, 1))).floatValue())
        .isEqualTo(10f * (1f / 6f));
    // Structures: [((1,2),3), ((2,5),4), ((3,0),5)] -> ((10/6, 16/6), 22/6) weighted, ((2, 7/3), 4) unweighted.
    StructType nested = StructType.of(StructType.of(FLOAT32, FLOAT32), FLOAT32);
    List<Object> values = List.of(List.of(List.of(1f, 2f), 3f), List.of(List.of(2f, 5f), 4f),
        List.of(List.of(3f, 0f), 5f));
    Computation structured = Computation.federated("structured", "v", clients(nested), "w", clients(FLOAT32),
        (v, w) -> List.of(federatedMean(v, w), federatedMean(v)));
    Struct r = (Struct) call(structured, values, List.of(3f, 2f, 1f));
    float sixth = 1f / 6f;
    assertThat(((FederatedValue) r.get(0)).value().toString())
        .isEqualTo("<<" + 10f * sixth + "," + 16f * sixth + ">," + 22f * sixth + ">");
    assertThat(((FederatedValue) r.get(1)).value().toString())
        .isEqualTo("<<2.0," + 7f * (1f / 3f) + ">,4.0>");
  }

  @Test
  void aMeanWhoseTotalWeightIsZeroFailsNamingTheIntrinsic() {
    Computation mean = Computation.federated("mean", clients(FLOAT32), x -> federatedMean(x));
    assertThatThrownBy(() -> call(mean, List.of()))
        .isInstanceOf(ArithmeticException.class)
        .hasMessage("federated_mean: the total weight is 0 (over 0 clients), so the mean is undefined");
    Computation weighted = Computation.federated("weighted", "v", clients(FLOAT32), "w", clients(INT32),
        (v, w) -> federatedMean(v, w));
    assertThatThrownBy(() -> call(weighted, List.of(1f, 2f, 3f), List.of(2, 0, -2)))
        .isInstanceOf(ArithmeticException.class)
        .hasMessage("federated_weighted_mean: the total weight is 0 (over 3 clients), so the mean is undefined");
    // The compiled form divides with generic_divide, which fails on a zero divisor too.
    assertThatThrownBy(() -> call(dev.cohort.core.compiler.Compiler.reduceIntrinsics(mean), List.of()))
        .isInstanceOf(ArithmeticException.class)
        .hasMessage("generic_divide: division by 0");
    Computation divide = Computation.federated("divide", "a", TensorType.of(DType.FLOAT32, 2), "b",
        TensorType.of(DType.FLOAT32, 2), (a, b) -> genericDivide(a, b));
    assertThatThrownBy(() -> call(divide, new float[] {1, 2}, new float[] {4, 0}))
        .hasMessage("generic_divide: division by 0 (element 1 of the divisor)");
  }

  @Test
  void minAndMaxOverNoClientsAreTheDtypeLimitsTheirRewritesStartFrom() {
    StructType both = StructType.of(FLOAT32, INT32);
    Computation extremes = Computation.federated("extremes", clients(both),
        x -> List.of(federatedMin(x), federatedMax(x), federatedSum(x)));
    String expected = "<<3.4028235E38,2147483647>,<-3.4028235E38,-2147483648>,<0.0,0>>";
    assertThat(call(extremes, List.of()).toString()).isEqualTo(expected);
    assertThat(call(dev.cohort.core.compiler.Compiler.reduceIntrinsics(extremes), List.of()).toString())
        .isEqualTo(expected);
  }

  @Test
  void sumMinMaxAndAggregate() {
    TensorType vec = TensorType.of(DType.INT32, 2);
    Computation c = Computation.federated("c", clients(vec), x -> List.of(federatedSum(x), federatedMin(x),
        federatedMax(x)));
    Struct r = (Struct) call(c, List.of(new int[] {1, 9}, new int[] {4, -2}, new int[] {3, 3}));
    assertThat(r.toString()).isEqualTo("<[8, 10],[1, -2],[4, 9]>");
    // Mean by aggregate: accumulate <sum,count>, report sum/count.
    StructType acc = StructType.of(FLOAT32, FLOAT32);
    Computation accumulate = Computation.local("it.acc", StructType.of(acc, FLOAT32), acc, a -> {
      Struct s = (Struct) ((Struct) a).get(0);
      return Struct.of(((Tensor) s.get(0)).add((Tensor) ((Struct) a).get(1)), ((Tensor) s.get(1)).add(1f));
    });
    Computation merge = Computation.local("it.merge", StructType.of(acc, acc), acc, a -> {
      Struct x = (Struct) ((Struct) a).get(0);
      Struct y = (Struct) ((Struct) a).get(1);
      return Struct.of(((Tensor) x.get(0)).add((Tensor) y.get(0)), ((Tensor) x.get(1)).add((Tensor) y.get(1)));
    });
    Computation report = Computation.local("it.report", acc, FLOAT32,
        a -> ((Tensor) ((Struct) a).get(0)).div((Tensor) ((Struct) a).get(1)));
    Computation mean = Computation.federated("agg_mean", clients(FLOAT32),
        x -> federatedAggregate(x, List.of(0f, 0f), accumulate, merge, report));
    assertThat(mean.typeSignature().toString()).isEqualTo("({float32}@CLIENTS -> float32@SERVER)");
    assertThat(call(mean, List.of(1f, 2f, 6f))).isEqualTo(Tensor.scalar(3f));
  }

  @Test
  void secureSumsHaveExactSemanticsAndCheckBounds() {
    Computation secure = Computation.federated("secure", clients(INT32), x -> List.of(federatedSecureSum(x, 6),
        federatedSecureSumBitwidth(x, 3), federatedSecureModularSum(x, 4)));
    // tff.md §7.2: SecureModularSum of [1,3,6] mod 4 is 2.
    Struct r = (Struct) call(secure, List.of(1, 3, 6));
    assertThat(r.toString()).isEqualTo("<10,10,2>");
    assertThatThrownBy(() -> call(secure, List.of(1, 7, 6)))
        .isInstanceOf(ClientFailureException.class)
        .hasMessage("federated_secure_sum: client 1 of 3 failed: federated_secure_sum: input 7 (element 0 of tensor 0)"
            + " is outside [0, 6] (max_input)");
    assertThatThrownBy(() -> call(secure, List.of(1, -1, 6)))
        .hasMessageContaining("input -1 (element 0 of tensor 0) is outside [0, 6]");
    Computation wide = Computation.federated("wide", clients(INT32), x -> federatedSecureSumBitwidth(x, 63));
    assertThatThrownBy(() -> call(wide, List.of(1)))
        .hasMessage("federated_secure_sum_bitwidth: bitwidth 63 is outside [1, 62]");
    StructType pair = StructType.of(INT32, TensorType.INT64);
    Computation perTensor = Computation.federated("per_tensor", clients(pair),
        x -> federatedSecureSum(x, List.of(5, 100L)));
    assertThat(call(perTensor, List.of(List.of(5, 70L), List.of(4, 30L))).toString()).isEqualTo("<9,100>");
    assertThat(IntrinsicDef.FEDERATED_SECURE_SUM.isSecure()).isTrue();
    assertThat(IntrinsicDef.FEDERATED_SUM.isSecure()).isFalse();
  }

  @Test
  void secureSumsRejectNonIntegerValuesAndMismatchedBounds() {
    assertThatThrownBy(() -> Computation.federated("bad", clients(FLOAT32), x -> federatedSecureSum(x, 3)))
        .isInstanceOf(TypeMismatchException.class)
        .hasMessage("federated_secure_sum: the members must be int32 or int64 tensors or structures of them, found"
            + " {float32}@CLIENTS");
    assertThatThrownBy(() -> Computation.federated("bad", clients(StructType.of(INT32, INT32)),
        x -> federatedSecureSum(x, List.of(1, 2, 3))))
        .hasMessage("federated_secure_sum: expected parameter max_input to match the structure of the value, with one"
            + " integer per tensor; found value members <int32,int32> and max_input <int32,int32,int32>")
        .hasNoCause();
  }

  /** Each rule lives once: a tree that was not traced (loaded, compiled, built by hand) gets the traced message. */
  @Test
  void untracedTreesGetTheMessagesTracingGives() {
    List<Runnable> traced = List.of(
        () -> Computation.federated("bad", clients(INT32), x -> federatedMean(x)),
        () -> Computation.federated("bad", FederatedType.atServer(FLOAT32), x -> federatedSum(x)),
        () -> Computation.federated("bad", clients(StructType.of(INT32, INT32)),
            x -> federatedSecureSum(x, List.of(1, 2, 3))),
        () -> Computation.federated("bad", clients(FLOAT32), x -> federatedBroadcast(x)));
    List<Runnable> untraced = List.of(
        () -> Expr.intrinsic(IntrinsicDef.FEDERATED_MEAN, Type.parse("({int32}@CLIENTS -> int32@SERVER)")),
        () -> Expr.intrinsic(IntrinsicDef.FEDERATED_SUM, Type.parse("(float32@SERVER -> float32@SERVER)")),
        () -> Expr.intrinsic(IntrinsicDef.FEDERATED_SECURE_SUM,
            Type.parse("(<{<int32,int32>}@CLIENTS,<int32,int32,int32>> -> <int32,int32>@SERVER)")),
        () -> Expr.intrinsic(IntrinsicDef.FEDERATED_BROADCAST, Type.parse("({float32}@CLIENTS -> float32@CLIENTS)")));
    for (int i = 0; i < traced.size(); i++) {
      Throwable fromTrace = org.assertj.core.api.Assertions.catchThrowable(traced.get(i)::run);
      assertThat(fromTrace).isInstanceOf(TypeMismatchException.class);
      assertThatThrownBy(untraced.get(i)::run).isInstanceOf(TypeMismatchException.class)
          .hasMessage(fromTrace.getMessage());
    }
  }

  @Test
  void aConcreteTypeWhoseResultDisagreesWithItsParameterIsRejectedNamingTheInstance() {
    assertThatThrownBy(() -> Expr.intrinsic(IntrinsicDef.FEDERATED_MEAN,
        Type.parse("({float32}@CLIENTS -> float32@CLIENTS)")))
        .isInstanceOf(TypeMismatchException.class)
        .hasMessage("federated_mean: type ({float32}@CLIENTS -> float32@CLIENTS) is not an instance of the signature"
            + " ({T}@CLIENTS -> T@SERVER); its parameter determines ({float32}@CLIENTS -> float32@SERVER)");
  }

  /** Every instance the rules compute instantiates the catalogue's polymorphic signature. */
  @Test
  void everyInstanceTheRulesComputeMatchesItsSignature() {
    Computation c = Computation.federated("all", "v", clients(FLOAT32), "s", FederatedType.atServer(FLOAT32),
        (v, s) -> List.of(federatedMean(v), federatedSum(v), federatedMin(v), federatedMax(v), federatedMap(DOUBLE, v),
            federatedApply(DOUBLE, s), federatedBroadcast(s), federatedZip(List.of(v, v)),
            federatedValue(1f, Placement.SERVER), federatedAggregate(v, 0f, PLUS, PLUS, DOUBLE)));
    List<Expr.Intrinsic> nodes = new java.util.ArrayList<>();
    dev.cohort.core.ast.Exprs.transformPostorder(c.expr(), e -> {
      if (e instanceof Expr.Intrinsic i) {
        nodes.add(i);
      }
      return e;
    });
    assertThat(nodes).extracting(Expr.Intrinsic::def).contains(IntrinsicDef.FEDERATED_APPLY,
        IntrinsicDef.FEDERATED_ZIP_AT_CLIENTS, IntrinsicDef.FEDERATED_AGGREGATE, IntrinsicDef.FEDERATED_MAP);
    for (Expr.Intrinsic i : nodes) {
      assertThat(instantiates(i.def().signature(), i.type(), new java.util.HashMap<>()))
          .as("%s at %s instantiates %s", i.def(), i.type(), i.def().signature()).isTrue();
    }
  }

  /** Whether {@code t} binds each abstract label of {@code sig} to one type consistently. */
  private static boolean instantiates(Type sig, Type t, java.util.Map<String, Type> b) {
    if (sig instanceof dev.cohort.core.types.AbstractType a) {
      Type bound = b.putIfAbsent(a.label(), t);
      return bound == null || bound.equals(t);
    } else if (sig instanceof StructType s) {
      if (!(t instanceof StructType ts) || ts.size() != s.size()) {
        return false;
      }
      for (int i = 0; i < s.size(); i++) {
        if (!instantiates(s.type(i), ts.type(i), b)) {
          return false;
        }
      }
      return true;
    } else if (sig instanceof SequenceType s) {
      return t instanceof SequenceType ts && instantiates(s.element(), ts.element(), b);
    } else if (sig instanceof dev.cohort.core.types.FunctionType f) {
      return t instanceof dev.cohort.core.types.FunctionType tf && (f.parameter() == null) == (tf.parameter() == null)
          && (f.parameter() == null || instantiates(f.parameter(), tf.parameter(), b))
          && instantiates(f.result(), tf.result(), b);
    } else if (sig instanceof FederatedType f) {
      return t instanceof FederatedType tf && tf.placement() == f.placement() && tf.allEqual() == f.allEqual()
          && instantiates(f.member(), tf.member(), b);
    }
    return sig.equals(t);
  }

  @Test
  void placementIntrinsics() {
    Computation c = Computation.federated("c", FederatedType.atServer(FLOAT32), x -> {
      Value atClients = federatedBroadcast(x);
      Value doubled = federatedMapAllEqual(DOUBLE, atClients);
      Value mapped = federatedMap(DOUBLE, atClients);
      Value applied = federatedMap(DOUBLE, x);
      Value zipped = federatedZip(List.of(x, applied));
      Value evaluated = federatedEval(Computation.local("it.seven", null, FLOAT32, a -> 7f), Placement.CLIENTS);
      Value placed = federatedValue(1f, Placement.CLIENTS);
      return List.of(federatedSum(doubled), federatedSum(mapped), applied, zipped, federatedSum(evaluated),
          federatedSum(placed), federatedValue(3f, Placement.SERVER));
    });
    assertThat(c.typeSignature().toString()).isEqualTo("(float32@SERVER -> <float32@SERVER,float32@SERVER,"
        + "float32@SERVER,<float32,float32>@SERVER,float32@SERVER,float32@SERVER,float32@SERVER>)");
    assertThat(call(c, 1.5f).toString()).isEqualTo("<9.0,9.0,3.0,<1.5,3.0>,21.0,3.0,3.0>");
  }

  @Test
  void federatedSelectReturnsEachClientsSequenceInKeyOrder() {
    TensorType keys = TensorType.of(DType.INT32, 2);
    Computation pick = Computation.local("it.pick", StructType.of(TensorType.of(DType.FLOAT32, 4), INT32), FLOAT32,
        a -> ((Tensor) ((Struct) a).get(0)).getFloat(((Tensor) ((Struct) a).get(1)).intValue()));
    Computation select = Computation.federated("select", "keys", clients(keys), "table",
        FederatedType.atServer(TensorType.of(DType.FLOAT32, 4)),
        (k, table) -> federatedSelect(k, federatedValue(3, Placement.SERVER), table, pick));
    assertThat(select.typeSignature().toString())
        .isEqualTo("(<keys={int32[2]}@CLIENTS,table=float32[4]@SERVER> -> {float32*}@CLIENTS)");
    Object r = call(select, List.of(new int[] {3, 0}, new int[] {1, 1}), new float[] {10, 11, 12, 13});
    assertThat(r.toString()).isEqualTo("[[13.0, 10.0], [11.0, 11.0]]");
    assertThatThrownBy(() -> call(select, List.of(new int[] {4, 0}), new float[] {10, 11, 12, 13}))
        .hasMessageContaining("key 4 of client 0 is outside [0, max_key = 3]");
    Computation secure = Computation.federated("secure_select", "keys", clients(keys), "table",
        FederatedType.atServer(TensorType.of(DType.FLOAT32, 4)),
        (k, table) -> federatedSecureSelect(k, federatedValue(3, Placement.SERVER), table, pick));
    assertThat(secure.typeSignature()).isEqualTo(select.typeSignature());
    assertThat(secure.expr().toString()).contains("federated_secure_select").doesNotContain("federated_select(");
    assertThat(IntrinsicDef.FEDERATED_SECURE_SELECT.isSecure()).isTrue();
    assertThat(call(secure, List.of(new int[] {3, 0}, new int[] {1, 1}), new float[] {10, 11, 12, 13}).toString())
        .isEqualTo(r.toString());
  }

  @Test
  void sequenceAndGenericIntrinsics() {
    SequenceType seq = SequenceType.of(FLOAT32);
    Computation c = Computation.federated("c", seq, s -> {
      Value doubled = sequenceMap(DOUBLE, s);
      return List.of(sequenceSum(doubled), sequenceReduce(s, 10f, PLUS), genericPlus(1f, 2f),
          genericMultiply(List.of(2f, 3f), 2f), genericDivide(9f, 3), genericZero(StructType.of(INT32, FLOAT32)));
    });
    assertThat(call(c, List.of(1f, 2f, 3f)).toString()).isEqualTo("<12.0,16.0,3.0,<4.0,6.0>,3.0,<0,0.0>>");
    Computation perClient = Computation.federated("per_client", clients(seq),
        s -> federatedSum(sequenceReduce(s, 0f, PLUS)));
    assertThat(call(perClient, List.of(List.of(1f, 2f), List.of(3f))).toString()).isEqualTo("6.0");
  }

  @Test
  void aScalarOperandThatWouldLosePrecisionIsATypeError() {
    Tensor ints = Tensor.ofInts(new int[] {10, 20, 31}, 3);
    assertThatThrownBy(() -> Computation.federated("bad", FLOAT32, x -> genericMultiply(ints, x)))
        .isInstanceOf(TypeMismatchException.class)
        .hasMessage("generic_multiply: the scalar second operand float32 would be cast to the first operand's dtype,"
            + " losing precision, in int32[3]; use a scalar of the first operand's dtype (an integer scalar may scale"
            + " float32 values) (type (<int32[3],float32> -> int32[3]))");
    assertThatThrownBy(() -> Computation.federated("bad", TensorType.INT64,
        x -> genericMultiply(List.of(1f, ints), x)))
        .hasMessageStartingWith("generic_multiply: the scalar second operand int64 would be cast to the first"
            + " operand's dtype, losing precision, in <float32,int32[3]>");
    // Lossless scalars are converted: an integer onto float32, int32 onto int64; division takes integer scalars.
    Computation scaled = Computation.federated("scaled", INT32, k -> List.of(genericMultiply(ints, k),
        genericMultiply(List.of(0.5f, 3L), k), genericDivide(List.of(1f, 3f), k)));
    assertThat(call(scaled, 2).toString()).isEqualTo("<[20, 40, 62],<1.0,6>,<0.5,1.5>>");
  }

  @Test
  void traceTimeErrorsNameTheIntrinsicTheExpectedAndTheActualType() {
    assertThatThrownBy(() -> Computation.federated("bad", clients(INT32), x -> federatedMap(DOUBLE, x)))
        .isInstanceOf(TypeMismatchException.class)
        .hasMessage("federated_map: the mapping function expects a parameter of type float32, but member constituents"
            + " of the mapped value are of incompatible type int32");
    assertThatThrownBy(() -> Computation.federated("bad", clients(FLOAT32), x -> federatedBroadcast(x)))
        .hasMessage("federated_broadcast: expected the value to be broadcast to be a federated value placed at SERVER,"
            + " found {float32}@CLIENTS (placed at CLIENTS)");
    assertThatThrownBy(() -> Computation.federated("bad", clients(FLOAT32), x -> federatedMapAllEqual(DOUBLE, x)))
        .hasMessage("federated_map_all_equal: expected an all-equal CLIENTS value (T@CLIENTS), found {float32}@CLIENTS");
    assertThatThrownBy(() -> Computation.federated("bad", FLOAT32, x -> federatedSum(x)))
        .hasMessage("federated_sum: expected the value to be summed to be a federated value placed at CLIENTS, found"
            + " float32 (not federated)");
    assertThatThrownBy(() -> Computation.federated("bad", clients(FLOAT32), x -> PLUS.apply(x, x)))
        .hasMessage("computation 'it.plus' of type (<float32,float32> -> float32) expects an argument of type"
            + " <float32,float32>, found <{float32}@CLIENTS,{float32}@CLIENTS>");
    assertThatThrownBy(() -> Computation.federated("bad", FLOAT32, x -> PLUS.apply(x)))
        .hasMessage("computation 'it.plus' of type (<float32,float32> -> float32) expects an argument of type"
            + " <float32,float32>, found float32");
    assertThatThrownBy(() -> Computation.federated("bad", FLOAT32, x -> PLUS.apply(x, x, x)))
        .hasMessage("computation 'it.plus' of type (<float32,float32> -> float32) takes 2 arguments, got 3");
    Computation takesA = Computation.local("it.takes_a", StructType.named("a", FLOAT32), FLOAT32,
        s -> ((Struct) s).get("a"));
    assertThatThrownBy(() -> Computation.federated("bad", StructType.named("b", FLOAT32), x -> takesA.apply(x)))
        .hasMessage("computation 'it.takes_a' of type (<a=float32> -> float32) expects an argument of type <a=float32>,"
            + " found <b=float32>");
    assertThatThrownBy(() -> Computation.federated("bad", StructType.named("a", FLOAT32), x -> x.get("b")))
        .hasMessage("selection: error selecting named field 'b' from type <a=float32>, whose only named fields are [a]");
    assertThatThrownBy(() -> Computation.federated("bad", clients(FLOAT32),
        x -> federatedAggregate(x, 0, PLUS, PLUS, DOUBLE)))
        .hasMessage("federated_aggregate: expected zero to be assignable to type float32, but was of incompatible type"
            + " int32");
    assertThatThrownBy(() -> Computation.federated("bad", clients(FLOAT32), x -> genericPlus(x, 1f)))
        .hasMessage("generic_plus: expected the first operand to be non-federated, found {float32}@CLIENTS");
  }

  @Test
  void federatedStructsSelectElementwise() {
    StructType ab = StructType.named("a", FLOAT32, "b", INT32);
    Computation c = Computation.federated("c", clients(ab), x -> List.of(federatedSum(x.get("a")),
        federatedSum(x.get(1))));
    assertThat(call(c, List.of(List.of(1f, 2), List.of(3f, 4))).toString()).isEqualTo("<4.0,6>");
  }
}
