package dev.cohort.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Lanes} on the JDK's Vector API: loads at any offset, so no lane copies; the same multiplications and
 * additions per element as {@link ScalarLanes} (unfused, in term order).
 */
final class VectorLanes implements Lanes {
  /**
   * The preferred shape, at most 256 bits: on the AVX-512 machine the benchmarks run on (AMD Zen 4, which executes a
   * 512-bit operation as two 256-bit halves) the CNN's Winograd F(4x4, 5x5) forward pass took 1.93-2.02 ms with
   * 256-bit vectors against 2.02-2.09 ms with 512-bit ones (four alternating JVMs each, best of 40; backward
   * 4.02-4.39 against 4.23-4.35), and channel counts such as 8, 24 or 40 fill 256-bit vectors without a scalar tail.
   */
  private static final VectorSpecies<Float> S =
      FloatVector.SPECIES_PREFERRED.vectorBitSize() > 256 ? FloatVector.SPECIES_256 : FloatVector.SPECIES_PREFERRED;
  /** Ints in vectors of the same shape, for argmax indices. */
  private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
  private static final IntVector IOTA = IntVector.zero(I).addIndex(1);

  @Override
  public void combine(float[] dst, int d, boolean accumulate, float[] src, int[] offsets, float[] coef, int terms, int len) {
    // Passes over dst of up to three terms each, with straight-line loop bodies: a vector carried through an
    // inner loop over terms is not kept in a register by Java 17's C2 (it boxes; measured 2x slower than the
    // plain loops), and each pass loads and stores dst once for its terms.
    //
    // The passes are written out in this one method, each coefficient broadcast once before its loop. C2 runs
    // vector code fast only where it intrinsifies every operation, and on Java 17 that depended on the compile:
    // with the passes in small helpers (inlined here by C2, so no longer called, and possibly left in C1 code that
    // runs the Java fallbacks) and a broadcast in every loop body (mul(float)), some JVMs ran the Winograd
    // transforms 2x slower for their whole life (JFR: time in the fallbacks of FloatVector.intoArray and
    // VectorSupport.store; -XX:+PrintIntrinsics: "VectorSupport::store failed to inline (intrinsic)"). Seen in
    // 1-thread FedAvg CNN rounds: 1 JVM of 9 at 2.3 s a round instead of 1.1 s before this layout, 0 of 8 after.
    boolean fresh = !accumulate;
    int bound = S.loopBound(len);
    int step = S.length();
    int t = 0;
    while (true) {
      while (t < terms && coef[t] == 0f) {
        t++;
      }
      if (t == terms) {
        break;
      }
      int s0 = offsets[t];
      float w0 = coef[t++];
      FloatVector v0 = FloatVector.broadcast(S, w0);
      while (t < terms && coef[t] == 0f) {
        t++;
      }
      int k = 0;
      if (t == terms) { // one term
        if (fresh) {
          FloatVector zero = FloatVector.zero(S);
          for (; k < bound; k += step) {
            zero.add(FloatVector.fromArray(S, src, s0 + k).mul(v0)).intoArray(dst, d + k);
          }
        } else {
          for (; k < bound; k += step) {
            FloatVector.fromArray(S, dst, d + k).add(FloatVector.fromArray(S, src, s0 + k).mul(v0))
                .intoArray(dst, d + k);
          }
        }
        for (; k < len; k++) {
          dst[d + k] = (fresh ? 0f : dst[d + k]) + w0 * src[s0 + k];
        }
        return;
      }
      int s1 = offsets[t];
      float w1 = coef[t++];
      FloatVector v1 = FloatVector.broadcast(S, w1);
      while (t < terms && coef[t] == 0f) {
        t++;
      }
      if (t == terms) { // two terms
        if (fresh) {
          FloatVector zero = FloatVector.zero(S);
          for (; k < bound; k += step) {
            zero.add(FloatVector.fromArray(S, src, s0 + k).mul(v0))
                .add(FloatVector.fromArray(S, src, s1 + k).mul(v1)).intoArray(dst, d + k);
          }
        } else {
          for (; k < bound; k += step) {
            FloatVector.fromArray(S, dst, d + k).add(FloatVector.fromArray(S, src, s0 + k).mul(v0))
                .add(FloatVector.fromArray(S, src, s1 + k).mul(v1)).intoArray(dst, d + k);
          }
        }
        for (; k < len; k++) {
          dst[d + k] = (fresh ? 0f : dst[d + k]) + w0 * src[s0 + k] + w1 * src[s1 + k];
        }
        return;
      }
      int s2 = offsets[t];
      float w2 = coef[t++];
      FloatVector v2 = FloatVector.broadcast(S, w2);
      if (fresh) { // three terms, maybe more to come
        FloatVector zero = FloatVector.zero(S);
        for (; k < bound; k += step) {
          zero.add(FloatVector.fromArray(S, src, s0 + k).mul(v0))
              .add(FloatVector.fromArray(S, src, s1 + k).mul(v1))
              .add(FloatVector.fromArray(S, src, s2 + k).mul(v2)).intoArray(dst, d + k);
        }
      } else {
        for (; k < bound; k += step) {
          FloatVector.fromArray(S, dst, d + k).add(FloatVector.fromArray(S, src, s0 + k).mul(v0))
              .add(FloatVector.fromArray(S, src, s1 + k).mul(v1))
              .add(FloatVector.fromArray(S, src, s2 + k).mul(v2)).intoArray(dst, d + k);
        }
      }
      for (; k < len; k++) {
        dst[d + k] = (fresh ? 0f : dst[d + k]) + w0 * src[s0 + k] + w1 * src[s1 + k] + w2 * src[s2 + k];
      }
      fresh = false;
    }
    if (fresh) { // no nonzero term
      java.util.Arrays.fill(dst, d, d + len, 0f);
    }
  }

