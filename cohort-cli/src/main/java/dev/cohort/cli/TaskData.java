package dev.cohort.cli;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.Dataset;
import dev.cohort.simulation.Partition;
import dev.cohort.simulation.Partitioner;
import dev.cohort.simulation.datasets.DatasetFormatException;
import dev.cohort.simulation.datasets.ExampleSpec;
import dev.cohort.simulation.datasets.Idx;
import dev.cohort.simulation.datasets.RatingsCsv;
import dev.cohort.simulation.datasets.SpeakerText;
import dev.cohort.simulation.datasets.StackExchangePosts;
import dev.cohort.simulation.datasets.TffSqlite;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads a task's {@code --data} into {@link TrainData} with cohort-simulation's loaders and partitioners: every
 * example becomes {@code <x=float32[...],y=...>}. Naturally federated data (FEMNIST's writers, speakers, Stack
 * Exchange users, raters) keeps its clients; a client's last {@code floor(0.2 n)} examples (in file order) are its
 * test split where the format has no split of its own. IDX data is partitioned over {@code --num-clients} by
 * {@code --partition}, its train and t10k files each with the same partitioner.
 */
final class TaskData {
  /** What an IDX task's {@code --data} holds. */
  static final String IDX_FILES = "a directory with the IDX files train-images-idx3-ubyte, train-labels-idx1-ubyte,"
      + " t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each plain or .gz)";
  /** The IDX files an IDX task reads, each plain or {@code .gz}. */
  static final List<String> IDX_NAMES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
      "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
  /** Share of a client's examples held out as its test split, where the format has none (RatingsCsv's rule). */
  static final double TEST_FRACTION = 0.2;
  /** Characters of context before the one shakespeare predicts. */
  static final int CONTEXT = 10;
  /** Words in stackoverflow-tags' bag of words: the most frequent in the train split. */
  static final int WORDS = 1000;
  /** Tags stackoverflow-tags predicts: the most frequent in the train split. */
  static final int TAGS = 50;

  private TaskData() {}

  /**
   * How the data is read beyond its path.
   *
   * @param numClients clients an IDX task is partitioned over
   * @param partition {@code iid} or {@code dirichlet:ALPHA}
   * @param columns the ratings CSV's user, item and rating columns
   * @param seed the seed of the partition and of the ratings split
   */
  record Options(int numClients, String partition, RatingsCsv.Columns columns, long seed) {}

  /** {@code --partition}: {@code iid} or {@code dirichlet:ALPHA} over {@code clients}. */
  static Partitioner partitioner(String partition, int clients, long seed) {
    if (partition.equals("iid")) {
      return Partitioner.iid(clients, seed);
    }
    if (partition.startsWith("dirichlet:")) {
      String a = partition.substring("dirichlet:".length());
      double alpha;
      try {
        alpha = Double.parseDouble(a);
      } catch (NumberFormatException e) {
        alpha = Double.NaN;
      }
      if (!(alpha > 0) || Double.isInfinite(alpha)) {
        throw new Flags.FlagException("--partition (" + partition + "): ALPHA (" + a + ") must be a finite "
            + "number > 0, e.g. dirichlet:0.5");
      }
      return Partitioner.dirichlet(clients, alpha, seed);
    }
    throw new Flags.FlagException("--partition (" + partition + ") must be iid or dirichlet:ALPHA (e.g. "
        + "dirichlet:0.5)");
  }

  /** {@code --columns USER,ITEM,RATING}. */
  static RatingsCsv.Columns columns(String columns) {
    String[] c = columns.split(",", -1);
    if (c.length != 3 || Arrays.stream(c).anyMatch(String::isEmpty)) {
      throw new Flags.FlagException("--columns (" + columns + ") must be three column names USER,ITEM,RATING, "
          + "e.g. userID,placeID,rating");
    }
    try {
      return new RatingsCsv.Columns(c[0], c[1], c[2]);
    } catch (IllegalArgumentException e) {
      throw new Flags.FlagException("--columns (" + columns + "): " + e.getMessage(), e);
    }
  }

