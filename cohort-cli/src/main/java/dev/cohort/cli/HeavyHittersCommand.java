package dev.cohort.cli;

import dev.cohort.analytics.HeavyHitters;
import dev.cohort.analytics.HeavyHittersResult.HeavyHitter;
import dev.cohort.analytics.HeavyHittersResult;
import dev.cohort.analytics.LaplaceThresholding;
import dev.cohort.analytics.Words;
import dev.cohort.privacy.Numbers;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.datasets.DatasetFormatException;
import dev.cohort.simulation.datasets.SpeakerText;
import dev.cohort.tensor.RandomStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.IntConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code cohort analytics heavy-hitters}: the most frequent words of a play, each speaker a client, found with
 * {@link HeavyHitters} (IBLT sketches summed over the clients) and optionally released with central DP
 * ({@link LaplaceThresholding}).
 *
 * <p>A client's words are {@link Words} of its turns. Without {@code --multi-contribution} a client sends each of
 * its distinct words once, or with {@code --max-words-per-client W} its W most frequent (ties: the first seen); with
 * {@code --multi-contribution} it sends every word with its count, and with W every occurrence of its W most
 * frequent words (the same words as without it; the CLI applies the cap when it reads the words, so the computation
 * caps nothing further). With {@code --epsilon} and {@code --delta} the counts
 * get Laplace noise and a threshold, which needs W, one contribution per word and no k-anonymity; then
 * {@code --max-heavy-hitters} keeps the largest noisy counts (post-processing).
 *
 * <p>Exit status: 2 for a flag that is missing, out of range or does not apply; 1 for a text file that cannot be
 * read or is not in the speaker format.
 */
@Command(name = "heavy-hitters", mixinStandardHelpOptions = true, versionProvider = InfoCommand.Version.class,
    description = "The most frequent words of a play's speakers (each speaker a client), with IBLT sketches.",
    footer = {"", "Examples:",
        "  cohort analytics heavy-hitters --task shakespeare --data ../shared/data/shakespeare --capacity 20000 "
            + "--max-words-per-client 8",
        "  cohort analytics heavy-hitters --text speeches.txt --epsilon 20 --delta 0.01"})
final class HeavyHittersCommand implements Callable<Integer> {
  /** The file of {@code --task shakespeare} in a {@code --data} directory. */
  static final String SHAKESPEARE_FILE = "tinyshakespeare_input.txt";

