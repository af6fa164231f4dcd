package dev.cohort.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Arrays that the successive tapes of one thread reuse, so that a training step allocates almost nothing: the
 * activations, pooling indices and gradients of a CNN step are megabytes, and allocating them fresh every step
 * makes each step stream through new memory (and the collector run, and the heap grow) instead of reusing buffers
 * that are still in cache.
 *
 * <p>Create one workspace per thread and pass it to {@link Tape#Tape(Workspace)} for each step. Creating a tape on
 * a workspace ends the previous tape on it: every array that tape handed out (its variables' values and gradients,
 * the tensors built from them, {@link Tape#gradient}) may be overwritten from then on, so use or copy them before
 * recording the next step. Parameters and their gradient buffers ({@link Parameter#grad()}) are not workspace
 * memory and are unaffected.
 *
 * <p>Arrays are pooled by length: the k-th request of a length in a step gets the array the k-th request of that
 * length got in an earlier step. A length not requested in either of the last two steps is dropped, so a batch
 * of another size (the short last batch of each client) costs one allocation and does not keep memory alive for
 * long. Which array a request gets depends only on the sequence of requests, never on timing, so results are
 * the same as without a workspace, bit for bit. A workspace is not thread-safe.
 */
public final class Workspace {
  /** Lengths unused for more than this many steps are dropped. */
  private static final int KEEP_STEPS = 2;

  private final Map<Integer, Pool<float[]>> floats = new HashMap<>();
  private final Map<Integer, Pool<int[]>> ints = new HashMap<>();
  private long step;

  /** An empty workspace. */
  public Workspace() {}

  /** Ends the previous tape's use of the arrays: called by {@link Tape#Tape(Workspace)}. */
  void begin() {
    step++;
    trim(floats);
    trim(ints);
  }

  private <T> void trim(Map<Integer, Pool<T>> pools) {
    for (Iterator<Pool<T>> it = pools.values().iterator(); it.hasNext(); ) {
      Pool<T> p = it.next();
      if (step - p.lastStep > KEEP_STEPS) {
        it.remove();
      } else {
        p.next = 0;
      }
    }
  }

  /** A float array of {@code length} elements; zero-filled when {@code zeroed}, else with unspecified contents. */
  float[] floats(int length, boolean zeroed) {
    Pool<float[]> p = floats.computeIfAbsent(length, n -> new Pool<>());
    float[] a = p.take(step);
    if (a == null) {
      return p.add(new float[length]);
    }
    if (zeroed) {
      Arrays.fill(a, 0f);
    }
    return a;
  }

  /** An int array of {@code length} elements with unspecified contents. */
  int[] ints(int length) {
    Pool<int[]> p = ints.computeIfAbsent(length, n -> new Pool<>());
    int[] a = p.take(step);
    return a != null ? a : p.add(new int[length]);
  }

  /** The arrays of one length, in the order of their requests within a step. */
  private static final class Pool<T> {
    final List<T> arrays = new ArrayList<>();
    int next;
    long lastStep;

    /** The next array of this step, or null when the step asks for more than earlier steps did. */
    T take(long step) {
      lastStep = step;
      return next < arrays.size() ? arrays.get(next++) : null;
    }

    T add(T array) {
      arrays.add(array);
      next++;
      return array;
    }
  }
}