  /**
   * The data of {@code task} in {@code path}.
   *
   * @throws Flags.FlagException if {@code path} is not the kind of thing the task reads (a directory for a file, a
   *     directory without the expected files)
   * @throws UserFileException if a file is there but malformed or unreadable
   */
  static TrainData load(Task task, Path path, Options o) {
    if (task.directoryTask() && task != Task.FEMNIST && !Files.isDirectory(path)) {
      throw new Flags.FlagException("--data (" + path + ") must be " + task.dataDescription());
    }
    Path file = path;
    if (!task.directoryTask() && Files.isDirectory(path)) {
      file = task.dataFile(path);
      if (file == null) {
        throw new Flags.FlagException("--data (" + path + ") is a directory without one data file of --task "
            + task.flag() + ": pass " + task.dataDescription());
      }
    }
    try {
      return switch (task) {
        case FEMNIST -> Files.isDirectory(path) ? femnistLeaf(path) : femnistSqlite(path);
        case FASHION_MNIST, MNIST_IDX -> idx(path, o);
        case SHAKESPEARE -> shakespeare(file);
        case STACKOVERFLOW_TAGS -> stackExchange(file);
        case RATINGS -> ratings(file, o);
      };
    } catch (DatasetFormatException e) {
      throw new UserFileException("--data " + path + ": " + e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new UserFileException("--data " + path + ": " + e.getMessage() + ": " + e.getCause().getMessage(), e);
    }
  }

  private static TrainData femnistLeaf(Path root) {
    try {
      return TrainData.femnist(root);
    } catch (DatasetFormatException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      // LeafJson.femnist: no train/ or test/ with LEAF files: the flag points at the wrong place.
      throw new Flags.FlagException("--data (" + root + "): " + e.getMessage(), e);
    }
  }

  private static TrainData femnistSqlite(Path file) {
    ClientData train = TffSqlite.load(file, "train", ExampleSpec.EMNIST);
    ClientData test = TffSqlite.load(file, "test", ExampleSpec.EMNIST);
    return new TrainData("TFF SQLite " + file, TrainData.images(train), TrainData.images(test), TrainData.IMAGE,
        62, false);
  }

  private static TrainData idx(Path dir, Options o) {
    List<String> missing = new ArrayList<>();
    Path trainImages = idxFile(dir, IDX_NAMES.get(0), missing);
    Path trainLabels = idxFile(dir, IDX_NAMES.get(1), missing);
    Path testImages = idxFile(dir, IDX_NAMES.get(2), missing);
    Path testLabels = idxFile(dir, IDX_NAMES.get(3), missing);
    if (!missing.isEmpty()) {
      throw new Flags.FlagException("--data (" + dir + ") has no " + String.join(", ", missing) + " (plain or .gz): "
          + "it must be " + IDX_FILES);
    }
    Idx.Examples train = Idx.read(trainImages, trainLabels);
    Idx.Examples test = Idx.read(testImages, testLabels);
    if (train.rows() != test.rows() || train.columns() != test.columns()) {
      throw new UserFileException("--data " + dir + ": the train images are " + train.rows() + "x" + train.columns()
          + ", the t10k images " + test.rows() + "x" + test.columns(), null);
    }
    Partitioner partitioner = partitioner(o.partition(), o.numClients(), o.seed());
    int classes = Math.max(Arrays.stream(train.labelArray()).max().orElse(0),
        Arrays.stream(test.labelArray()).max().orElse(0)) + 1;
    Shape shape = Shape.of(train.rows(), train.columns(), 1);
    return new TrainData("IDX " + dir + ", " + o.partition() + " over " + o.numClients() + " clients",
        idxClients(train, partitioner), idxClients(test, partitioner), shape, Math.max(classes, 2), false);
  }

  private static Path idxFile(Path dir, String name, List<String> missing) {
    for (Path p : List.of(dir.resolve(name), dir.resolve(name + ".gz"))) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    missing.add(name);
    return null;
  }

  private static ClientData idxClients(Idx.Examples e, Partitioner partitioner) {
    Partition p;
    try {
      p = partitioner.partition(e.labelArray());
    } catch (IllegalArgumentException ex) {
      throw new Flags.FlagException("--num-clients: " + ex.getMessage(), ex);
    }
    Struct s = e.struct();
    Tensor pixels = (Tensor) s.get("pixels");
    return p.toClientData(Struct.named("x", pixels.reshape(e.count(), e.rows(), e.columns(), 1), "y",
        s.get("label")));
  }

  /**
   * Next character: each position of a speaker's turn is an example, its {@link #CONTEXT} preceding characters
   * of the turn (one-hot, index 0 before the turn's start) predicting the character there. The vocabulary is the
   * file's code points in order, from index 1.
   */
  private static TrainData shakespeare(Path file) {
    ClientData speakers = SpeakerText.load(file);
    Map<String, List<int[]>> text = new LinkedHashMap<>();
    TreeSet<Integer> chars = new TreeSet<>();
    for (String id : speakers.clientIds()) {
      List<int[]> turns = new ArrayList<>();
      for (Object e : speakers.dataset(id)) {
        int[] cps = ((Tensor) ((Struct) e).get("snippets")).stringValue().codePoints().toArray();
        for (int c : cps) {
          chars.add(c);
        }
        turns.add(cps);
      }
      text.put(id, turns);
    }
    Map<Integer, Integer> index = new HashMap<>();
    for (int c : chars) {
      index.put(c, index.size() + 1);
    }
    int vocabulary = index.size() + 1;
    Map<String, int[][]> train = new LinkedHashMap<>();
    Map<String, int[][]> test = new LinkedHashMap<>();
    for (Map.Entry<String, List<int[]>> speaker : text.entrySet()) {
      int n = speaker.getValue().stream().mapToInt(t -> t.length).sum();
      int[] context = new int[n * CONTEXT];
      int[] next = new int[n];
      int at = 0;
      for (int[] turn : speaker.getValue()) {
        for (int i = 0; i < turn.length; i++, at++) {
          for (int k = 0; k < CONTEXT; k++) {
            int j = i - CONTEXT + k;
            context[at * CONTEXT + k] = j < 0 ? 0 : index.get(turn[j]);
          }
          next[at] = index.get(turn[i]);
        }
      }
      int cut = n - (int) Math.floor(TEST_FRACTION * n);
      train.put(speaker.getKey(), new int[][] {Arrays.copyOf(context, cut * CONTEXT), Arrays.copyOf(next, cut)});
      test.put(speaker.getKey(), new int[][] {Arrays.copyOfRange(context, cut * CONTEXT, n * CONTEXT),
          Arrays.copyOfRange(next, cut, n)});
    }
    Shape shape = Shape.of(CONTEXT, vocabulary);
    return new TrainData("text " + file + ", " + vocabulary + " characters (with 'none'), " + CONTEXT
        + " of context", characters(train, shape), characters(test, shape), shape, vocabulary, false);
  }

  private static ClientData characters(Map<String, int[][]> clients, Shape shape) {
    StructType ids = StructType.named("x", TensorType.of(DType.INT32, CONTEXT), "y", TensorType.INT32);
    StructType element = TrainData.element(shape, false, 0);
    int v = shape.dim(1);
    return ClientData.of(clients.keySet(), element, id -> {
      int[][] c = clients.get(id);
      Dataset d = c[1].length == 0 ? Dataset.empty(ids)
          : Dataset.fromTensorSlices(Struct.named("x", Tensor.ofInts(c[0], c[1].length, CONTEXT), "y",
              Tensor.ofInts(c[1], c[1].length)));
      return d.map(element, e -> {
        int[] x = ((Tensor) ((Struct) e).get("x")).intData();
        float[] hot = new float[CONTEXT * v];
        for (int k = 0; k < CONTEXT; k++) {
          hot[k * v + x[k]] = 1f;
        }
        return Struct.named("x", Tensor.of(hot, CONTEXT, v), "y", ((Struct) e).get("y"));
      });
    });
  }

  /**
   * Tags from words: each post's title and body tokens as a bag of the {@link #WORDS} most frequent train words
   * (counts over the post's in-vocabulary words, summing to 1), its tags among the {@link #TAGS} most frequent
   * train tags as a multi-hot target.
   */
  private static TrainData stackExchange(Path file) {
    ClientData users = StackExchangePosts.load(file);
    Map<String, List<String[]>> words = new LinkedHashMap<>();
    Map<String, List<String[]>> tags = new LinkedHashMap<>();
    Map<String, Integer> trainWords = new HashMap<>();
    Map<String, Integer> trainTags = new HashMap<>();
    for (String id : users.clientIds()) {
      List<String[]> w = new ArrayList<>();
      List<String[]> t = new ArrayList<>();
      for (Object e : users.dataset(id)) {
        Struct post = (Struct) e;
        String title = ((Tensor) post.get("title")).stringValue();
        String tokens = ((Tensor) post.get("tokens")).stringValue();
        w.add((title + " " + tokens).toLowerCase(java.util.Locale.ROOT).trim().split("\\s+"));
        String tagList = ((Tensor) post.get("tags")).stringValue();
        t.add(tagList.isEmpty() ? new String[0] : tagList.split("\\|"));
      }
      int cut = w.size() - (int) Math.floor(TEST_FRACTION * w.size());
      for (int i = 0; i < cut; i++) {
        for (String word : w.get(i)) {
          trainWords.merge(word, 1, Integer::sum);
        }
        for (String tag : t.get(i)) {
          trainTags.merge(tag, 1, Integer::sum);
        }
      }
      words.put(id, w);
      tags.put(id, t);
    }
    Map<String, Integer> wordIndex = mostFrequent(trainWords, WORDS);
    Map<String, Integer> tagIndex = mostFrequent(trainTags, TAGS);
    if (tagIndex.isEmpty()) {
      throw new UserFileException("--data " + file + ": no post of the train split has a tag; stackoverflow-tags "
          + "predicts tags", null);
    }
    Shape shape = Shape.of(wordIndex.size());
    StructType element = TrainData.element(shape, true, tagIndex.size());
    Map<String, int[]> split = new LinkedHashMap<>();
    for (Map.Entry<String, List<String[]>> u : words.entrySet()) {
      int n = u.getValue().size();
      split.put(u.getKey(), new int[] {0, n - (int) Math.floor(TEST_FRACTION * n), n});
    }
    ClientData[] parts = new ClientData[2];
    for (int part = 0; part < 2; part++) {
      int p = part;
      parts[part] = ClientData.of(words.keySet(), element, id -> Dataset.defer(element, () -> {
        int from = split.get(id)[p];
        int to = split.get(id)[p + 1];
        if (from == to) {
          return Dataset.empty(element);
        }
        float[] x = new float[(to - from) * wordIndex.size()];
        float[] y = new float[(to - from) * tagIndex.size()];
        for (int i = from; i < to; i++) {
          int row = i - from;
          int known = 0;
          for (String word : words.get(id).get(i)) {
            Integer k = wordIndex.get(word);
            if (k != null) {
              x[row * wordIndex.size() + k]++;
              known++;
            }
          }
          for (int k = 0; known > 0 && k < wordIndex.size(); k++) {
            x[row * wordIndex.size() + k] /= known;
          }
          for (String tag : tags.get(id).get(i)) {
            Integer k = tagIndex.get(tag);
            if (k != null) {
              y[row * tagIndex.size() + k] = 1f;
            }
          }
        }
        return Dataset.fromTensorSlices(Struct.named("x", Tensor.of(x, to - from, wordIndex.size()), "y",
            Tensor.of(y, to - from, tagIndex.size())));
      }));
    }
    return new TrainData("Stack Exchange posts " + file + ", " + wordIndex.size() + " words, " + tagIndex.size()
        + " tags", parts[0], parts[1], shape, tagIndex.size(), true);
  }

  /** The {@code k} most frequent keys (ties by the key's order), each with its rank. */
  private static Map<String, Integer> mostFrequent(Map<String, Integer> counts, int k) {
    List<Map.Entry<String, Integer>> sorted = new ArrayList<>(new TreeMap<>(counts).entrySet());
    sorted.sort((a, b) -> Integer.compare(b.getValue(), a.getValue()));
    Map<String, Integer> index = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> e : sorted.subList(0, Math.min(k, sorted.size()))) {
      index.put(e.getKey(), index.size());
    }
    return index;
  }

