package dev.cohort.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CasesTest {
  @Test
  void theSameSuiteSeedGivesTheSameCasesAndACaseRebuildsFromItsPrintedSeed() {
    List<Cases.Case> a = Cases.of(42, 50).toList();
    List<Cases.Case> b = Cases.of(42, 50).toList();
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i).seed()).isEqualTo(b.get(i).seed());
      assertThat(a.get(i).toString()).contains("case " + i).contains(Long.toHexString(a.get(i).seed()));
      double first = a.get(i).random().nextDouble();
      assertThat(Cases.Case.ofSeed(a.get(i).seed()).random().nextDouble()).isEqualTo(first);
    }
    assertThat(a.stream().map(Cases.Case::seed).distinct().count()).isEqualTo(50);
  }

  @Test
  void drawsStayInTheirRanges() {
    Cases.of(7, 200).forEach(c -> {
      assertThat(c.uniform(2, 3)).isBetween(2.0, 3.0);
      assertThat(c.logUniform(1e-4, 0.5)).isBetween(1e-4, 0.5);
      assertThat(c.between(5L, 9L)).isBetween(5L, 9L);
    });
  }
}
