package dev.cohort.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A flat JSON object writer for {@code --json} output, one object per line: strings escaped, numbers at full
 * precision ({@link Double#toString}), an infinite number as {@code null} (the documented spelling of an infinite
 * ε). NaN is never written by {@link #put(String, double)}: it would mean a failure, and a failure must not read as
 * infinity. A metric a computation produced may be NaN (a training that diverged): {@link #metric} writes it as
 * {@code null} and lists its key in a last field {@code "nan"}, so that a reader can tell it from an infinity.
 */
final class Json {
  private final StringBuilder sb = new StringBuilder("{");
  private final List<String> nan = new ArrayList<>();

  private Json key(String k) {
    if (sb.length() > 1) {
      sb.append(',');
    }
    sb.append(quote(k)).append(':');
    return this;
  }

  Json put(String k, String v) {
    key(k).sb.append(quote(v));
    return this;
  }

  /**
   * A number; {@code null} if it is infinite.
   *
   * @throws IllegalStateException for NaN (an internal error: no command reports a NaN)
   */
  Json put(String k, double v) {
    if (Double.isNaN(v)) {
      throw new IllegalStateException("internal: NaN for JSON field " + k);
    }
    key(k).sb.append(Double.isFinite(v) ? Double.toString(v) : "null");
    return this;
  }

  /** A computed metric: a number, {@code null} if infinite, and {@code null} listed under {@code "nan"} if NaN. */
  Json metric(String k, double v) {
    if (Double.isNaN(v)) {
      nan.add(k);
      key(k).sb.append("null");
      return this;
    }
    return put(k, v);
  }

  /** The keys {@link #metric} wrote as {@code null} for NaN, in order. */
  List<String> nanKeys() {
    return List.copyOf(nan);
  }

  Json put(String k, long v) {
    key(k).sb.append(v);
    return this;
  }

  Json put(String k, boolean v) {
    key(k).sb.append(v);
    return this;
  }

  Json put(String k, long[] values) {
    key(k).sb.append('[');
    for (int i = 0; i < values.length; i++) {
      sb.append(i == 0 ? "" : ",").append(values[i]);
    }
    sb.append(']');
    return this;
  }

  /**
   * An array of numbers, each as {@link #put(String, double)} writes one.
   *
   * @throws IllegalStateException for NaN
   */
  Json put(String k, double[] values) {
    key(k).sb.append('[');
    for (int i = 0; i < values.length; i++) {
      if (Double.isNaN(values[i])) {
        throw new IllegalStateException("internal: NaN in JSON field " + k);
      }
      sb.append(i == 0 ? "" : ",").append(Double.isFinite(values[i]) ? Double.toString(values[i]) : "null");
    }
    sb.append(']');
    return this;
  }

  Json put(String k, List<String> values) {
    List<String> quoted = new ArrayList<>();
    for (String v : values) {
      quoted.add(quote(v));
    }
    key(k).sb.append('[').append(String.join(",", quoted)).append(']');
    return this;
  }

  /** {@code json}, a JSON value written by another {@code Json} or an array of them, as it is. */
  Json putJson(String k, String json) {
    key(k).sb.append(json);
    return this;
  }

  /** The object, closed; with a last field {@code "nan"} listing the NaN metrics, if any. */
  String end() {
    if (!nan.isEmpty()) {
      List<String> keys = List.copyOf(nan);
      nan.clear();
      put("nan", keys);
    }
    return sb.append('}').toString();
  }

  /** {@code "k":"v"}, as {@link #put(String, String)} writes the field into an object. */
  static String field(String k, String v) {
    return quote(k) + ":" + quote(v);
  }

  private static String quote(String s) {
    StringBuilder q = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        q.append('\\').append(c);
      } else if (c < 0x20) {
        q.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        q.append(c);
      }
    }
    return q.append('"').toString();
  }
}
