package dev.cohort.core.ast;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedMax;
import static dev.cohort.core.Intrinsics.federatedSum;
import static dev.cohort.core.Intrinsics.federatedZip;
import static dev.cohort.core.Intrinsics.genericMultiply;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.Computation;
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link Inlining#inline}: nested computations become one block per federated lambda, with the types of the
 * original, fresh names, and the same results.
 */
class InliningTest {
  private static final FederatedType CLIENT_FLOATS = FederatedType.atClients(FLOAT32);

  /** {@code <state, result = x * scale, measurements = sum(x)>}, the shape of a process's next. */
  private static final Computation SCALE = Computation.local("inlining.scale", FLOAT32, FLOAT32,
      v -> ((Tensor) v).mul(Tensor.scalar(3f)));
  private static final Computation INNER = Computation.federated("inner", "state", FederatedType.atServer(FLOAT32),
      "x", CLIENT_FLOATS, (state, x) -> {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", state);
        out.put("result", federatedMap(SCALE, x));
        out.put("measurements", federatedSum(x));
        return out;
      });
  /** Two nested calls, the second reading the first's result through its struct; a parameter named as INNER's. */
  private static final Computation OUTER = Computation.federated("outer", "state", FederatedType.atServer(FLOAT32),
      "x", CLIENT_FLOATS, (state, x) -> {
        Value first = INNER.apply(state, x);
        Value second = INNER.apply(first.get("state"), first.get("result"));
        return List.of(second.get("measurements"), first.get("measurements"), federatedMax(second.get("result")));
      });

  private static FederatedValue clients() {
    List<Object> members = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      members.add(Tensor.scalar((float) Math.scalb(Math.sin(i), i % 5 - 2)));
    }
    return FederatedValue.atClients(members);
  }

  private static void binders(Expr e, List<String> out) {
    if (e instanceof Expr.Lambda l && l.parameterName() != null) {
      out.add(l.parameterName());
    } else if (e instanceof Expr.Block b) {
      b.locals().forEach(binding -> out.add(binding.name()));
    }
    e.children().forEach(c -> binders(c, out));
  }

  private static boolean callsALambda(Expr e) {
    return Exprs.contains(e, x -> x instanceof Expr.Call c && c.function() instanceof Expr.Lambda);
  }

  @Test
  void nestedCallsBecomeOneBlockWithTheOriginalTypeAndFreshNames() {
    Expr original = OUTER.expr();
    Expr inlined = Inlining.inline(original);
    assertThat(callsALambda(original)).isTrue();
    assertThat(inlined.type()).isEqualTo(original.type());
    Exprs.checkClosed(inlined);
    Expr.Lambda lambda = (Expr.Lambda) inlined;
    assertThat(lambda.result()).isInstanceOf(Expr.Block.class);
    Expr.Block body = (Expr.Block) lambda.result();
    for (Expr.Binding binding : body.locals()) {
      assertThat(binding.value()).isNotInstanceOf(Expr.Block.class);
      assertThat(callsALambda(binding.value())).as(binding.name()).isFalse();
    }
    List<String> names = new ArrayList<>();
    binders(inlined, names);
    List<String> before = new ArrayList<>();
    binders(original, before);
    assertThat(new HashSet<>(names)).hasSameSizeAs(names).doesNotContainAnyElementsOf(before);
  }

  @Test
  void theInlinedTreeComputesWhatTheOriginalComputes() {
    FederatedValue x = clients();
    Struct out = (Struct) OUTER.call(2f, x);
    Struct inlined = (Struct) Computation.of("outer_inlined", Inlining.inline(OUTER.expr())).call(2f, x);
    assertThat(inlined).isEqualTo(out);
    // The values, computed here: sum(x), sum(3x) and max(3 * 3x), each in client order in float32.
    float sum = 0;
    float sum3 = 0;
    float max = -Float.MAX_VALUE;
    for (int i = 0; i < x.size(); i++) {
      float v = ((Tensor) x.member(i)).floatValue();
      sum += v;
      sum3 += v * 3f;
      max = Math.max(max, v * 3f * 3f);
    }
    assertThat(((FederatedValue) out.get(0)).value()).isEqualTo(Tensor.scalar(sum3));
    assertThat(((FederatedValue) out.get(1)).value()).isEqualTo(Tensor.scalar(sum));
    assertThat(((FederatedValue) out.get(2)).value()).isEqualTo(Tensor.scalar(max));
  }

  @Test
  void aNarrowerArgumentIsInlinedWhereTheResultKeepsItsType() {
    // An all-equal CLIENTS value for a CLIENTS parameter: the body's nodes narrow, its SERVER result does not.
    Computation sum = Computation.federated("sum_of", "x", CLIENT_FLOATS, x -> federatedSum(x));
    Computation identity = Computation.federated("identity", "x", CLIENT_FLOATS, x -> x);
    Computation outer = Computation.federated("narrow", "s", FederatedType.atServer(FLOAT32), "x", CLIENT_FLOATS,
        (s, x) -> {
          Value all = federatedBroadcast(s);
          return List.of(sum.apply(all), identity.apply(all), sum.apply(x));
        });
    Expr inlined = Inlining.inline(outer.expr());
    assertThat(inlined.type()).isEqualTo(outer.expr().type());
    Exprs.checkClosed(inlined);
    Expr.Block body = (Expr.Block) ((Expr.Lambda) inlined).result();
    // sum_of is inlined (its result is SERVER either way); identity is kept: inlined, its result would be all-equal.
    long kept = body.locals().stream().filter(b -> callsALambda(b.value())).count();
    assertThat(kept).isEqualTo(1);
    Object expected = outer.call(5f, clients());
    assertThat(Computation.of("narrow_inlined", inlined).call(5f, clients())).isEqualTo(expected);
    // 5 at each of the 7 clients, summed in float32.
    assertThat(((FederatedValue) ((Struct) expected).get(0)).value()).isEqualTo(Tensor.scalar(5f * 7));
  }

  @Test
  void aClientsParameterAndItsSelectionsAreReadThroughOneLocal() {
    Computation c = Computation.federated("reads", "w", FederatedType.atServer(FLOAT32), "x", CLIENT_FLOATS,
        (w, x) -> List.of(federatedSum(x), federatedMax(x),
            federatedSum(federatedMap(Computation.federated("times", "p", dev.cohort.core.types.StructType.of(FLOAT32,
                FLOAT32), p -> genericMultiply(p.get(0), p.get(1))), federatedZip(List.of(x, x))))));
    Expr.Lambda inlined = (Expr.Lambda) Inlining.inline(c.expr());
    Expr.Block body = (Expr.Block) inlined.result();
    List<Expr.Binding> selections = body.locals().stream().filter(b -> b.value() instanceof Expr.Selection).toList();
    assertThat(selections).hasSize(1);
    String local = selections.get(0).name();
    Set<String> free = new HashSet<>();
    for (Expr.Binding b : body.locals()) {
      free.addAll(Exprs.freeNames(b.value()));
    }
    String parameter = inlined.parameterName();
    assertThat(free).contains(local);
    // Only the selection reads the parameter: the three reads of x read its local.
    assertThat(body.locals().stream().filter(b -> Exprs.freeNames(b.value()).contains(parameter)).count())
        .isEqualTo(1);
  }
}
