package dev.cohort.tensor.internal;

import java.util.Arrays;

/**
 * Argument checks shared by every Cohort module. Messages are formatted only on failure, with {@code %s}
 * placeholders, and arrays are printed by content. Not part of the public API.
 */
public final class Checks {
  private Checks() {}

  /** Throws {@link IllegalArgumentException} with the formatted message when {@code condition} is false. */
  public static void checkArgument(boolean condition, String template, Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(format(template, args));
    }
  }

  /** Throws {@link IllegalStateException} with the formatted message when {@code condition} is false. */
  public static void checkState(boolean condition, String template, Object... args) {
    if (!condition) {
      throw new IllegalStateException(format(template, args));
    }
  }

  /** Returns {@code value} or throws {@link NullPointerException} naming it. */
  public static <T> T checkNotNull(T value, String name) {
    if (value == null) {
      throw new NullPointerException(name + " must not be null");
    }
    return value;
  }

  /** Formats {@code template}, replacing each {@code %s} with the next argument (arrays by content). */
  public static String format(String template, Object... args) {
    StringBuilder out = new StringBuilder(template.length() + 16 * args.length);
    int next = 0;
    int i = 0;
    while (i < template.length()) {
      int at = template.indexOf("%s", i);
      if (at < 0 || next >= args.length) {
        out.append(template, i, template.length());
        break;
      }
      out.append(template, i, at).append(str(args[next++]));
      i = at + 2;
    }
    return out.toString();
  }

  private static String str(Object o) {
    if (o instanceof int[] a) {
      return Arrays.toString(a);
    } else if (o instanceof long[] a) {
      return Arrays.toString(a);
    } else if (o instanceof float[] a) {
      return Arrays.toString(a);
    } else if (o instanceof double[] a) {
      return Arrays.toString(a);
    } else if (o instanceof Object[] a) {
      return Arrays.deepToString(a);
    }
    return String.valueOf(o);
  }
}
