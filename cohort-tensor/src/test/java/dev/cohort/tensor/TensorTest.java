package dev.cohort.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TensorTest {

  @Test
  void factoriesCopyAndWrapShares() {
    float[] data = {1, 2, 3, 4};
    Tensor copied = Tensor.of(data, 2, 2);
    Tensor shared = Tensor.wrap(data, Shape.of(2, 2));
    data[0] = 9;
    assertThat(copied.getFloat(0, 0)).isEqualTo(1f);
    assertThat(shared.getFloat(0, 0)).isEqualTo(9f);
  }

  @Test
  void reshapeIsAViewAndInfersMinusOne() {
    Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    Tensor r = t.reshape(3, -1);
    assertThat(r.shape()).isEqualTo(Shape.of(3, 2));
    t.floatData()[5] = 60;
    assertThat(r.getFloat(2, 1)).isEqualTo(60f);
    assertThatThrownBy(() -> t.reshape(4, -1))
        .hasMessage("reshape: cannot infer -1 in [4, -1] for 6 elements (shape [2, 3])");
  }

  @Test
  void binaryOpsBroadcastLikeNumpy() {
    Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    Tensor row = Tensor.vector(10, 20, 30);
    Tensor col = Tensor.of(new float[] {100, 200}, 2, 1);
    assertThat(a.add(row).toFloatArray()).containsExactly(11, 22, 33, 14, 25, 36);
    assertThat(a.mul(col).toFloatArray()).containsExactly(100, 200, 300, 800, 1000, 1200);
    assertThat(row.sub(col).shape()).isEqualTo(Shape.of(2, 3));
    assertThat(row.sub(col).toFloatArray()).containsExactly(-90, -80, -70, -190, -180, -170);
    assertThat(a.div(Tensor.scalar(2f)).toFloatArray()).containsExactly(0.5f, 1, 1.5f, 2, 2.5f, 3);
    assertThat(a.maximum(Tensor.scalar(3.5f)).toFloatArray()).containsExactly(3.5f, 3.5f, 3.5f, 4, 5, 6);
  }

  @Test
  void aOneElementOperandOnTheRightGivesEachOperationsExactFloat32Result() {
    float[] x = {1.5f, -0f, Float.POSITIVE_INFINITY, -3.25f, 1e-38f, 7f};
    Tensor a = Tensor.of(x, 6);
    for (Tensor s : new Tensor[] {Tensor.scalar(-0.3f), Tensor.of(new float[] {-4f}, 1), Tensor.of(new float[] {2.5f}, 1, 1)}) {
      float v = s.floatData()[0];
      Tensor[] got = {a.add(s), a.sub(s), a.mul(s), a.div(s), a.maximum(s), a.minimum(s)};
      for (int i = 0; i < x.length; i++) {
        float[] want = {x[i] + v, x[i] - v, x[i] * v, x[i] / v, Math.max(x[i], v), Math.min(x[i], v)};
        for (int k = 0; k < want.length; k++) {
          Tensor r = got[k];
          assertThat(r.shape()).isEqualTo(s.rank() == 2 ? Shape.of(1, 6) : Shape.of(6));
          assertThat(Float.floatToIntBits(r.floatData()[i])).as("op %s, x %s, s %s", k, x[i], v)
              .isEqualTo(Float.floatToIntBits(want[k]));
        }
      }
    }
  }

  @Test
  void integerArithmeticStaysInteger() {
    Tensor a = Tensor.ofInts(new int[] {7, -7, 9}, 3);
    assertThat(a.div(Tensor.scalar(2)).intData()).containsExactly(3, -3, 4);
    assertThat(a.add(Tensor.scalar(1)).dtype()).isEqualTo(DType.INT32);
    assertThatThrownBy(() -> a.div(Tensor.scalar(0))).hasMessage("div: integer division by zero (int32)");
  }

  @Test
  void mismatchedShapesAndDtypesNameTheOpAndBothOperands() {
    Tensor a = Tensor.zeros(2, 3);
    assertThatThrownBy(() -> a.add(Tensor.zeros(4)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("add: shapes [2, 3] and [4] cannot be broadcast (dimension 1: 3 vs 4)");
    assertThatThrownBy(() -> a.add(Tensor.scalar(1)))
        .hasMessage("add: dtypes differ: float32[2, 3] vs int32[]");
    assertThatThrownBy(() -> a.matmul(Tensor.zeros(2, 3)))
        .hasMessage("matmul: inner dimensions differ: [2, 3] · [2, 3] (3 vs 2)");
  }

  @Test
  void undefinedResultsThrowInsteadOfProducingNaN() {
    assertThatThrownBy(() -> Tensor.vector(1, -1).log())
        .hasMessage("log: undefined for negative input -1.0 at flat index 1 of shape [2]");
    assertThatThrownBy(() -> Tensor.vector(0, 1).div(Tensor.vector(0, 1)))
        .hasMessageStartingWith("div: undefined for inputs 0.0 and 0.0 at flat index 0");
    assertThat(Tensor.vector(1).div(Tensor.vector(0)).floatValue()).isEqualTo(Float.POSITIVE_INFINITY);
  }

  @Test
  void comparisonsGiveBools() {
    Tensor a = Tensor.vector(1, 2, 3);
    assertThat(a.gt(Tensor.scalar(1.5f)).boolData()).containsExactly(false, true, true);
    assertThat(a.eq(Tensor.vector(1, 0, 3)).boolData()).containsExactly(true, false, true);
    Tensor s = Tensor.ofStrings(new String[] {"a", "b"}, 2);
    assertThat(s.eq(Tensor.scalar("b")).boolData()).containsExactly(false, true);
    assertThatThrownBy(() -> s.lt(s)).hasMessageContaining("lt: tensor has dtype str");
  }

  @Test
  void reductionsOverAxes() {
    Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    assertThat(a.sum().floatValue()).isEqualTo(21f);
    assertThat(a.sum(false, 0).toFloatArray()).containsExactly(5, 7, 9);
    assertThat(a.sum(true, 1).shape()).isEqualTo(Shape.of(2, 1));
    assertThat(a.sum(true, -1).toFloatArray()).containsExactly(6, 15);
    assertThat(a.mean(false, 1).toFloatArray()).containsExactly(2, 5);
    assertThat(a.max(false, 0).toFloatArray()).containsExactly(4, 5, 6);
    assertThat(a.min().floatValue()).isEqualTo(1f);
    assertThat(a.argmax(1).longData()).containsExactly(2, 2);
    assertThat(Tensor.vector(3, 4).norm().floatValue()).isEqualTo(5f);
    Tensor ints = Tensor.ofLongs(new long[] {1, 5, 2, 8}, 2, 2);
    assertThat(ints.sum(false, 1).longData()).containsExactly(6, 10);
    assertThat(ints.max().longValue()).isEqualTo(8);
    assertThatThrownBy(() -> Tensor.zeros(0).max()).hasMessage("max: reduction over empty axes of shape [0] is undefined");
  }

  @Test
  void reductionOverMiddleAxisOfRank3() {
    float[] d = new float[24];
    for (int i = 0; i < 24; i++) {
      d[i] = i;
    }
    Tensor t = Tensor.of(d, 2, 3, 4);
    Tensor s = t.sum(false, 1);
    for (int i = 0; i < 2; i++) {
      for (int k = 0; k < 4; k++) {
        float expected = 0;
        for (int j = 0; j < 3; j++) {
          expected += d[i * 12 + j * 4 + k];
        }
        assertThat(s.getFloat(i, k)).isEqualTo(expected);
      }
    }
  }

  @Test
  void transposeSliceConcatStack() {
    Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    assertThat(a.transpose().toFloatArray()).containsExactly(1, 4, 2, 5, 3, 6);
    Tensor b = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}, 2, 3, 4);
    Tensor p = b.transpose(2, 0, 1);
    assertThat(p.shape()).isEqualTo(Shape.of(4, 2, 3));
    assertThat(p.getFloat(3, 1, 2)).isEqualTo(b.getFloat(1, 2, 3));
    assertThat(a.slice(new int[] {0, 1}, new int[] {2, -1}).toFloatArray()).containsExactly(2, 3, 5, 6);
    assertThat(Tensor.concat(1, a, a).shape()).isEqualTo(Shape.of(2, 6));
    assertThat(Tensor.concat(1, a, a).toFloatArray()).containsExactly(1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6);
    assertThat(Tensor.stack(0, a, a).shape()).isEqualTo(Shape.of(2, 2, 3));
    Tensor st = Tensor.stack(2, a, a.neg());
    assertThat(st.shape()).isEqualTo(Shape.of(2, 3, 2));
    assertThat(st.getFloat(1, 2, 1)).isEqualTo(-6f);
    assertThatThrownBy(() -> a.slice(new int[] {1, 0}, new int[] {2, 1}))
        .hasMessage("slice: axis 0: begin 1 with size 2 is out of range for shape [2, 3]");
  }

  @Test
  void gatherAndScatterAddAreAdjoint() {
    Tensor table = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
    Tensor idx = Tensor.ofInts(new int[] {2, 0, 2}, 3);
    Tensor g = table.gather(idx, 0);
    assertThat(g.toFloatArray()).containsExactly(5, 6, 1, 2, 5, 6);
    Tensor acc = Tensor.zeros(3, 2).scatterAdd(idx, Tensor.ones(3, 2), 0);
    assertThat(acc.toFloatArray()).containsExactly(1, 1, 0, 0, 2, 2);
    Tensor cols = table.gather(Tensor.ofLongs(new long[] {1}, 1), 1);
    assertThat(cols.toFloatArray()).containsExactly(2, 4, 6);
    assertThatThrownBy(() -> table.gather(Tensor.ofInts(new int[] {3}, 1), 0))
        .hasMessage("gather: index 3 at position 0 is out of range [0, 3) for axis 0 of shape [3, 2]");
    assertThatThrownBy(() -> table.gather(Tensor.vector(1), 0))
        .hasMessage("gather: indices have dtype float32 (shape [1]), expected int32 or int64");
  }

  @Test
  void oneHotClipCast() {
    Tensor oh = Tensor.oneHot(Tensor.ofInts(new int[] {1, 0}, 2), 3);
    assertThat(oh.toFloatArray()).containsExactly(0, 1, 0, 1, 0, 0);
    assertThat(Tensor.vector(-2, 0.5f, 3).clip(-1, 1).toFloatArray()).containsExactly(-1, 0.5f, 1);
    assertThat(Tensor.vector(1.7f, -1.7f).cast(DType.INT32).intData()).containsExactly(1, -1);
    assertThat(Tensor.ofInts(new int[] {0, 3}, 2).cast(DType.BOOL).boolData()).containsExactly(false, true);
    assertThatThrownBy(() -> Tensor.oneHot(Tensor.ofInts(new int[] {3}, 1), 3))
        .hasMessage("oneHot: index 3 at position 0 is out of range [0, 3)");
  }

  @Test
  void softmaxIsStableAndNormalized() {
    Tensor logits = Tensor.of(new float[] {1000, 1001, 1002, -5, 0, 5}, 2, 3);
    Tensor p = logits.softmax(-1);
    double e1 = Math.exp(-1);
    double e2 = Math.exp(-2);
    double z = 1 + e1 + e2;
    assertThat(p.getFloat(0, 2)).isCloseTo((float) (1 / z), org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(p.getFloat(0, 0)).isCloseTo((float) (e2 / z), org.assertj.core.data.Offset.offset(1e-6f));
    Tensor lp = logits.logSoftmax(1);
    assertThat(lp.getFloat(0, 2)).isCloseTo((float) -Math.log(z), org.assertj.core.data.Offset.offset(1e-5f));
    assertThat(p.sum(false, 1).toFloatArray()).containsExactly(new float[] {1, 1}, org.assertj.core.data.Offset.offset(1e-6f));
    Tensor cols = logits.softmax(0);
    assertThat(cols.getFloat(0, 0) + cols.getFloat(1, 0)).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
  }

  @Test
  void matmulMatchesNaiveIncludingBatches() {
    RandomStream rng = RandomStream.of(1);
    Tensor a = rng.uniform(Shape.of(3, 5, 7), -1, 1);
    Tensor b = rng.uniform(Shape.of(3, 7, 4), -1, 1);
    Tensor c = a.matmul(b);
    assertThat(c.shape()).isEqualTo(Shape.of(3, 5, 4));
    for (int t = 0; t < 3; t++) {
      for (int i = 0; i < 5; i++) {
        for (int j = 0; j < 4; j++) {
          double s = 0;
          for (int k = 0; k < 7; k++) {
            s += a.getFloat(t, i, k) * b.getFloat(t, k, j);
          }
          assertThat((double) c.getFloat(t, i, j)).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-5));
        }
      }
    }
    Tensor shared = rng.uniform(Shape.of(7, 2), -1, 1);
    assertThat(a.matmul(shared).shape()).isEqualTo(Shape.of(3, 5, 2));
    Tensor ints = Tensor.ofInts(new int[] {1, 2, 3, 4}, 2, 2);
    assertThat(ints.matmul(ints).intData()).containsExactly(7, 10, 15, 22);
  }

  @Test
  void sgemmHonoursTransposesStridesAndBeta() {
    RandomStream rng = RandomStream.of(2);
    int m = 4;
    int n = 3;
    int k = 5;
    float[] a = rng.uniform(Shape.of(k * m + 2), -1, 1).toFloatArray(); // stored transposed [k, m], offset 2
    float[] b = rng.uniform(Shape.of(n * k), -1, 1).toFloatArray(); // stored transposed [n, k]
    float[] c = rng.uniform(Shape.of(m * n), -1, 1).toFloatArray();
    float[] expected = new float[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          s += a[2 + p * m + i] * b[j * k + p];
        }
        expected[i * n + j] = (float) (0.5 * s + 2 * c[i * n + j]);
      }
    }
    Blas.sgemm(true, true, m, n, k, 0.5f, a, 2, m, b, 0, k, 2f, c, 0, n);
    assertThat(c).containsExactly(expected, org.assertj.core.data.Offset.offset(1e-5f));
  }

  @Test
  void emptyOperandsGiveEmptyResultsInsteadOfCrashing() {
    assertThat(Tensor.zeros(0, 2, 3).matmul(Tensor.zeros(3, 4)).shape()).isEqualTo(Shape.of(0, 2, 4));
    assertThat(Tensor.zeros(2, 3).matmul(Tensor.zeros(0, 3, 4)).shape()).isEqualTo(Shape.of(0, 2, 4));
    assertThat(Tensor.ofInts(new int[0], 0, 2, 3).matmul(Tensor.ofInts(new int[12], 3, 4)).shape()).isEqualTo(Shape.of(0, 2, 4));
    assertThat(Tensor.zeros(2, 0).matmul(Tensor.zeros(0, 3))).isEqualTo(Tensor.zeros(2, 3));
    assertThat(Shape.of(100_000, 100_000, 0).size()).isZero();
  }

  @Test
  void sizesBeyondAnArrayAreRejectedNotOverflowed() {
    assertThatThrownBy(() -> Tensor.vector(1, 2, 3).slice(new int[] {1}, new int[] {Integer.MAX_VALUE}))
        .hasMessage("slice: axis 0: begin 1 with size 2147483647 is out of range for shape [3]");
    assertThatThrownBy(() -> Tensor.oneHot(Tensor.ofInts(new int[65_536], 65_536), 65_536))
        .hasMessage("oneHot: 65536 indices x depth 65536 exceeds the largest tensor (2147483639 elements)");
    assertThatThrownBy(() -> Shape.of(100_000, 100_000)).hasMessage("shape [100000, 100000] has 10000000000 elements,"
        + " more than the largest tensor can hold (2147483639 elements, the VM's array limit)");
    assertThatThrownBy(() -> new Conv2dGeometry(1_000, 1_000, 1_000, 3, 3, 3, 8, 1, 1, Padding.SAME))
        .hasMessageContaining("needs a buffer larger than the largest tensor (2147483639 elements)");
  }

  @Test
  void argmaxComparesInTheTensorsOwnDtypeAndReturnsTheFirstNaN() {
    long big = 1L << 53;
    assertThat(Tensor.ofLongs(new long[] {big, big + 1}, 2).argmax(0).longValue()).isEqualTo(1);
    assertThat(Tensor.vector(Float.NaN, 1, 2).argmax(0).longValue()).isZero();
    assertThat(Tensor.vector(1, Float.NaN, 2).argmax(0).longValue()).isEqualTo(1);
    assertThat(Tensor.vector(3, 3, 1).argmax(0).longValue()).isZero();
  }

  @Test
  void theBlasRouteIsReportedConsistently() {
    String d = Blas.describe();
    if (Blas.isNative()) {
      assertThat(d).startsWith("JNIBLAS -> ");
    } else {
      assertThat(d).contains("pure Java");
    }
  }

  @Test
  void toStringIsNumpyLike() {
    assertThat(Tensor.scalar(1.5f).toString()).isEqualTo("1.5");
    assertThat(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).toString()).isEqualTo("[[1.0, 2.0], [3.0, 4.0]]");
    assertThat(Tensor.ofStrings(new String[] {"a"}, 1).toString()).isEqualTo("['a']");
    assertThat(Tensor.zeros(2000).toString()).startsWith("[0.0, 0.0, 0.0, ..., 0.0");
  }

  @Test
  void equalityIsByDtypeShapeAndContent() {
    assertThat(Tensor.vector(1, 2)).isEqualTo(Tensor.vector(1, 2)).hasSameHashCodeAs(Tensor.vector(1, 2));
    assertThat(Tensor.vector(1, 2)).isNotEqualTo(Tensor.of(new float[] {1, 2}, 2, 1));
    assertThat(Tensor.scalar(1)).isNotEqualTo(Tensor.scalar(1L));
  }

  @Test
  void subInPlaceAndFillInPlaceGiveExactValues() {
    // A client's model delta (trained - initial), then the accumulator reset for the next round.
    Tensor trained = Tensor.of(new float[] {1.5f, -2f, 0.25f, 8f}, 2, 2);
    Tensor initial = Tensor.of(new float[] {0.5f, 1f, 0.25f, -8f}, 2, 2);
    assertThat(trained.subInPlace(initial)).isSameAs(trained);
    assertThat(trained).isEqualTo(Tensor.of(new float[] {1f, -3f, 0f, 16f}, 2, 2));
    assertThat(initial).isEqualTo(Tensor.of(new float[] {0.5f, 1f, 0.25f, -8f}, 2, 2));
    Tensor counts = Tensor.ofInts(new int[] {7, 3}, 2);
    assertThat(counts.subInPlace(Tensor.ofInts(new int[] {2, 5}, 2))).isEqualTo(Tensor.ofInts(new int[] {5, -2}, 2));
    assertThat(trained.fillInPlace(0f)).isSameAs(trained).isEqualTo(Tensor.zeros(2, 2));
    assertThat(Tensor.vector(1, 2).fillInPlace(-0.5f)).isEqualTo(Tensor.vector(-0.5f, -0.5f));
    assertThatThrownBy(() -> initial.subInPlace(Tensor.zeros(4)))
        .hasMessage("subInPlace: shapes differ: [2, 2] vs [4]");
    assertThatThrownBy(() -> initial.subInPlace(Tensor.ofInts(new int[] {1, 2, 3, 4}, 2, 2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("subInPlace: ");
    assertThatThrownBy(() -> counts.fillInPlace(1f))
        .hasMessage("floatData: tensor has dtype int32 (shape [2]), expected float32");
  }

  @Test
  void aShapeLargerThanTheVmArrayLimitIsAnArgumentErrorNotAnOutOfMemoryError() {
    assertThatThrownBy(() -> Tensor.zeros(Integer.MAX_VALUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shape [2147483647] has 2147483647 elements, more than the largest tensor can hold"
            + " (2147483639 elements, the VM's array limit)");
    assertThatThrownBy(() -> Tensor.zeros(DType.INT32, Shape.of(65536, 65536, 65536)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shape [65536, 65536, 65536] has 281474976710656 elements, more than the largest tensor can hold"
            + " (2147483639 elements, the VM's array limit)");
    assertThatThrownBy(() -> Tensor.full(1f, Shape.MAX_SIZE + 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("shape [2147483640] has 2147483640 elements");
    assertThat(Shape.of(Shape.MAX_SIZE).size()).isEqualTo(2_147_483_639);
    assertThat(Shape.of(0, Integer.MAX_VALUE, Integer.MAX_VALUE).size()).isZero();
  }

  @Test
  void nullArgumentsAreNamed() {
    assertThatThrownBy(() -> Tensor.of(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("Tensor.of: values must not be null");
    assertThatThrownBy(() -> Tensor.of(new float[] {1}, (int[]) null)).isInstanceOf(NullPointerException.class)
        .hasMessage("Tensor.of: shape must not be null");
    assertThatThrownBy(() -> Tensor.ofInts(null)).hasMessage("Tensor.ofInts: values must not be null");
    assertThatThrownBy(() -> Tensor.ofLongs(null)).hasMessage("Tensor.ofLongs: values must not be null");
    assertThatThrownBy(() -> Tensor.ofBools(null)).hasMessage("Tensor.ofBools: values must not be null");
    assertThatThrownBy(() -> Tensor.ofStrings(null)).hasMessage("Tensor.ofStrings: values must not be null");
    assertThatThrownBy(() -> Tensor.vector((float[]) null)).hasMessage("Tensor.vector: values must not be null");
    assertThatThrownBy(() -> Tensor.wrap((float[]) null, Shape.SCALAR)).hasMessage("Tensor.wrap: data must not be null");
    assertThatThrownBy(() -> Tensor.wrap(new float[1], null)).hasMessage("Tensor.wrap: shape must not be null");
    assertThatThrownBy(() -> Tensor.zeros(DType.FLOAT32, null)).hasMessage("Tensor.zeros: shape must not be null");
    assertThatThrownBy(() -> Shape.of((int[]) null)).hasMessage("Shape.of: dims must not be null");
  }

  @Test
  void inPlaceOpsMutate() {
    Tensor a = Tensor.vector(1, 2);
    assertThat(a.addInPlace(Tensor.vector(1, 1))).isSameAs(a);
    a.axpyInPlace(2, Tensor.vector(1, 0)).scaleInPlace(0.5f);
    assertThat(a.toFloatArray()).containsExactly(2, 1.5f);
    assertThatThrownBy(() -> a.addInPlace(Tensor.vector(1))).hasMessage("addInPlace: shapes differ: [2] vs [1]");
  }

  @Test
  void wrapOfAnyDtypeSharesTheArrayAndChecksItsTypeAndLength() {
    Object[] arrays = {new float[] {1.5f, 2}, new int[] {1, 2}, new long[] {1, 2}, new boolean[] {true, false},
        new String[] {"a", "b"}};
    DType[] dtypes = {DType.FLOAT32, DType.INT32, DType.INT64, DType.BOOL, DType.STRING};
    for (int i = 0; i < dtypes.length; i++) {
      Tensor t = Tensor.wrap(dtypes[i], arrays[i], Shape.of(2, 1));
      assertThat(t.dtype()).isEqualTo(dtypes[i]);
      assertThat(t.shape()).isEqualTo(Shape.of(2, 1));
      assertThat(t.data()).isSameAs(arrays[i]);
      assertThat(Tensor.zeros(dtypes[i], Shape.of(3)).data().getClass()).isSameAs(arrays[i].getClass());
    }
    assertThat(Tensor.wrap(DType.INT64, new long[] {1, 2}, Shape.of(2))).isEqualTo(Tensor.ofLongs(new long[] {1, 2}, 2));
    assertThatThrownBy(() -> Tensor.wrap(DType.INT32, new float[2], Shape.of(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Tensor.wrap: a int32 tensor needs a int[], found a float[]");
    assertThatThrownBy(() -> Tensor.wrap(DType.FLOAT32, new float[3], Shape.of(2)))
        .hasMessage("tensor: 3 values cannot fill shape [2] (needs 2)");
  }
}
