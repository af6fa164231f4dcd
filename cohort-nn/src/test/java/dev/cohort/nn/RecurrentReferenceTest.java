package dev.cohort.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * GRU and LSTM forward passes against an independent reference: src/test/resources/recurrent/make_fixture.py
 * computes Keras' equations in float64 with numpy and cross-checks them with torch.nn.GRU / torch.nn.LSTM.
 */
class RecurrentReferenceTest {

  private static Map<String, Tensor> fixture() throws Exception {
    return Npz.read(Path.of(RecurrentReferenceTest.class.getResource("/recurrent/recurrent.npz").toURI()));
  }

  private static Tensor run(LayerSpec spec, String prefix, Map<String, Tensor> f) {
    Sequential m = Sequential.builder(Shape.of(4, 3)).add(spec).build();
    Map<String, Tensor> w = new LinkedHashMap<>();
    for (String p : new String[] {"kernel", "recurrent_kernel", "bias"}) {
      w.put(prefix + "/" + p, f.get(prefix + "/" + p));
    }
    m.setWeights(w);
    return m.predict(f.get("x"));
  }

  private static void assertClose(Tensor actual, Tensor expected) {
    assertThat(actual.shape()).isEqualTo(expected.shape());
    assertThat(actual.floatData()).containsExactly(expected.floatData(), Offset.offset(2e-6f));
  }

  @Test
  void gruMatchesKerasEquationsAndTorch() throws Exception {
    Map<String, Tensor> f = fixture();
    Tensor all = run(Layers.gru(5).withReturnSequences(true), "gru", f);
    assertClose(all, f.get("gru_out"));
    Tensor last = run(Layers.gru(5), "gru", f);
    assertClose(last, f.get("gru_out").slice(new int[] {0, 3, 0}, new int[] {2, 1, 5}).reshape(2, 5));
  }

  @Test
  void lstmMatchesKerasEquationsAndTorch() throws Exception {
    Map<String, Tensor> f = fixture();
    Tensor all = run(Layers.lstm(4).withReturnSequences(true), "lstm", f);
    assertClose(all, f.get("lstm_out"));
    Tensor last = run(Layers.lstm(4), "lstm", f);
    assertClose(last, f.get("lstm_out").slice(new int[] {0, 3, 0}, new int[] {2, 1, 4}).reshape(2, 4));
  }
}
