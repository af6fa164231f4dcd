package dev.cohort.analytics.iblt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Sizing as TFF's {@code iblt_lib._internal_parameters} computes it. */
class IbltParametersTest {

  /** The table of shared/reference/privacy.md §5 "Parameters", and tff.md §5.1 (capacity 100 → 54, 1000 → 458). */
  @ParameterizedTest(name = "capacity {0}, {1} repetitions: {2} cells per repetition")
  @CsvSource({"1, 3, 10", "10, 3, 14", "100, 3, 54", "1000, 3, 458", "20, 6, 15", "100000, 3, 44816"})
  void tableSizeIsTffs(int capacity, int repetitions, int tableSize) {
    assertThat(IbltParameters.of(capacity, 10, repetitions, 0).tableSize()).isEqualTo(tableSize);
  }

  @Test
  void repetitionsWithoutATabulatedOverheadUseAQuarterPerRepetition() {
    // minimum_space = capacity * R / 4 = 100 * 7 / 4 = 175; int(1.1 * 175 / 7 + 10) = int(37.5) = 37.
    assertThat(IbltParameters.of(100, 10, 7, 0).tableSize()).isEqualTo(37);
  }

  /** privacy.md §5 "String encoding": 10 bytes → 4 chunks (12 bytes), 20 → 7, 4 → 2 (6 bytes), 3 → 1. */
  @ParameterizedTest(name = "string_max_bytes {0}: {1} chunks, keys of up to {2} bytes")
  @CsvSource({"10, 4, 12", "20, 7, 21", "4, 2, 6", "3, 1, 3", "1, 1, 3"})
  void keysArePackedThreeBytesToAChunk(int stringMaxBytes, int numChunks, int maxKeyBytes) {
    IbltParameters p = IbltParameters.of(100, stringMaxBytes);
    assertThat(p.numChunks()).isEqualTo(numChunks);
    assertThat(p.maxKeyBytes()).isEqualTo(maxKeyBytes);
    assertThat(p.cellWidth()).isEqualTo(numChunks + 2);
  }

  @Test
  void theHashFamilyIsCoupledFromACapacityOf100000() {
    assertThat(IbltParameters.of(99_999, 10).hashFamily()).isEqualTo(HashFamily.random());
    // rescale_factor = 0.25 * sqrt(100000) = 79.0569... (privacy.md §5).
    HashFamily coupled = IbltParameters.of(100_000, 10).hashFamily();
    assertThat(coupled).isInstanceOf(HashFamily.Coupled.class);
    assertThat(((HashFamily.Coupled) coupled).rescaleFactor()).isEqualTo(0.25 * Math.sqrt(100_000));
  }

  @Test
  void badParametersAreRejectedNamingTheParameterAndTheValue() {
    assertThatThrownBy(() -> IbltParameters.of(0, 10)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity must be at least 1, got 0");
    assertThatThrownBy(() -> IbltParameters.of(-5, 10)).hasMessage("capacity must be at least 1, got -5");
    assertThatThrownBy(() -> IbltParameters.of(10, 0)).hasMessage("string_max_bytes must be at least 1, got 0");
    assertThatThrownBy(() -> IbltParameters.of(10, 10, 2, 0)).hasMessage("repetitions must be at least 3, got 2");
    assertThatThrownBy(() -> IbltParameters.of(10, 10).withHashFamily(HashFamily.coupled(14)))
        .hasMessage("rescale_factor must be at most table_size - 1 = 13 (capacity 10, repetitions 3), got 14.0");
    assertThatThrownBy(() -> HashFamily.coupled(0)).hasMessage("rescale_factor must be positive and finite, got 0.0");
    assertThatThrownBy(() -> HashFamily.coupled(Double.NaN))
        .hasMessage("rescale_factor must be positive and finite, got NaN");
    assertThatThrownBy(() -> new IbltParameters(10, 10, 3, 0, null)).isInstanceOf(NullPointerException.class)
        .hasMessage("hashFamily");
  }

  @Test
  void aSketchTooLargeForOneArrayIsRejected() {
    // 3 repetitions of int(1.1 * 1.222 * 10^9 / 3 + 10) = 448,066,676 cells of 4 + 2 elements: 8.07e9 elements.
    assertThatThrownBy(() -> IbltParameters.of(1_000_000_000, 10))
        .hasMessage("an IBLT of capacity 1000000000, string_max_bytes 10 and 3 repetitions needs 8065200168 field"
            + " elements, more than one Java array holds");
  }
}
