package dev.cohort.core.types;

import dev.cohort.tensor.DType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Random types for property and fuzz tests, drawn from a seeded source. {@link #comparable} draws the types the
 * assignability laws range over (no abstract types, which are not comparable); {@link #any} adds abstract and
 * placement types, every dtype, wider and deeper structs, for the notation's round trip.
 */
final class RandomTypes {
  private static final String[] NAMES = {"a", "b", null};
  private static final String[] WIDE_NAMES = {"a", "b", "x_1", "_y", "Model", null, null};
  private static final int[] DIMS = {TensorType.UNKNOWN, 1, 2};

  private final SplittableRandom random;
  private final boolean wide;

  private RandomTypes(SplittableRandom random, boolean wide) {
    this.random = random;
    this.wide = wide;
  }

  /**
   * A type over tensors (float32 or int32, rank 0 to 2, sometimes unknown rank), structs (up to 3 elements, names
   * {@code a}, {@code b} or none, nested twice), sequences, federated and function types, each kind about as likely
   * as the others and tensors three times as likely.
   */
  static Type comparable(SplittableRandom random) {
    return new RandomTypes(random, false).type();
  }

  /** As {@link #comparable}, with abstract and placement types, every dtype and structs up to 5 wide, 3 deep. */
  static Type any(SplittableRandom random) {
    return new RandomTypes(random, true).type();
  }

  private Type type() {
    int kinds = wide ? 9 : 7;
    return switch (random.nextInt(kinds)) {
      case 0, 1, 2 -> tensor();
      case 3 -> struct(wide ? 3 : 2);
      case 4 -> sequence();
      case 5 -> federated();
      case 6 -> function();
      case 7 -> new AbstractType(random.nextBoolean() ? "T" : "U_2");
      default -> PlacementType.INSTANCE;
    };
  }

  private Type tensor() {
    DType[] dtypes = wide ? DType.values() : new DType[] {DType.FLOAT32, DType.INT32};
    DType dtype = dtypes[random.nextInt(dtypes.length)];
    if (random.nextInt(10) == 0) {
      return TensorType.unknownRank(dtype);
    }
    int rank = random.nextInt(3);
    List<Integer> dims = new ArrayList<>(rank);
    for (int i = 0; i < rank; i++) {
      dims.add(wide && random.nextInt(4) == 0 ? random.nextInt(1000) : DIMS[random.nextInt(DIMS.length)]);
    }
    return new TensorType(dtype, dims);
  }

  private Type leaf() {
    if (wide && random.nextInt(6) == 0) {
      return random.nextBoolean() ? new AbstractType("T") : PlacementType.INSTANCE;
    }
    return tensor();
  }

  private Type leafOrStruct(int depth) {
    return depth <= 0 || random.nextInt(3) != 0 ? leaf() : struct(depth - 1);
  }

  private Type struct(int depth) {
    String[] names = wide ? WIDE_NAMES : NAMES;
    int size = random.nextInt(wide ? 6 : 4);
    List<StructType.Field> fields = new ArrayList<>(size);
    Set<String> used = new HashSet<>();
    for (int i = 0; i < size; i++) {
      String name = names[random.nextInt(names.length)];
      if (name != null && !used.add(name)) {
        name = null;
      }
      fields.add(new StructType.Field(name, leafOrStruct(depth)));
    }
    return new StructType(fields);
  }

  private Type sequence() {
    return new SequenceType(leafOrStruct(1));
  }

  private Type federated() {
    Type member = random.nextBoolean() ? leafOrStruct(1) : sequence();
    Placement placement = random.nextBoolean() ? Placement.CLIENTS : Placement.SERVER;
    return new FederatedType(member, placement, random.nextBoolean());
  }

  private Type function() {
    Type parameter = random.nextInt(5) == 0 ? null : random.nextBoolean() ? leafOrStruct(1) : federated();
    Type result = random.nextBoolean() ? leafOrStruct(1) : federated();
    return new FunctionType(parameter, result);
  }
}
