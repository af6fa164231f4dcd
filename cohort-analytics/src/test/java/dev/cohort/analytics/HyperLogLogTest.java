package dev.cohort.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.hash.Hashing;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HyperLogLogTest {
  static long call(List<List<String>> clients) {
    return ((Tensor) ((FederatedValue) HyperLogLog.computation().call(clients)).value()).longValue();
  }

  /**
   * TFF's count_distinct.py written out again: Fingerprint64 mod 2^32, register = top 5 bits, rho = the position of
   * the leftmost 1 of the 27-bit rest counted from 1 (TFF's test reference {@code w.find('1') + 1}; tff.md §5.2's
   * "27 - bitlength" is one short), TFF's estimate.
   */
  static long reference(List<String> items) {
    int[] m = new int[32];
    for (String s : items) {
      long h = Long.remainderUnsigned(Hashing.farmHashFingerprint64().hashString(s, StandardCharsets.UTF_8).asLong(),
          1L << 32);
      int j = (int) (h / (1L << 27));
      long w = h & ((1L << 27) - 1);
      String bits = String.format("%27s", Long.toBinaryString(w)).replace(' ', '0');
      int rho = bits.indexOf('1') + 1;
      m[j] = Math.max(m[j], rho);
    }
    double sum = 0;
    for (int v : m) {
      sum += Math.pow(2, -v);
    }
    return (long) (0.697 * 32 * 32 / sum);
  }

  @Test
  void theEstimateIsTffsFormulaAndDoesNotDependOnHowItemsAreSpread() {
    assertThat(HyperLogLog.computation().typeSignature()).hasToString("({str*}@CLIENTS -> int64@SERVER)");
    SplittableRandom r = new SplittableRandom(5);
    for (int distinct : new int[] {0, 1, 7, 100, 5000}) {
      List<String> items = new ArrayList<>();
      for (int i = 0; i < distinct; i++) {
        items.add("item-" + i);
      }
      List<List<String>> clients = new ArrayList<>();
      for (int c = 0; c < 10; c++) {
        clients.add(new ArrayList<>());
      }
      for (String s : items) {
        for (int copies = 1 + r.nextInt(3); copies > 0; copies--) {   // repeats on one or several clients
          clients.get(r.nextInt(10)).add(s);
        }
      }
      assertThat(call(clients)).as("%d distinct", distinct).isEqualTo(reference(items));
    }
    assertThat(reference(List.of())).isEqualTo(22);   // int64(0.697 * 32): no small-range correction
  }

  @Test
  void largeCountsAreWithinThreeStandardErrors() {
    List<String> items = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      items.add(Integer.toString(i * 7919));
    }
    long estimate = call(List.of(items));
    assertThat(Math.abs(estimate - 100_000) / 100_000.0).isLessThan(3 * 1.04 / Math.sqrt(32));
  }

  @Test
  void registersOutOfRangeAreRejected() {
    assertThatThrownBy(() -> HyperLogLog.estimate(new long[31])).hasMessage("a HyperLogLog sketch has 32 registers,"
        + " got 31");
    long[] bad = new long[32];
    bad[4] = 29;
    assertThatThrownBy(() -> HyperLogLog.estimate(bad)).hasMessage("register 4 is 29, outside [0, 28]");
  }
}