  @Override
  public void maxInto(float[] out, int o, int[] argmax, float[] in, int i, int c) {
    int bound = S.loopBound(c);
    int k = 0;
    for (; k < bound; k += S.length()) {
      FloatVector best = FloatVector.fromArray(S, out, o + k);
      FloatVector v = FloatVector.fromArray(S, in, i + k);
      if (argmax != null) {
        VectorMask<Integer> greater = best.sub(v).reinterpretAsInts().lt(0);
        IntVector.fromArray(I, argmax, o + k).blend(IOTA.add(i + k), greater).intoArray(argmax, o + k);
      }
      best.max(v).intoArray(out, o + k);
    }
    for (; k < c; k++) {
      float best = out[o + k];
      float v = in[i + k];
      if (argmax != null && Float.floatToRawIntBits(best - v) < 0) {
        argmax[o + k] = i + k;
      }
      out[o + k] = Math.max(best, v);
    }
  }

  @Override
  public void biasRelu(float[] src, int s, float[] dst, int dd, int n, float[] bias, boolean relu) {
    int bound = S.loopBound(n);
    int j = 0;
    for (; j < bound; j += S.length()) {
      FloatVector v = FloatVector.fromArray(S, src, s + j);
      if (bias != null) {
        v = v.add(FloatVector.fromArray(S, bias, j));
      }
      if (relu) {
        v = v.max(0f);
      }
      v.intoArray(dst, dd + j);
    }
    for (; j < n; j++) {
      float v = bias == null ? src[s + j] : src[s + j] + bias[j];
      dst[dd + j] = relu ? Math.max(v, 0f) : v;
    }
  }

  @Override
  public void maskColumnSums(float[] g, float[] y, boolean relu, float[] sums) {
    int n = sums.length;
    int bound = S.loopBound(n);
    for (int i = 0; i < g.length; i += n) {
      int j = 0;
      for (; j < bound; j += S.length()) {
        FloatVector v = FloatVector.fromArray(S, g, i + j);
        if (relu) {
          IntVector bits = FloatVector.fromArray(S, y, i + j).reinterpretAsInts();
          IntVector mask = bits.neg().lanewise(VectorOperators.ASHR, 31).and(bits.lanewise(VectorOperators.ASHR, 31).not());
          v = v.reinterpretAsInts().and(mask).reinterpretAsFloats();
          v.intoArray(g, i + j);
        }
        FloatVector.fromArray(S, sums, j).add(v).intoArray(sums, j);
      }
      for (; j < n; j++) {
        float v = g[i + j];
        if (relu) {
          int bits = Float.floatToRawIntBits(y[i + j]);
          v = bits > 0 ? v : Float.intBitsToFloat(0);
          g[i + j] = v;
        }
        sums[j] += v;
      }
    }
  }

  @Override
  public String describe() {
    return "jdk.incubator.vector, " + S.vectorBitSize() + "-bit";
  }
}
