package dev.cohort.learning.algorithms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.Computation;
import dev.cohort.core.ast.Expr;
import dev.cohort.core.ast.Exprs;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.optimizers.LearningRateSchedule;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.Communication;
import dev.cohort.learning.templates.LearningProcess;
import dev.cohort.testing.SecondJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's portability: learning processes' {@code initialize} and {@code next}, serialized here, load in a second
 * JVM process that never builds them ({@link PortableProcessMain}) and run a round to the same bits; one process per
 * algorithm whose local functions carry configuration (client and server optimizers, weighting, proximal strength,
 * learning-rate schedule, Mime-Lite's base optimizer, evaluation metrics, k-means shapes).
 */
class PortableProcessTest {
  /** The schedule both JVMs define by running this code. */
  static final LearningRateSchedule SCHEDULE = new LearningRateSchedule("test.portable.halving",
      r -> 0.1 * Math.pow(0.5, r));

  private static Map<String, LearningProcess> processes() {
    FunctionalModel model = FedAvgTest.model();
    Map<String, LearningProcess> out = new LinkedHashMap<>();
    // Momentum and Adam: optimizers whose state and hyper-parameters the second JVM rebuilds only from the files.
    out.put("fed_avg", FedAvg.weighted(model, Optimizer.sgdm(0.1, 0.9), Optimizer.adam(0.05)));
    out.put("fed_avg_communication", Communication.measured(FedAvg.unweighted(model, Optimizer.sgdm(0.1),
        Optimizer.sgdm(1.0))));
    out.put("fed_prox", FedProx.unweighted(model, 0.3, Optimizer.sgdm(0.1), Optimizer.yogi(0.02)));
    out.put("scheduled_fed_avg", ScheduledFedAvg.of(model, SCHEDULE, Optimizer.adagrad(0.1)));
    out.put("fed_sgd", FedSgd.of(model, Optimizer.rmsprop(0.01)));
    out.put("mime_lite", MimeLite.scheduled(model, SCHEDULE, Optimizer.adam(0.01), Optimizer.sgdm(1.0, 0.5)));
    out.put("mime_lite_unweighted", MimeLite.unweighted(model, Optimizer.sgdm(0.05, 0.9)));
    out.put("fed_eval", FedEval.of(model));
    out.put("fed_multi_model_eval", FedMultiModelEval.of(List.of(model, model)));
    out.put("kmeans", FedKMeans.of(3, new int[] {2}, 11));
    return out;
  }

  /** The round's client data of the process saved under {@code name}. */
  static List<Sequence> data(String name) {
    return name.equals("kmeans") ? FedKMeansTest.data() : FedAvgTest.clients(3);
  }

  /** A personalization evaluation with the stock fine-tuning strategy, sampling 2 of 3 clients. */
  static Computation personalization() {
    FunctionalModel model = FedAvgTest.model();
    return PersonalizationEval.build("test.portable.p13n", model,
        List.of(PersonalizationEval.fineTune("adam", model, Optimizer.adam(0.01), 2)), 2, 17);
  }

  static List<Struct> personalizationData() {
    List<Struct> out = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      out.add(Struct.named("train_data", Sequence.of(FedAvgTest.clientBatches(c)), "test_data",
          Sequence.of(FedAvgTest.clientBatches(c + 3))));
    }
    return out;
  }

  @Test
  void aSecondJvmLoadsInitializeAndNextAndRunsARoundToTheSameBits(@TempDir Path dir) throws Exception {
    Computation p13n = personalization();
    p13n.save(dir.resolve("personalization.cohort"));
    String p13nHere = PortableProcessMain.bits(p13n.call(FedAvgTest.model().initialWeights().toValue(),
        personalizationData()));
    Map<String, String> here = new LinkedHashMap<>();
    for (Map.Entry<String, LearningProcess> e : processes().entrySet()) {
      LearningProcess p = e.getValue();
      Path sub = Files.createDirectory(dir.resolve(e.getKey()));
      p.initialize().save(sub.resolve("initialize.cohort"));
      p.next().save(sub.resolve("next.cohort"));
      here.put(e.getKey(), PortableProcessMain.bits(p.next().call(p.initialize().call(), data(e.getKey()))));
    }
    assertThat(Exprs.contains(processes().get("fed_avg").next().expr(), e -> e instanceof Expr.Local l
        && l.name().equals("learning.optimizers.next") && l.parameters().toString().contains("Adam"))).isTrue();

    SecondJvm.run(PortableProcessMain.class, dir.resolve("child.log"), dir.toString());
    for (Map.Entry<String, String> e : here.entrySet()) {
      String there = Files.readString(dir.resolve(e.getKey()).resolve("round.txt"), StandardCharsets.UTF_8);
      assertThat(there).as(e.getKey()).isEqualTo(e.getValue()).contains("SERVER{");
    }
    assertThat(Files.readString(dir.resolve("personalization.txt"), StandardCharsets.UTF_8)).isEqualTo(p13nHere)
        .contains("SERVER{");
   }
}