  /** The purpose of the noise stream, so that a seed's noise differs from its other uses. */
  private static final long NOISE = 0x4C41_504C_4143_45L; // "LAPLACE"

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--text", paramLabel = "FILE",
      description = "A play in the speaker format: a 'NAME:' line, then the turn; a blank line between turns.")
  Path text;

  @Option(names = "--task", paramLabel = "TASK", description = "A known data set: shakespeare (needs --data).")
  String task;

  @Option(names = "--data", paramLabel = "PATH",
      description = "With --task shakespeare: " + SHAKESPEARE_FILE + ", or a directory holding it.")
  Path data;

  @Option(names = "--capacity", paramLabel = "C", defaultValue = "1000",
      description = "Distinct words the sketch decodes, >= 1 (default: ${DEFAULT-VALUE}).")
  int capacity;

  @Option(names = "--string-max-bytes", paramLabel = "B", defaultValue = "10",
      description = "Bytes kept of each word, >= 1 (default: ${DEFAULT-VALUE}).")
  int stringMaxBytes;

  @Option(names = "--max-words-per-client", paramLabel = "W",
      description = "Words a client sends, >= 1 (default: all its distinct words).")
  Integer maxWordsPerClient;

  @Option(names = "--multi-contribution", description = "A client sends each word's count instead of 1.")
  boolean multiContribution;

  @Option(names = "--k-anonymity", paramLabel = "K", defaultValue = "1",
      description = "Keep words sent by at least K clients, >= 1 (default: ${DEFAULT-VALUE}).")
  int kAnonymity;

  @Option(names = "--max-heavy-hitters", paramLabel = "M",
      description = "Keep the M words with the largest counts, >= 1 (default: all).")
  Integer maxHeavyHitters;

  @Option(names = "--epsilon", paramLabel = "E", description = "Release with central DP at this epsilon, > 0.")
  Double epsilon;

  @Option(names = "--delta", paramLabel = "D", description = "The delta of --epsilon, in (0, 1).")
  Double delta;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
      description = "Seed of the sketch's hash functions and of the DP noise (default: ${DEFAULT-VALUE}).")
  int seed;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Override
  public Integer call() {
    Path file = input();
    LaplaceThresholding dp = privacy();
    HeavyHitters.Builder builder = HeavyHitters.builder();
    set("--capacity", capacity, builder::capacity);
    set("--string-max-bytes", stringMaxBytes, builder::stringMaxBytes);
    set("--k-anonymity", kAnonymity, builder::kAnonymity);
    if (maxWordsPerClient != null) {
      // Checked here; applied when the words are read (each client keeps its W most frequent words), so the
      // computation gets every occurrence of the words kept and caps nothing further.
      set("--max-words-per-client", maxWordsPerClient, HeavyHitters.builder()::maxWordsPerUser);
    }
    if (maxHeavyHitters != null) {
      // With DP the noisy counts choose the top words, not the exact ones: the sketch keeps every word.
      set("--max-heavy-hitters", maxHeavyHitters, dp == null ? builder::maxHeavyHitters
          : HeavyHitters.builder()::maxHeavyHitters);
    }
    builder.multiContribution(multiContribution).seed(seed);
    List<List<String[]>> clients = clients(file, maxWordsPerClient);
    HeavyHittersResult result = HeavyHittersResult.of(builder.build().call(clients));
    List<HeavyHitter> words = result.heavyHitters();
    if (dp != null) {
      if (result.numNotDecoded() != 0) {
        throw new Flags.FlagException("--capacity (" + capacity + ") is too small: the sketch left "
            + result.numNotDecoded() + " words undecoded, and --epsilon needs every word decoded; raise --capacity"
            + " above the number of distinct words");
      }
      List<HeavyHitter> released = new ArrayList<>(dp.release(result, RandomStream.of(seed, NOISE)));
      released.sort((a, b) -> Long.compare(b.count(), a.count())); // stable: ties keep the exact counts' order
      words = maxHeavyHitters != null && released.size() > maxHeavyHitters ? released.subList(0, maxHeavyHitters)
          : released;
    }
    print(result, words, dp);
    if (result.numNotDecoded() != 0) {
      Output.warn(spec, "the sketch could not decode " + result.numNotDecoded() + " word(s); the list is"
          + " incomplete: raise --capacity above the number of distinct words");
    }
    return 0;
  }

  /** The occurrences, in order, of the {@code limit} most frequent of {@code words} (ties by first appearance). */
  static List<String> mostFrequent(List<String> words, int limit) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String w : words) {
      counts.merge(w, 1, Integer::sum);
    }
    List<String> order = new ArrayList<>(counts.keySet());   // first appearance
    order.sort((a, b) -> Integer.compare(counts.get(b), counts.get(a)));   // stable: ties keep first appearance
    Set<String> kept = new HashSet<>(order.subList(0, Math.min(limit, order.size())));
    List<String> out = new ArrayList<>();
    for (String w : words) {
      if (kept.contains(w)) {
        out.add(w);
      }
    }
    return out;
  }

  /** The text file the flags name. */
  private Path input() {
    if ((text == null) == (task == null)) {
      throw new Flags.FlagException(text == null ? "give --text FILE or --task shakespeare --data PATH"
          : "--text (" + text + ") and --task (" + task + ") must not be given together");
    }
    if (text != null) {
      Flags.notApplicable(spec, "--data", "with --text: it is the data of --task");
      return text;
    }
    Flags.choice("--task", task, List.of("shakespeare"));
    if (data == null) {
      throw new Flags.FlagException("--task shakespeare needs --data PATH (" + SHAKESPEARE_FILE
          + " or its directory, e.g. shared/data/shakespeare)");
    }
    return Files.isDirectory(data) ? data.resolve(SHAKESPEARE_FILE) : data;
  }

  /** The DP mechanism of --epsilon and --delta, or null; checks the flags it needs and excludes. */
  private LaplaceThresholding privacy() {
    if (epsilon == null && delta == null) {
      return null;
    }
    if (epsilon == null || delta == null) {
      throw new Flags.FlagException(epsilon == null ? "--delta (" + Numbers.format(delta) + ") needs --epsilon"
          : "--epsilon (" + Numbers.format(epsilon) + ") needs --delta");
    }
    if (maxWordsPerClient == null) {
      throw new Flags.FlagException("--epsilon needs --max-words-per-client W: the noise is scaled to the W words"
          + " a client sends");
    }
    Flags.notApplicable(spec, "--multi-contribution", "with --epsilon: the guarantee needs each client to send a"
        + " word at most once");
    if (kAnonymity != 1) {
      throw new Flags.FlagException("--k-anonymity (" + kAnonymity + ") must not be given with --epsilon: which"
          + " words pass it depends on single clients, which the noise does not cover");
    }
    try {
      return new LaplaceThresholding(epsilon, delta, maxWordsPerClient);
    } catch (IllegalArgumentException e) {
      String flag = e.getMessage().startsWith("epsilon") ? "--epsilon" : e.getMessage().startsWith("delta")
          ? "--delta" : "--max-words-per-client";
      throw new Flags.FlagException(flag + ": " + e.getMessage(), e);
    }
  }

  /** Calls a builder setter, turning its range error into one that names the flag. */
  private static void set(String flag, int value, IntConsumer setter) {
    try {
      setter.accept(value);
    } catch (IllegalArgumentException e) {
      throw new Flags.FlagException(flag + " (" + value + "): " + e.getMessage(), e);
    }
  }

  /**
   * Each speaker's words, in batches of one word; with {@code maxWords}, only the occurrences of the speaker's
   * {@code maxWords} most frequent words (ties by first appearance).
   */
  private static List<List<String[]>> clients(Path file, Integer maxWords) {
    try {
      ClientData speakers = SpeakerText.load(file);
      List<List<String[]>> clients = new ArrayList<>(speakers.size());
      for (String id : speakers.clientIds()) {
        List<String> words = Words.ofClient(speakers, id);
        clients.add(Words.batches(maxWords == null ? words : mostFrequent(words, maxWords), 1));
      }
      return clients;
    } catch (DatasetFormatException e) {
      throw new UserFileException(e.getMessage() + " (expected a play in the speaker format: a 'NAME:' line, then"
          + " the turn, a blank line between turns)", e);
    }
  }

  private void print(HeavyHittersResult result, List<HeavyHitter> words, LaplaceThresholding dp) {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      List<String> w = new ArrayList<>();
      long[] counts = new long[words.size()];
      long[] unique = new long[words.size()];
      for (int i = 0; i < words.size(); i++) {
        w.add(words.get(i).word());
        counts[i] = words.get(i).count();
        unique[i] = words.get(i).uniqueCount();
      }
      Json j = new Json().put("command", "heavy-hitters").put("clients", result.clients()).put("heavy_hitters", w)
          .put("heavy_hitters_counts", counts).put("heavy_hitters_unique_counts", unique)
          .put("num_not_decoded", result.numNotDecoded());
      if (dp != null) {
        j.put("epsilon", dp.epsilon()).put("delta", dp.delta()).put("laplace_scale", dp.scale())
            .put("threshold", dp.threshold());
      }
      out.println(j.end());
      return;
    }
    out.println(Output.row("clients", Long.toString(result.clients())));
    out.println(Output.row("num not decoded", Long.toString(result.numNotDecoded())));
    if (dp != null) {
      out.println(Output.row("privacy", "(" + Numbers.format(dp.epsilon()) + ", " + Numbers.format(dp.delta())
          + ")-DP, Laplace scale " + Numbers.format(dp.scale()) + ", threshold " + Numbers.format(dp.threshold())));
    }
    int width = "word".length();
    for (HeavyHitter h : words) {
      width = Math.max(width, h.word().length());
    }
    String format = "%-" + width + "s  %10s  %10s";
    out.println(String.format(Locale.ROOT, format, "word", "count", "clients").stripTrailing());
    for (HeavyHitter h : words) {
      out.println(String.format(Locale.ROOT, format, h.word(), h.count(), h.uniqueCount()));
    }
  }
}
