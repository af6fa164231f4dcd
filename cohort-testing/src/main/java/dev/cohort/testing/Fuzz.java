package dev.cohort.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assertions;

/**
 * Seeded mutation fuzzing of a file format: valid files are mutated (bit flips, interesting bytes and integers,
 * truncation, deletion, insertion, duplication, trailing garbage, one to four at a time) and handed to a reader,
 * which must either accept the file or reject it with one of the exceptions its format documents, carrying a
 * message (that starts with a given prefix, such as the file's name, when {@link #messagesStartWith} says so).
 * Anything else fails the test: another exception type, an {@link Error} such as {@code OutOfMemoryError}, a blank
 * or unprefixed message, or an input that takes longer than the per-input limit (a hang).
 *
 * <pre>{@code
 * Fuzz.Report r = Fuzz.format("npz", List.of(valid))
 *     .seed(7).mutations(3000).budget(Duration.ofSeconds(5))
 *     .rejects(IllegalArgumentException.class, IOException.class)
 *     .messagesStartWith("npz " + file)
 *     .run(bytes -> { Files.write(file, bytes); Npz.read(file); });
 * }</pre>
 *
 * <p>The same seed gives the same mutations. A failing input is written to {@code target/fuzz-failures/} and the
 * failure names the format, the mutation's index, what was done to the file and the seed. The run stops at the
 * mutation count or the time budget, whichever comes first, but never before it has tried the minimum (default
 * 500, or the count if smaller): a loaded machine makes a run slower, never weaker, so a test may assert the minimum.
 * It prints how many mutations it tried.
 */
public final class Fuzz {
  /** The outcome of a fuzz run: mutations tried, and how many the reader accepted or rejected. */
  public record Report(String format, int tried, int accepted, int rejected, Duration elapsed) {
    @Override
    public String toString() {
      return "fuzz " + format + ": " + tried + " mutations tried (" + rejected + " rejected, " + accepted
          + " accepted) in " + elapsed.toMillis() + " ms";
    }
  }

  /** A reader under test: returns when it accepts the file, throws when it rejects it. */
  @FunctionalInterface
  public interface Reader {
    /** Reads one candidate file. */
    void read(byte[] file) throws Exception;
  }

