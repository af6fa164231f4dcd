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
  public void evenOdd(float[] dst, int plus, int minus, float[] src, int[] offsets, float[] coef, int terms, int len) {
    // One kernel per term count in use (F(4x4, 5x5): 8 terms for B^T, 4 for A), each a straight-line loop body:
    // Java 17's C2 keeps vectors in registers only there (see combine), and a body of more than two rows' worth of
    // vector operations made it give up intrinsics mid-method (measured: 2x slower than combine instead of 2x
    // faster). Other term counts run the plain loop.
    int done = 0;
    if (terms == 8) {
      done = evenOdd8(dst, plus, minus, src, offsets, coef, len);
    } else if (terms == 4) {
      done = evenOdd4(dst, plus, minus, src, offsets, coef, len);
    }
    ScalarLanes.evenOdd(dst, plus, minus, src, offsets, coef, terms, done, len);
  }

  private static int evenOdd8(float[] dst, int plus, int minus, float[] src, int[] offsets, float[] coef, int len) {
    int s0 = offsets[0];
    int s1 = offsets[1];
    int s2 = offsets[2];
    int s3 = offsets[3];
    int s4 = offsets[4];
    int s5 = offsets[5];
    int s6 = offsets[6];
    int s7 = offsets[7];
    FloatVector w0 = FloatVector.broadcast(S, coef[0]);
    FloatVector w1 = FloatVector.broadcast(S, coef[1]);
    FloatVector w2 = FloatVector.broadcast(S, coef[2]);
    FloatVector w3 = FloatVector.broadcast(S, coef[3]);
    FloatVector w4 = FloatVector.broadcast(S, coef[4]);
    FloatVector w5 = FloatVector.broadcast(S, coef[5]);
    FloatVector w6 = FloatVector.broadcast(S, coef[6]);
    FloatVector w7 = FloatVector.broadcast(S, coef[7]);
    int bound = S.loopBound(len);
    for (int k = 0; k < bound; k += S.length()) {
      FloatVector e = FloatVector.fromArray(S, src, s0 + k).mul(w0)
          .add(FloatVector.fromArray(S, src, s2 + k).mul(w2))
          .add(FloatVector.fromArray(S, src, s4 + k).mul(w4))
          .add(FloatVector.fromArray(S, src, s6 + k).mul(w6));
      FloatVector o = FloatVector.fromArray(S, src, s1 + k).mul(w1)
          .add(FloatVector.fromArray(S, src, s3 + k).mul(w3))
          .add(FloatVector.fromArray(S, src, s5 + k).mul(w5))
          .add(FloatVector.fromArray(S, src, s7 + k).mul(w7));
      e.add(o).intoArray(dst, plus + k);
      e.sub(o).intoArray(dst, minus + k);
    }
    return bound;
  }

  private static int evenOdd4(float[] dst, int plus, int minus, float[] src, int[] offsets, float[] coef, int len) {
    int s0 = offsets[0];
    int s1 = offsets[1];
    int s2 = offsets[2];
    int s3 = offsets[3];
    FloatVector w0 = FloatVector.broadcast(S, coef[0]);
    FloatVector w1 = FloatVector.broadcast(S, coef[1]);
    FloatVector w2 = FloatVector.broadcast(S, coef[2]);
    FloatVector w3 = FloatVector.broadcast(S, coef[3]);
    int bound = S.loopBound(len);
    for (int k = 0; k < bound; k += S.length()) {
      FloatVector e = FloatVector.fromArray(S, src, s0 + k).mul(w0)
          .add(FloatVector.fromArray(S, src, s2 + k).mul(w2));
      FloatVector o = FloatVector.fromArray(S, src, s1 + k).mul(w1)
          .add(FloatVector.fromArray(S, src, s3 + k).mul(w3));
      e.add(o).intoArray(dst, plus + k);
      e.sub(o).intoArray(dst, minus + k);
    }
    return bound;
  }

  @Override
  public void pairedSums(float[] dst, int even, int odd, boolean accumulate, float[] src, int[] offsets,
      float[] evenCoef, float[] oddCoef, int terms, int len) {
    int done = terms == 8 ? pairedSums8(dst, even, odd, accumulate, src, offsets, evenCoef, oddCoef, len) : 0;
    ScalarLanes.pairedSums(dst, even, odd, accumulate, src, offsets, evenCoef, oddCoef, terms, done, len);
  }

  /** Eight terms: pairs (1, 2), (3, 4), (5, 6) between the terms 0 and 7 (the points of F(4x4, 5x5)). */
  private static int pairedSums8(float[] dst, int even, int odd, boolean accumulate, float[] src, int[] offsets,
      float[] evenCoef, float[] oddCoef, int len) {
    int s0 = offsets[0];
    int s1 = offsets[1];
    int s2 = offsets[2];
    int s3 = offsets[3];
    int s4 = offsets[4];
    int s5 = offsets[5];
    int s6 = offsets[6];
    int s7 = offsets[7];
    FloatVector e0 = FloatVector.broadcast(S, evenCoef[0]);
    FloatVector e1 = FloatVector.broadcast(S, evenCoef[1]);
    FloatVector e3 = FloatVector.broadcast(S, evenCoef[3]);
    FloatVector e5 = FloatVector.broadcast(S, evenCoef[5]);
    FloatVector e7 = FloatVector.broadcast(S, evenCoef[7]);
    FloatVector o0 = FloatVector.broadcast(S, oddCoef[0]);
    FloatVector o1 = FloatVector.broadcast(S, oddCoef[1]);
    FloatVector o3 = FloatVector.broadcast(S, oddCoef[3]);
    FloatVector o5 = FloatVector.broadcast(S, oddCoef[5]);
    FloatVector o7 = FloatVector.broadcast(S, oddCoef[7]);
    int bound = S.loopBound(len);
    for (int k = 0; k < bound; k += S.length()) {
      FloatVector x0 = FloatVector.fromArray(S, src, s0 + k);
      FloatVector x1 = FloatVector.fromArray(S, src, s1 + k);
      FloatVector x2 = FloatVector.fromArray(S, src, s2 + k);
      FloatVector x3 = FloatVector.fromArray(S, src, s3 + k);
      FloatVector x4 = FloatVector.fromArray(S, src, s4 + k);
      FloatVector x5 = FloatVector.fromArray(S, src, s5 + k);
      FloatVector x6 = FloatVector.fromArray(S, src, s6 + k);
      FloatVector x7 = FloatVector.fromArray(S, src, s7 + k);
      FloatVector e = x0.mul(e0);
      FloatVector o = x0.mul(o0);
      if (accumulate) {
        e = FloatVector.fromArray(S, dst, even + k).add(e);
        o = FloatVector.fromArray(S, dst, odd + k).add(o);
      }
      e.add(x1.add(x2).mul(e1)).add(x3.add(x4).mul(e3)).add(x5.add(x6).mul(e5)).add(x7.mul(e7))
          .intoArray(dst, even + k);
      o.add(x1.sub(x2).mul(o1)).add(x3.sub(x4).mul(o3)).add(x5.sub(x6).mul(o5)).add(x7.mul(o7))
          .intoArray(dst, odd + k);
    }
    return bound;
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
