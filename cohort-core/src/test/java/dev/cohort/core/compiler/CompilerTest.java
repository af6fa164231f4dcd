package dev.cohort.core.compiler;

import static dev.cohort.core.Intrinsics.*;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.Computation;
import dev.cohort.core.ContextStack;
import dev.cohort.core.Value;
import dev.cohort.core.ast.Expr;
import dev.cohort.core.ast.Exprs;
import dev.cohort.core.ast.IntrinsicDef;
import dev.cohort.core.runtime.InProcessContext;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompilerTest {
  private static final TensorType VEC = TensorType.of(DType.FLOAT32, 2);
  private static final StructType EXAMPLE = StructType.named("x", VEC, "y", FLOAT32);
  private static final SequenceType DATA = SequenceType.of(EXAMPLE);

  /** One SGD step of linear regression on one example: w - 0.1 * (w.x - y) * x. */
  private static final Computation STEP = Computation.local("mrf.step", StructType.of(VEC, EXAMPLE), VEC, a -> {
    Tensor w = (Tensor) ((Struct) a).get(0);
    Struct e = (Struct) ((Struct) a).get(1);
    Tensor x = (Tensor) e.get("x");
    float err = w.mul(x).sum().floatValue() - ((Tensor) e.get("y")).floatValue();
    return w.sub(x.mul(0.1f * err));
  });
  private static final Computation COUNT = Computation.local("mrf.count", DATA, INT32, s -> ((Sequence) s).toList().size());
  private static final Computation LOSS = Computation.local("mrf.loss", StructType.of(VEC, DATA), FLOAT32, a -> {
    Tensor w = (Tensor) ((Struct) a).get(0);
    float total = 0f;
    for (Object o : (Sequence) ((Struct) a).get(1)) {
      Struct e = (Struct) o;
      float err = w.mul((Tensor) e.get("x")).sum().floatValue() - ((Tensor) e.get("y")).floatValue();
      total += err * err;
    }
    return total;
  });
  private static final Computation HALVE = Computation.local("mrf.halve", VEC, VEC, w -> ((Tensor) w).mul(0.5f));

  /** A FedAvg round in TFF's canonical MapReduceForm type, with secure sums of the example counts. */
  static Computation fedAvgRound() {
    Computation localTrain = Computation.federated("local_train", "model", VEC, "data", DATA,
        (model, data) -> sequenceReduce(data, model, STEP));
    return Computation.federated("round", "model", FederatedType.atServer(VEC), "data", FederatedType.atClients(DATA),
        (model, data) -> {
          Value start = federatedMap(HALVE, model);
          Value atClients = federatedBroadcast(start);
          Value trained = federatedMap(localTrain, List.of(atClients, data));
          Value counts = federatedMap(COUNT, data);
          Value newModel = federatedMean(trained, counts);
          Value loss = federatedMean(federatedMap(LOSS, List.of(atClients, data)));
          return Struct.named("model", federatedMap(HALVE, newModel),
              "metrics", Struct.named("loss", loss, "examples", federatedSecureSumBitwidth(counts, 16),
                  "checked", federatedSecureSum(counts, 50), "mod", federatedSecureModularSum(counts, 5),
                  "max_loss", federatedMax(federatedMap(LOSS, List.of(atClients, data))),
                  "server_sum", federatedMap(Computation.local("mrf.add", StructType.of(VEC, VEC), VEC,
                      p -> ((Tensor) ((Struct) p).get(0)).add((Tensor) ((Struct) p).get(1))),
                      List.of(model, newModel))));
        });
  }

  static List<Object> clientData(int clients) {
    List<Object> out = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      List<Object> examples = new ArrayList<>();
      for (int i = 0; i <= c % 4; i++) {
        examples.add(Struct.named("x", new float[] {0.5f + c, 1f - 0.25f * i}, "y", 0.1f * (c - i)));
      }
      examples.add(Struct.named("x", new float[] {1.5f, -2f}, "y", 0.7f));
      out.add(examples);
    }
    return out;
  }

  @SuppressWarnings("try") // the scope is the point: it installs the context
  private static Object run(int threads, Computation c, Object... args) {
    try (InProcessContext ctx = InProcessContext.builder().threads(threads).build();
         ContextStack.Scope s = ContextStack.install(ctx)) {
      return c.call(args);
    }
  }

  @Test
  void reducedIntrinsicsComputeTheSameBits() {
    Computation stats = Computation.federated("stats", "v", FederatedType.atClients(VEC), "w",
        FederatedType.atClients(INT32), (v, w) -> List.of(federatedMean(v), federatedMean(v, w), federatedSum(v),
            federatedMin(v), federatedMax(w), federatedSum(w)));
    Computation reduced = Compiler.reduceIntrinsics(stats);
    assertThat(reduced.typeSignature()).isEqualTo(stats.typeSignature());
    for (IntrinsicDef gone : List.of(IntrinsicDef.FEDERATED_MEAN, IntrinsicDef.FEDERATED_WEIGHTED_MEAN,
        IntrinsicDef.FEDERATED_SUM, IntrinsicDef.FEDERATED_MIN, IntrinsicDef.FEDERATED_MAX)) {
      assertThat(Exprs.contains(reduced.expr(), e -> e instanceof Expr.Intrinsic i && i.def() == gone)).isFalse();
    }
    List<Object> v = new ArrayList<>();
    List<Object> w = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      v.add(new float[] {(float) Math.sin(i) * 1e3f, (float) Math.cos(i * 0.37) / 7f});
      w.add(1 + i % 5);
    }
    Object direct = run(3, stats, v, w);
    assertThat(run(1, reduced, v, w)).isEqualTo(direct);
    assertThat(run(4, reduced, v, w)).isEqualTo(direct);
    // The tutorial's mean, through federated_aggregate: still 69.53334 (tff.md §1.9).
    Computation mean = Compiler.reduceIntrinsics(Computation.federated("get_average_temperature",
        FederatedType.atClients(FLOAT32), x -> federatedMean(x)));
    assertThat(((FederatedValue) run(2, mean, List.of(68.5, 70.3, 69.8))).value().toString()).isEqualTo("69.53334");
  }

  @Test
  void sequenceSumReducesToSequenceReduce() {
    Computation c = Computation.federated("c", SequenceType.of(VEC), s -> sequenceSum(s));
    Computation reduced = Compiler.reduceIntrinsics(c);
    assertThat(Exprs.contains(reduced.expr(), e -> e instanceof Expr.Intrinsic i
        && i.def() == IntrinsicDef.SEQUENCE_REDUCE)).isTrue();
    List<Object> s = List.of(new float[] {1, 2}, new float[] {0.1f, 0.2f}, new float[] {3, 4});
    assertThat(reduced.call(s)).isEqualTo(c.call(s));
  }

  @Test
  void mapReduceFormOfTheTutorialMeanHasTffsParts() {
    Computation mean = Computation.federated("get_average_temperature", FederatedType.atClients(FLOAT32),
        x -> federatedMean(x));
    MapReduceForm form = Compiler.toMapReduceForm(mean);
    assertThat(form.summary()).isEqualTo(String.join("\n",
        "prepare: (<> -> <>)",
        "work: (<float32,<>> -> <<<float32,float32>>,<>,<>,<>>)",
        "zero: ( -> <<float32,float32>>)",
        "accumulate: (<<<float32,float32>>,<<float32,float32>>> -> <<float32,float32>>)",
        "merge: (<<<float32,float32>>,<<float32,float32>>> -> <<float32,float32>>)",
        "report: (<<float32,float32>> -> <<float32,float32>>)",
        "secure_sum_bitwidth: ( -> <>)",
        "secure_sum_max_input: ( -> <>)",
        "secure_modular_sum_modulus: ( -> <>)",
        "update: (<<>,<<<float32,float32>>,<>,<>,<>>> -> float32)", ""));
    assertThat(form.securelyAggregates()).isFalse();
    Computation wired = form.toComputation();
    assertThat(wired.typeSignature()).isEqualTo(mean.typeSignature());
    // tff.md §1.9: 69.53334, through prepare, work, aggregate and update.
    assertThat(((FederatedValue) run(2, wired, List.of(68.5, 70.3, 69.8))).value().toString()).isEqualTo("69.53334");
  }

  @Test
  void mapReduceFormOfAFedAvgRoundWithSecureSumsRunsToTheSameResult() {
    Computation round = fedAvgRound();
    MapReduceForm form = Compiler.toMapReduceForm(round);
    assertThat(form.prepare().typeSignature().toString()).isEqualTo("(float32[2] -> <float32[2]>)");
    assertThat(form.work().typeSignature().parameter().toString())
        .isEqualTo("<<x=float32[2],y=float32>*,<float32[2]>>");
    assertThat(form.secureSumBitwidth().typeSignature().toString()).isEqualTo("( -> <int32>)");
    assertThat(form.secureSumMaxInput().typeSignature().toString()).isEqualTo("( -> <int32>)");
    assertThat(form.secureModularSumModulus().typeSignature().toString()).isEqualTo("( -> <int32>)");
    assertThat(form.update().typeSignature().result().toString()).isEqualTo(
        "<model=float32[2],metrics=<loss=float32,examples=int32,checked=int32,mod=int32,max_loss=float32,"
            + "server_sum=float32[2]>>");
    assertThat(form.securelyAggregates()).isTrue();
    Computation wired = form.toComputation();
    assertThat(wired.typeSignature()).isEqualTo(round.typeSignature());
    float[] model = {0.3f, -0.2f};
    Object direct = run(3, round, model, clientData(9));
    assertThat(run(1, wired, model, clientData(9))).isEqualTo(direct);
    assertThat(run(4, wired, model, clientData(9))).isEqualTo(direct);
    Struct metrics = (Struct) ((Struct) direct).get("metrics");
    // 9 clients with 2,3,4,5,2,3,4,5,2 examples: 30 in all; 30 mod 5 = 0.
    assertThat(((FederatedValue) metrics.get("examples")).value()).isEqualTo(Tensor.scalar(30));
    assertThat(((FederatedValue) metrics.get("mod")).value()).isEqualTo(Tensor.scalar(0));
    // A client over the secure sum's bound fails the form's run as it fails the original.
    List<Object> big = clientData(2);
    List<Object> many = new ArrayList<>((List<?>) big.get(1));
    for (int i = 0; i < 60; i++) {
      many.add(((List<?>) big.get(1)).get(0));
    }
    big.set(1, many);
    assertThatThrownBy(() -> run(2, wired, model, big))
        .hasMessageContaining("client 1 of 2 failed").hasMessageContaining("is outside [0, 50] (max_input)");
  }

  @Test
  void mergingPartialAccumulatorsEqualsOneFold() {
    Computation sums = Computation.federated("sums", FederatedType.atClients(INT32),
        x -> List.of(federatedSum(x), federatedMax(x)));
    MapReduceForm form = Compiler.toMapReduceForm(sums);
    int[] values = {4, 9, -3, 7, 7, 1};
    Object one = form.zero().call();
    Object groupA = form.zero().call();
    Object groupB = form.zero().call();
    for (int i = 0; i < values.length; i++) {
      Object update = ((Struct) form.work().call(values[i], Struct.empty())).get(0);
      one = form.accumulate().call(one, update);
      if (i < 2) {
        groupA = form.accumulate().call(groupA, update);
      } else {
        groupB = form.accumulate().call(groupB, update);
      }
    }
    Object merged = form.merge().call(groupA, groupB);
    assertThat(form.report().call(merged)).isEqualTo(form.report().call(one));
    assertThat(form.report().call(one).toString()).isEqualTo("<25,9>");
  }

  @Test
  void partsSerializeAndRunAfterLoading() {
    MapReduceForm form = Compiler.toMapReduceForm(fedAvgRound());
    Computation work = Computation.deserialize(form.work().serialize());
    Object input = List.of(clientData(3).get(2), List.of(new float[] {0.1f, 0.2f}));
    assertThat(work.call(input)).isEqualTo(form.work().call(input));
  }

  @Test
  void computationsWithMoreThanOneRoundAreRejectedNamingTheConstruct() {
    Computation twoRounds = Computation.federated("two_rounds", "model", FederatedType.atServer(FLOAT32), "data",
        FederatedType.atClients(FLOAT32), (model, data) -> {
          Value first = federatedMean(data);
          Value again = federatedBroadcast(first);
          return federatedSum(federatedMap(Computation.local("mrf.addf", StructType.of(FLOAT32, FLOAT32), FLOAT32,
              p -> ((Tensor) ((Struct) p).get(0)).add((Tensor) ((Struct) p).get(1))), List.of(again, data)));
        });
    assertThatThrownBy(() -> Compiler.toMapReduceForm(twoRounds))
        .isInstanceOf(CompilerException.class)
        .hasMessage("not compatible with MapReduceForm (one broadcast/aggregate round): federated_broadcast sends a"
            + " value computed after an aggregation");
    Computation atClients = Computation.federated("at_clients", FederatedType.atClients(FLOAT32),
        x -> federatedMap(Computation.local("mrf.neg", FLOAT32, FLOAT32, v -> ((Tensor) v).neg()), x));
    assertThatThrownBy(() -> Compiler.toMapReduceForm(atClients))
        .hasMessage("not compatible with MapReduceForm: the result {float32}@CLIENTS has values placed at CLIENTS;"
            + " every result must be placed at SERVER");
    Computation halfPlaced = Computation.federated("half_placed", FederatedType.atClients(FLOAT32),
        x -> List.of(federatedMean(x), 1f));
    assertThatThrownBy(() -> Compiler.toMapReduceForm(halfPlaced))
        .isInstanceOf(CompilerException.class)
        .hasMessage("not compatible with MapReduceForm: the result <float32@SERVER,float32> has an unplaced value"
            + " (result[1] is float32); every result must be placed at SERVER (place a constant with"
            + " federated_value(x, SERVER))");
    Computation nestedClients = Computation.federated("nested_clients", FederatedType.atClients(FLOAT32),
        x -> Struct.named("mean", federatedMean(x), "values", x));
    assertThatThrownBy(() -> Compiler.toMapReduceForm(nestedClients))
        .hasMessage("not compatible with MapReduceForm: the result <mean=float32@SERVER,values={float32}@CLIENTS> has"
            + " values placed at CLIENTS (result.values is {float32}@CLIENTS); every result must be placed at"
            + " SERVER");
    Computation unknownShape = Computation.federated("unknown", FederatedType.atClients(
        TensorType.of(DType.FLOAT32, TensorType.UNKNOWN)), x -> federatedSum(x));
    assertThatThrownBy(() -> Compiler.toMapReduceForm(unknownShape))
        .hasMessage("federated_sum over float32[?] cannot be rewritten to federated_aggregate: its zero needs a fully"
            + " known shape");
  }
}