  private static final int[] INTERESTING_BYTES = {0, 1, 0x7f, 0x80, 0xff};
  private static final int[] INTERESTING_INTS = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x7fff, 0xffff,
      0x10000, 255, 256};

  private final String format;
  private final List<byte[]> originals;
  private long seed = 1;
  private int mutations = 2000;
  private int minimum = 500;
  private Duration budget = Duration.ofSeconds(5);
  private Duration perInput = Duration.ofSeconds(10);
  private final List<Class<? extends Throwable>> rejections = new ArrayList<>();
  private String messagePrefix = "";

  private Fuzz(String format, List<byte[]> originals) {
    if (originals.isEmpty()) {
      throw new IllegalArgumentException("fuzz " + format + ": no valid files to mutate");
    }
    this.format = format;
    this.originals = List.copyOf(originals);
  }

  /** Starts a fuzz run over mutations of the given valid files of a format. */
  public static Fuzz format(String format, List<byte[]> validFiles) {
    return new Fuzz(format, validFiles);
  }

  /** The seed of the mutations (default 1). */
  public Fuzz seed(long seed) {
    this.seed = seed;
    return this;
  }

  /** The most mutations to try (default 2,000). */
  public Fuzz mutations(int mutations) {
    this.mutations = mutations;
    return this;
  }

  /** The fewest mutations a run tries, whatever the time budget (default 500, capped at the count). */
  public Fuzz atLeast(int minimum) {
    this.minimum = minimum;
    return this;
  }

  /** The time after which no new mutation is started, once the minimum is reached (default 5 s). */
  public Fuzz budget(Duration budget) {
    this.budget = budget;
    return this;
  }

  /** The longest one input may take before it counts as a hang (default 10 s). */
  public Fuzz perInputLimit(Duration limit) {
    this.perInput = limit;
    return this;
  }

  /** Exception types (and their subtypes) the reader may reject a file with. */
  @SafeVarargs
  public final Fuzz rejects(Class<? extends Throwable>... types) {
    rejections.addAll(Arrays.asList(types));
    return this;
  }

  /**
   * Requires every rejection's message to start with {@code prefix}, e.g. the reader's name for the file, so that
   * an exception thrown from deep inside a library (with its own, context-free message) fails the run.
   */
  public Fuzz messagesStartWith(String prefix) {
    this.messagePrefix = prefix;
    return this;
  }

  /** Runs the mutations through the reader; fails the test on the first input it mishandles. */
  public Report run(Reader reader) {
    if (rejections.isEmpty()) {
      throw new IllegalStateException("fuzz " + format + ": say which exceptions reject a file (rejects(...))");
    }
    SplittableRandom random = new SplittableRandom(seed);
    long start = System.nanoTime();
    long deadline = start + budget.toNanos();
    int tried = 0;
    int accepted = 0;
    ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fuzz-" + format);
      t.setDaemon(true);
      return t;
    });
    try {
      int floor = Math.min(minimum, mutations);
      while (tried < mutations && (tried < floor || System.nanoTime() < deadline)) {
        byte[] original = originals.get(random.nextInt(originals.size()));
        StringBuilder how = new StringBuilder();
        byte[] candidate = mutate(original, random, how);
        int index = tried++;
        Throwable thrown = readWithin(worker, reader, candidate, index, how);
        if (thrown == null) {
          accepted++;
          continue;
        }
        boolean documented = rejections.stream().anyMatch(c -> c.isInstance(thrown));
        String message = thrown.getMessage();
        String problem = !documented ? "an undocumented exception: "
            : message == null || message.isBlank() ? "no message: "
            : !message.startsWith(messagePrefix) ? "a message not starting with '" + messagePrefix + "': "
            : null;
        if (problem != null) {
          Path saved = save(candidate, index);
          throw new AssertionError("fuzz " + format + ": mutation " + index + " (seed " + seed + "; " + how
              + ") was rejected with " + problem + thrown + "; input saved to " + saved, thrown);
        }
      }
    } finally {
      worker.shutdownNow();
    }
    Report report = new Report(format, tried, accepted, tried - accepted,
        Duration.ofNanos(System.nanoTime() - start));
    System.out.println(report);
    return report;
  }

  private Throwable readWithin(ExecutorService worker, Reader reader, byte[] candidate, int index,
      StringBuilder how) {
    Future<Throwable> f = worker.submit(() -> {
      try {
        reader.read(candidate.clone());
        return null;
      } catch (Throwable t) {
        return t;
      }
    });
    try {
      return f.get(perInput.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      Path saved = save(candidate, index);
      return Assertions.fail("fuzz " + format + ": mutation " + index + " (seed " + seed + "; " + how
          + ") took longer than " + perInput.toMillis() + " ms; input saved to " + saved);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("fuzz " + format + " interrupted", e);
    } catch (ExecutionException e) {
      throw new AssertionError("fuzz " + format + ": the harness failed", e.getCause());
    }
  }

  private Path save(byte[] candidate, int index) {
    try {
      Path dir = Path.of("target", "fuzz-failures");
      Files.createDirectories(dir);
      Path file = dir.resolve(format.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + seed + "-" + index + ".bin");
      Files.write(file, candidate);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One to four stacked mutations of {@code original}; {@code how} receives their description. */
  static byte[] mutate(byte[] original, SplittableRandom random, StringBuilder how) {
    byte[] b = original.clone();
    int count = 1 + random.nextInt(4);
    for (int m = 0; m < count; m++) {
      if (m > 0) {
        how.append(", ");
      }
      b = mutateOnce(b, random, how);
    }
    return b;
  }

  private static byte[] mutateOnce(byte[] b, SplittableRandom random, StringBuilder how) {
    int n = b.length;
    int op = n == 0 ? 6 : random.nextInt(9);
    switch (op) {
      case 0 -> {
        int at = random.nextInt(n);
        int bit = random.nextInt(8);
        b[at] ^= (byte) (1 << bit);
        how.append("flip bit ").append(bit).append(" at ").append(at);
        return b;
      }
      case 1 -> {
        int at = random.nextInt(n);
        b[at] = (byte) random.nextInt(256);
        how.append("random byte at ").append(at);
        return b;
      }
      case 2 -> {
        int at = random.nextInt(n);
        int v = INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)];
        b[at] = (byte) v;
        how.append("byte ").append(v).append(" at ").append(at);
        return b;
      }
      case 3 -> {
        if (n < 4) {
          return mutateOnce(b, random, how);
        }
        int at = random.nextInt(n - 3);
        int v = random.nextInt(4) == 0 ? n + random.nextInt(-2, 3)
            : INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)];
        boolean big = random.nextBoolean();
        for (int k = 0; k < 4; k++) {
          int shift = big ? 24 - 8 * k : 8 * k;
          b[at + k] = (byte) (v >>> shift);
        }
        how.append(big ? "big" : "little").append("-endian int ").append(v).append(" at ").append(at);
        return b;
      }
      case 4 -> {
        int at = random.nextInt(n);
        how.append("truncate to ").append(at);
        return Arrays.copyOf(b, at);
      }
      case 5 -> {
        int from = random.nextInt(n);
        int len = 1 + random.nextInt(Math.min(64, n - from));
        how.append("delete ").append(len).append(" at ").append(from);
        byte[] out = new byte[n - len];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(b, from + len, out, from, n - from - len);
        return out;
      }
      case 6 -> {
        int at = n == 0 ? 0 : random.nextInt(n + 1);
        int len = 1 + random.nextInt(16);
        how.append("insert ").append(len).append(" at ").append(at);
        byte[] out = new byte[n + len];
        System.arraycopy(b, 0, out, 0, at);
        for (int k = 0; k < len; k++) {
          out[at + k] = (byte) random.nextInt(256);
        }
        System.arraycopy(b, at, out, at + len, n - at);
        return out;
      }
      case 7 -> {
        int from = random.nextInt(n);
        int len = 1 + random.nextInt(Math.min(64, n - from));
        int at = random.nextInt(n + 1);
        how.append("duplicate ").append(len).append(" from ").append(from).append(" to ").append(at);
        byte[] out = new byte[n + len];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, from, out, at, len);
        System.arraycopy(b, at, out, at + len, n - at);
        return out;
      }
      default -> {
        int len = 1 + random.nextInt(16);
        how.append("append ").append(len);
        byte[] out = Arrays.copyOf(b, n + len);
        for (int k = 0; k < len; k++) {
          out[n + k] = (byte) random.nextInt(256);
        }
        return out;
      }
    }
  }
}
