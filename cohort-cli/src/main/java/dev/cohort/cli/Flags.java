package dev.cohort.cli;

import dev.cohort.privacy.InvalidParameterException;
import dev.cohort.privacy.ParameterText;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * Flag checks every command shares. Each failure is a {@link FlagException} whose message names the flag, the
 * value and the rule ("--accountant (moments) must be one of rdp, pld"); {@link Cohort} prints it as
 * "cohort &lt;command&gt;: error: …" and exits with status 2.
 */
final class Flags {
  private Flags() {}

  /** A usage error: a flag, a value or a combination the command rejects; its message names the flags. */
  static final class FlagException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    FlagException(String message) {
      super(message);
    }

    FlagException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** {@code value} if {@code allowed} has it, else "flag (value) must be one of …". */
  static String choice(String flag, String value, List<String> allowed) {
    if (allowed.contains(value)) {
      return value;
    }
    throw new FlagException(flag + " (" + value + ") must be one of " + String.join(", ", allowed));
  }

  /** The constant of {@code type} spelled as {@code value} in lower case with dashes (absolute-upper-bound). */
  static <E extends Enum<E>> E enumChoice(String flag, String value, Class<E> type) {
    List<String> spellings = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      String spelling = e.name().toLowerCase(Locale.ROOT).replace('_', '-');
      if (spelling.equals(value)) {
        return e;
      }
      spellings.add(spelling);
    }
    throw new FlagException(flag + " (" + value + ") must be one of " + String.join(", ", spellings));
  }

  /** Rejects {@code flag} if it was given on the command line: "flag (value) must not be given " + why. */
  static void notApplicable(CommandLine.Model.CommandSpec spec, String flag, String why) {
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    if (parsed != null && parsed.hasMatchedOption(flag)) {
      List<String> given = parsed.matchedOption(flag).stringValues();
      throw new FlagException(flag + " (" + given.get(given.size() - 1) + ") must not be given " + why);
    }
  }

  /**
   * How a command calls the library's parameters: by the flag that sets each one, or in words where the command
   * computes the value itself. Library errors ({@link InvalidParameterException}) and warnings carry their
   * parameters as data ({@link ParameterText}), so the command renders them with these names instead of
   * rewriting their text.
   */
  static final class ParameterNames {
    private final Map<String, String> flags = new HashMap<>();
    private final Map<String, String> words = new HashMap<>();

    /** The library's {@code parameter} is set by {@code flag}. */
    ParameterNames flag(String parameter, String flag) {
      flags.put(parameter, flag);
      return this;
    }

    /** The library's {@code parameter} is computed by the command; messages call it {@code words}. */
    ParameterNames words(String parameter, String words) {
      this.words.put(parameter, words);
      return this;
    }

    /** The name a message uses for the library's {@code parameter}: its flag, its words, or the name itself. */
    String name(String parameter) {
      return flags.getOrDefault(parameter, words.getOrDefault(parameter, parameter));
    }

    /** {@code texts} rendered with these names. */
    List<String> render(List<ParameterText> texts) {
      return texts.stream().map(t -> t.render(this::name)).toList();
    }

    /**
     * Runs {@code body}. A library error about a value the user gave (a parameter some flag sets) becomes a
     * {@link FlagException} that names the flags; one about no flag's value is rethrown as it is: the command
     * itself passed the bad value, which is a bug in the command.
     */
    <T> T translating(Supplier<T> body) {
      try {
        return body.get();
      } catch (InvalidParameterException e) {
        for (ParameterText.Named n : e.text().parameters()) {
          if (flags.containsKey(n.parameter())) {
            throw new FlagException(e.message(this::name), e);
          }
        }
        throw e;
      }
    }
  }
}
