package dev.cohort.privacy;

import java.util.function.Function;

/**
 * A parameter value this library rejects, with the parameter, the value and the rule it breaks as data. The
 * message reads "{@code <parameter> (<value>) <rule>}", e.g. "samplingRate (1.5) must be in [0, 1]"; a rule may
 * name further parameters ("samplingRate (0.0) and steps (10) must both be &gt; 0: …"), which {@link #text()}
 * lists. A caller that calls parameters by other names (the command line names the flag that set each value)
 * writes the message with {@link #message(Function)} instead of rewriting {@link #getMessage()}.
 */
public final class InvalidParameterException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final ParameterText text;

  /** An error whose text starts with the parameter it rejects. */
  InvalidParameterException(ParameterText text) {
    this(text, null);
  }

  /** The same, with the exception that revealed the problem. */
  InvalidParameterException(ParameterText text, Throwable cause) {
    super(text.toString(), cause);
    if (!(text.first() instanceof ParameterText.Named)) {
      throw new IllegalArgumentException("an invalid-parameter text must start with the parameter: " + text);
    }
    this.text = text;
  }

  /** The rejected parameter's name in this library's API, e.g. {@code samplingRate}. */
  public String parameter() {
    return ((ParameterText.Named) text.first()).parameter();
  }

  /** The rejected value, e.g. the {@link Double} 1.5. */
  public Object value() {
    return ((ParameterText.Named) text.first()).value();
  }

  /** The rule the value breaks, as the message words it after the value, e.g. "must be in [0, 1]". */
  public String rule() {
    return text.rest().toString().strip();
  }

  /** The whole message as data: the rejected parameter first, then the rule and any parameters it names. */
  public ParameterText text() {
    return text;
  }

  /** The message with each parameter called {@code names(parameter)}: "--sampling-rate (1.5) must be in [0, 1]". */
  public String message(Function<? super String, String> names) {
    return text.render(names);
  }
}
