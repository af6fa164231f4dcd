package dev.cohort.examples;

import dev.cohort.analytics.HeavyHitters;
import dev.cohort.analytics.HeavyHittersResult;
import dev.cohort.analytics.HeavyHittersResult.HeavyHitter;
import dev.cohort.analytics.LaplaceThresholding;
import dev.cohort.analytics.Words;
import dev.cohort.core.Computation;
import dev.cohort.privacy.Numbers;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.datasets.DatasetFormatException;
import dev.cohort.simulation.datasets.SpeakerText;
import dev.cohort.tensor.RandomStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * TFF's "Private Heavy Hitters" tutorial in Cohort (tff.md §1.5): the most frequent words of the first 10 Shakespeare
 * clients, found with IBLT sketches under secure sums ({@link HeavyHitters}: capacity 100, string_max_bytes 20,
 * max_words_per_user 8, max_heavy_hitters 10, secure_sum_bitwidth 32, one contribution per word, batches of 5),
 * then released with central DP ({@link LaplaceThresholding}, ε = 20, δ = 0.01) from a second run without the top-k.
 *
 * <p>The clients are the speakers of "tiny shakespeare" ({@link SpeakerText}, in sorted order) and their words
 * {@link Words}; TFF's are the first 10 clients of its own Shakespeare split (roles named by play, e.g.
 * {@code THE_TRAGEDY_OF_KING_LEAR_KING}) tokenised by tensorflow_text, so the words and counts printed here are
 * Cohort's on its data, not the notebook's {@code {'to': 8, 'the': 8, 'and': 7, ...}}, which the output repeats for
 * comparison. The DP output is random in TFF; here it is fixed by the seed 0.
 */
public final class PrivateHeavyHitters implements Tutorial {
  /** The text file in a data directory. */
  static final String FILE = "tinyshakespeare_input.txt";
  /** The default data directory, relative to the working directory (the project's shared data). */
  static final Path SHARED = Path.of("..", "shared", "data", "shakespeare");
  /** TFF's printed target (its data and tokeniser differ; see the class comment). */
  static final String TFF_TARGET = "{'to': 8, 'the': 8, 'and': 7, 'you': 4, 'i': 4, 'a': 3, 'he': 3, 'your': 3, "
      + "'is': 3, 'of': 2}";
  static final int CLIENTS = 10;
  static final int MAX_WORDS_PER_USER = 8;
  static final int BATCH_SIZE = 5;
  static final double EPSILON = 20;
  static final double DELTA = 0.01;

  @Override
  public String name() {
    return "private-heavy-hitters";
  }

  @Override
  public boolean readsData() {
    return true;
  }

  @Override
  public String summary() {
    return "Heavy hitters of Shakespeare speakers with IBLT sketches, then central DP (TFF's private_heavy_hitters)";
  }

  /** Runs the tutorial on standard output; the optional argument is the data directory. */
  public static void main(String[] args) {
    new PrivateHeavyHitters().run(System.out, args.length > 0 ? Path.of(args[0]) : null);
  }

  /** The first {@code n} clients' datasets: each speaker's words in batches of 5. */
  static List<List<String[]>> clients(Path file, int n) {
    ClientData speakers = SpeakerText.load(file);
    List<List<String[]>> clients = new ArrayList<>();
    for (String id : speakers.clientIds().subList(0, Math.min(n, speakers.size()))) {
      clients.add(Words.batches(Words.ofClient(speakers, id), BATCH_SIZE));
    }
    return clients;
  }

  /** The tutorial's computation, with or without its top-10. */
  static Computation computation(boolean top10) {
    HeavyHitters.Builder b = HeavyHitters.builder().capacity(100).stringMaxBytes(20)
        .maxWordsPerUser(MAX_WORDS_PER_USER).multiContribution(false).secureSumBitwidth(32).batchSize(BATCH_SIZE);
    return (top10 ? b.maxHeavyHitters(10) : b).build();
  }

  @Override
  public void run(PrintStream out, Path dataDir) {
    Path file = locate(dataDir);
    List<List<String[]>> clients;
    try {
      clients = clients(file, CLIENTS);
    } catch (DatasetFormatException e) {
      throw new DataFileException(e.getMessage(), e);
    }
    Computation iblt = computation(true);
    out.println("# str(iblt_computation.type_signature)");
    out.println(iblt.typeSignature());
    HeavyHittersResult result = HeavyHittersResult.of(iblt.call(clients));
    out.println("# print(f'Number of clients participated: {result.clients}')");
    out.println("Number of clients participated: " + result.clients());
    out.println("# print(f'Discovered heavy hitters and counts:\\n{heavy_hitters_counts}')");
    out.println("Discovered heavy hitters and counts:");
    out.println(dict(result.heavyHitters()));
    out.println("# TFF prints, on its own Shakespeare clients and tokeniser: " + TFF_TARGET);
    if (result.numNotDecoded() != 0) {
      out.println("# num_not_decoded = " + result.numNotDecoded() + ": the sketch did not decode every word");
    }

    LaplaceThresholding dp = new LaplaceThresholding(EPSILON, DELTA, MAX_WORDS_PER_USER);
    HeavyHittersResult full = HeavyHittersResult.of(computation(false).call(clients));
    out.println("# Central DP: Laplace noise of scale max_words_per_user / epsilon, threshold tau");
    out.println("epsilon = " + Numbers.format(dp.epsilon()) + ", delta = " + Numbers.format(dp.delta())
        + ", laplace scale = " + Numbers.format(dp.scale()) + ", threshold = " + Numbers.format(dp.threshold()));
    out.println("# print(f'Discovered heavy hitters and counts with central DP:\\n{dp_result}')");
    out.println("Discovered heavy hitters and counts with central DP:");
    out.println(dict(dp.release(full, RandomStream.of(0))));
    out.println("# These words and counts are (" + Numbers.format(dp.epsilon()) + ", " + Numbers.format(dp.delta())
        + ")-differentially private for each speaker (user-level, at most " + MAX_WORDS_PER_USER + " words each).");
  }

  private static Path locate(Path dataDir) {
    Path dir = dataDir != null ? dataDir : SHARED;
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException((dataDir != null ? "--data " + dataDir + ": expected " + FILE
          + " in that directory" : "the Shakespeare text not found (looked for " + file.toAbsolutePath().normalize()
          + ")") + "; pass --data DIR with tiny shakespeare's " + FILE);
    }
    return file;
  }

  /** A Python dict of words to counts as the notebook prints it: {@code {'to': 8, "'tis": 3}}. */
  static String dict(List<HeavyHitter> words) {
    StringBuilder sb = new StringBuilder("{");
    for (HeavyHitter h : words) {
      sb.append(sb.length() > 1 ? ", " : "").append(pythonRepr(h.word())).append(": ").append(h.count());
    }
    return sb.append('}').toString();
  }

  /** Python's {@code repr} of a printable string: single quotes, or double quotes if it has a ' and no ". */
  static String pythonRepr(String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder sb = new StringBuilder().append(quote);
    for (char c : s.toCharArray()) {
      if (c == '\\' || c == quote) {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.append(quote).toString();
  }
}
