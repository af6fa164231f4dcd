package dev.cohort.simulation.training;

import dev.cohort.core.types.Placement;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A process state made of tensors, structs of them and all-equal federated values (what a learning process's
 * state is) as checkpoint bytes: its tensors in depth-first order (dtype, shape, values), bit for bit. It loads into
 * the structure of a template state (the initial one), so bytes of another structure, dtype or shape are refused.
 */
public final class TensorStates {
  private TensorStates() {}

  /**
   * The tensors of {@code state} as bytes.
   *
   * @throws IllegalArgumentException if the state holds something else than float32, int32, int64 or bool tensors,
   *     structs and all-equal federated values
   */
  public static byte[] save(Object state) {
    List<Tensor> leaves = new ArrayList<>();
    leaves(state, leaves);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(leaves.size());
      for (Tensor t : leaves) {
        out.writeUTF(t.dtype().name());
        int[] dims = t.shape().dims();
        out.writeInt(dims.length);
        for (int d : dims) {
          out.writeInt(d);
        }
        switch (t.dtype()) {
          case FLOAT32 -> {
            for (float f : t.floatData()) {
              out.writeFloat(f);
            }
          }
          case INT32 -> {
            for (int v : t.intData()) {
              out.writeInt(v);
            }
          }
          case INT64 -> {
            for (long v : t.longData()) {
              out.writeLong(v);
            }
          }
          case BOOL -> {
            for (boolean v : t.boolData()) {
              out.writeBoolean(v);
            }
          }
          default -> throw new IllegalArgumentException("a state to checkpoint holds a " + t.dtype() + " tensor");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * The state that {@link #save} wrote, in the structure of {@code template}.
   *
   * @throws IllegalArgumentException saying which tensor differs from the template's (count, dtype, shape) or that
   *     the bytes end early or go on after the last tensor
   */
  public static Object load(byte[] bytes, Object template) {
    List<Tensor> expected = new ArrayList<>();
    leaves(template, expected);
    List<Tensor> read = new ArrayList<>();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      int n = in.readInt();
      if (n != expected.size()) {
        throw new IllegalArgumentException("it holds " + n + " tensors, the state of this process " + expected.size());
      }
      for (int i = 0; i < n; i++) {
        Tensor want = expected.get(i);
        String dtype = in.readUTF();
        int[] dims = new int[in.readInt()];
        for (int d = 0; d < dims.length; d++) {
          dims[d] = in.readInt();
        }
        if (!dtype.equals(want.dtype().name()) || !Shape.of(dims).equals(want.shape())) {
          throw new IllegalArgumentException("tensor " + i + " is " + dtype + Shape.of(dims) + ", expected "
              + want.dtype().name() + want.shape());
        }
        int size = want.size();
        read.add(switch (want.dtype()) {
          case FLOAT32 -> {
            float[] v = new float[size];
            for (int k = 0; k < size; k++) {
              v[k] = in.readFloat();
            }
            yield Tensor.of(v, dims);
          }
          case INT32 -> {
            int[] v = new int[size];
            for (int k = 0; k < size; k++) {
              v[k] = in.readInt();
            }
            yield Tensor.ofInts(v, dims);
          }
          case INT64 -> {
            long[] v = new long[size];
            for (int k = 0; k < size; k++) {
              v[k] = in.readLong();
            }
            yield Tensor.ofLongs(v, dims);
          }
          default -> {
            boolean[] v = new boolean[size];
            for (int k = 0; k < size; k++) {
              v[k] = in.readBoolean();
            }
            yield Tensor.ofBools(v, dims);
          }
        });
      }
      if (in.read() != -1) {
        throw new IllegalArgumentException("bytes follow the last tensor");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("it ends early: " + e.getMessage(), e);
    }
    return rebuild(template, read.iterator());
  }

  private static void leaves(Object value, List<Tensor> out) {
    if (value instanceof Tensor t) {
      out.add(t);
    } else if (value instanceof Struct s) {
      s.values().forEach(v -> leaves(v, out));
    } else if (value instanceof FederatedValue f && f.isAllEqual()) {
      leaves(f.value(), out);
    } else {
      throw new IllegalArgumentException("a state to checkpoint holds " + value.getClass().getName()
          + " (expected tensors, structs and all-equal federated values)");
    }
  }

  private static Object rebuild(Object template, Iterator<Tensor> leaves) {
    if (template instanceof Tensor) {
      return leaves.next();
    }
    if (template instanceof Struct s) {
      List<Object> values = new ArrayList<>();
      for (Object v : s.values()) {
        values.add(rebuild(v, leaves));
      }
      return Struct.of(s.names(), values);
    }
    FederatedValue f = (FederatedValue) template; // leaves() accepted the template
    Object value = rebuild(f.value(), leaves);
    return f.placement() == Placement.SERVER ? FederatedValue.atServer(value)
        : FederatedValue.allEqualAtClients(value);
  }
}
