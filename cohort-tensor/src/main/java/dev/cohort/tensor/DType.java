package dev.cohort.tensor;

/**
 * The element type of a {@link Tensor}. {@link #toString()} prints the name TFF uses ({@code float32}).
 *
 * <p>Model math runs in {@link #FLOAT32}; the integer, boolean and string types carry data (labels, ids,
 * tokens, masks).
 */
public enum DType {
  /** 32-bit IEEE float; stored in {@code float[]}. */
  FLOAT32("float32", 4),
  /** 32-bit signed integer; stored in {@code int[]}. */
  INT32("int32", 4),
  /** 64-bit signed integer; stored in {@code long[]}. */
  INT64("int64", 8),
  /** Boolean; stored in {@code boolean[]}. */
  BOOL("bool", 1),
  /** Unicode string; stored in {@code String[]}. */
  STRING("str", -1);

  private final String tffName;
  private final int byteSize;

  DType(String tffName, int byteSize) {
    this.tffName = tffName;
    this.byteSize = byteSize;
  }

  /** True for {@link #FLOAT32}, {@link #INT32} and {@link #INT64}. */
  public boolean isNumeric() {
    return this == FLOAT32 || this == INT32 || this == INT64;
  }

  /** True for {@link #INT32} and {@link #INT64}. */
  public boolean isInteger() {
    return this == INT32 || this == INT64;
  }

  /** Bytes per element, or -1 for {@link #STRING}. */
  public int byteSize() {
    return byteSize;
  }

  /** Parses a TFF dtype name ({@code "float32"}, {@code "int64"}, ...). */
  public static DType fromName(String name) {
    for (DType t : values()) {
      if (t.tffName.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown dtype '" + name + "'; expected one of float32, int32, int64, bool, str");
  }

  @Override
  public String toString() {
    return tffName;
  }
}