  /**
   * A user's rating of an item, as the index of its value among the file's distinct ratings (the classes,
   * ascending), from the item one-hot followed by the user's own mix of ratings in its train split (the fraction of
   * each class: a user's bias, known to the client without its test ratings). RatingsCsv holds out
   * {@code floor(0.2 n)} of each user's ratings, seeded.
   */
  private static TrainData ratings(Path file, Options o) {
    RatingsCsv.Ratings r = RatingsCsv.load(file, o.columns(), TEST_FRACTION, o.seed());
    TreeSet<Float> values = new TreeSet<>();
    for (ClientData part : List.of(r.train(), r.test())) {
      for (String id : part.clientIds()) {
        for (Object e : part.dataset(id)) {
          values.add(((Tensor) ((Struct) e).get("rating")).floatValue());
        }
      }
    }
    float[] classes = new float[values.size()];
    int c = 0;
    for (float v : values) {
      classes[c++] = v;
    }
    int items = r.items().size();
    Map<String, float[]> mix = new HashMap<>();
    for (String id : r.train().clientIds()) {
      float[] m = new float[classes.length];
      int n = 0;
      for (Object e : r.train().dataset(id)) {
        m[Arrays.binarySearch(classes, ((Tensor) ((Struct) e).get("rating")).floatValue())]++;
        n++;
      }
      for (int k = 0; n > 0 && k < m.length; k++) {
        m[k] /= n;
      }
      mix.put(id, m);
    }
    Shape shape = Shape.of(items + classes.length);
    StructType element = TrainData.element(shape, false, 0);
    ClientData[] parts = new ClientData[2];
    for (int part = 0; part < 2; part++) {
      ClientData split = part == 0 ? r.train() : r.test();
      parts[part] = ClientData.of(split.clientIds(), element, id -> split.dataset(id).map(element, e -> {
        Struct s = (Struct) e;
        float[] x = new float[items + classes.length];
        x[((Tensor) s.get("item")).intValue()] = 1f;
        System.arraycopy(mix.get(id), 0, x, items, classes.length);
        return Struct.named("x", Tensor.of(x, x.length), "y",
            Tensor.scalar(Arrays.binarySearch(classes, ((Tensor) s.get("rating")).floatValue())));
      }));
    }
    return new TrainData("ratings CSV " + file + ", " + items + " items and the user's rating mix, ratings "
        + values, parts[0], parts[1], shape, Math.max(classes.length, 2), false);
  }
}
