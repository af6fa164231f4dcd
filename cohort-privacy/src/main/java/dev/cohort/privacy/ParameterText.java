package dev.cohort.privacy;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A sentence that names parameters with their values, kept as data: "samplingRate (1.5) must be in [0, 1]" is the
 * parameter {@code samplingRate}, its value 1.5 and the text after them. {@link #toString()} writes each parameter
 * by its name in this library's API; {@link #render} writes each by a name the caller chooses, so the command line
 * can name the flag that set a value without rewriting the text. Error messages
 * ({@link InvalidParameterException}) and warnings ({@link PrivacyGuarantee#warningTexts()}) are built this way.
 *
 * <p>Immutable; equal when they hold the same text and parameters.
 */
public final class ParameterText implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * One parameter a text names.
   *
   * @param parameter its name in this library's API, e.g. {@code samplingRate}
   * @param value its value, written as {@link String#valueOf(Object)} writes it (a {@link Double} as 1.0E-5)
   */
  public record Named(String parameter, Object value) implements Serializable {
    /** Rejects a null name. */
    public Named {
      Objects.requireNonNull(parameter, "parameter");
    }
  }

  /** Each part is a String or a {@link Named}. */
  private final List<Object> parts;

  private ParameterText(List<Object> parts) {
    this.parts = List.copyOf(parts);
  }

  /** A parameter and its value, a part of {@link #of}. */
  static Named named(String parameter, Object value) {
    return new Named(parameter, value);
  }

  /** The text made of {@code parts} in order: strings, {@link Named} parameters and other texts. */
  static ParameterText of(Object... parts) {
    List<Object> flat = new ArrayList<>();
    for (Object p : parts) {
      if (p instanceof ParameterText t) {
        flat.addAll(t.parts);
      } else if (p instanceof String || p instanceof Named) {
        flat.add(p);
      } else {
        throw new IllegalArgumentException("a part must be a String, a Named parameter or a ParameterText: " + p);
      }
    }
    return new ParameterText(flat);
  }

  /** The texts one after another, {@code separator} between them. */
  static ParameterText join(String separator, List<ParameterText> texts) {
    List<Object> parts = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      if (i > 0) {
        parts.add(separator);
      }
      parts.add(texts.get(i));
    }
    return of(parts.toArray());
  }

  /** The text without its first part (what follows the first parameter of an error: its rule). */
  ParameterText rest() {
    return new ParameterText(parts.subList(Math.min(1, parts.size()), parts.size()));
  }

  /** The first part, or null for an empty text. */
  Object first() {
    return parts.isEmpty() ? null : parts.get(0);
  }

  /** The parameters the text names, in order. */
  public List<Named> parameters() {
    List<Named> out = new ArrayList<>();
    for (Object p : parts) {
      if (p instanceof Named n) {
        out.add(n);
      }
    }
    return List.copyOf(out);
  }

  /**
   * The text with each parameter written as "{@code names(parameter)} (value)", e.g. with a map from parameter
   * names to flags, "--sampling-rate (1.5) must be in [0, 1]".
   */
  public String render(Function<? super String, String> names) {
    StringBuilder sb = new StringBuilder();
    for (Object p : parts) {
      if (p instanceof Named n) {
        sb.append(names.apply(n.parameter())).append(" (").append(n.value()).append(')');
      } else {
        sb.append(p);
      }
    }
    return sb.toString();
  }

  /** The text with each parameter by its name in this library's API: "samplingRate (1.5) must be in [0, 1]". */
  @Override
  public String toString() {
    return render(Function.identity());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParameterText t && parts.equals(t.parts);
  }

  @Override
  public int hashCode() {
    return parts.hashCode();
  }
}
