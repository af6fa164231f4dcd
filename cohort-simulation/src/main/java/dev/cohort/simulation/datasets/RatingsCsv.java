package dev.cohort.simulation.datasets;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.Dataset;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A ratings table (user, item, rating) as federated data, each user a client holding its own ratings, split per
 * user into train and test ratings: the layout of federated matrix factorization (TFF's reconstruction tutorial on
 * MovieLens; here the UCI restaurant ratings {@code rating_final.csv}).
 *
 * <pre>{@code
 * RatingsCsv.Ratings r = RatingsCsv.load(dir.resolve("rating_final.csv"),
 *     new RatingsCsv.Columns("userID", "placeID", "rating"), 0.2, seed);
 * r.train().elementType();   // <item=int32,rating=float32>; item indexes r.items()
 * }</pre>
 *
 * <p>The file is UTF-8 CSV (RFC 4180, read with Apache Commons CSV) with a header naming its columns; other
 * columns are ignored. Items are numbered by their index in the sorted ({@link String#compareTo}) list of distinct
 * item ids, so an item embedding can be a dense matrix. Ratings are parsed as numbers and held as float32.
 *
 * <p><b>Per-user split.</b> Each user's ratings are permuted by {@code RandomStream.of(seed, purpose, userIndex)}
 * and the first {@code floor(testFraction * n)} of that permutation go to the user's test set, the rest to its
 * train set, each kept in file order. Both ClientData have every user (a test dataset may be empty); the split
 * depends only on the seed, the user and its ratings.
 *
 * <p>The table is held in memory as primitive arrays (8 bytes a rating). A row with a missing field, a rating
 * that is not a finite number, a (user, item) pair rated twice, malformed quoting or text that is not UTF-8 raises
 * {@link DatasetFormatException} naming the file, the line and the user.
 */
public final class RatingsCsv {
  /** {@code <item=int32,rating=float32>}. */
  public static final StructType ELEMENT_TYPE =
      StructType.named("item", TensorType.INT32, "rating", TensorType.FLOAT32);

  /** The purpose folded into the split streams. */
  private static final long SPLIT = 0x5241_5449_4E47_53L; // "RATINGS"

  private RatingsCsv() {}

  /**
   * Which header columns hold the user, the item and the rating.
   *
   * @param user the column of the user id (the client)
   * @param item the column of the item id
   * @param rating the column of the rating, a number
   */
  public record Columns(String user, String item, String rating) {
    /**
     * Checks that the three columns are given and distinct.
     *
     * @throws IllegalArgumentException if a name is missing or repeats
     */
    public Columns {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(item, "item");
      Objects.requireNonNull(rating, "rating");
      if (user.equals(item) || user.equals(rating) || item.equals(rating)) {
        throw new IllegalArgumentException("ratings columns must be three different columns, got user='" + user
            + "', item='" + item + "', rating='" + rating + "'");
      }
    }
  }

  /**
   * A loaded ratings table.
   *
   * @param train each user's train ratings
   * @param test each user's test ratings (the same users)
   * @param items the distinct item ids, sorted; an element's {@code item} is an index into this list
   * @param ratings the number of ratings in the file
   */
  public record Ratings(ClientData train, ClientData test, List<String> items, int ratings) {
    /** Copies the item list. */
    public Ratings {
      Objects.requireNonNull(train, "train");
      Objects.requireNonNull(test, "test");
      items = List.copyOf(items);
    }
  }

  /** One user's ratings in file order, and the line where each item was rated. */
  private static final class UserRows {
    int[] items = new int[8];
    float[] ratings = new float[8];
    int size;
    final Map<String, Long> seen = new HashMap<>();

    void add(int itemSlot, float rating) {
      if (size == items.length) {
        items = Arrays.copyOf(items, size * 2);
        ratings = Arrays.copyOf(ratings, size * 2);
      }
      items[size] = itemSlot;
      ratings[size] = rating;
      size++;
    }
  }

  /**
   * Reads {@code file} and splits each user's ratings.
   *
   * @param testFraction the share of each user's ratings held out, in [0, 1)
   * @param seed the seed of the split
   * @throws DatasetFormatException if the file is not a ratings CSV with these columns
   * @throws UncheckedIOException if the file cannot be read
   * @throws IllegalArgumentException if {@code testFraction} is outside [0, 1)
   */
  public static Ratings load(Path file, Columns columns, double testFraction, long seed) {
    Objects.requireNonNull(columns, "columns");
    if (!(testFraction >= 0 && testFraction < 1)) {
      throw new IllegalArgumentException("RatingsCsv: testFraction (" + testFraction + ") must be in [0, 1)");
    }
    Map<String, UserRows> users = new TreeMap<>();
    List<String> itemIds = new ArrayList<>();
    Map<String, Integer> itemSlots = new HashMap<>();
    int total = 0;
    CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get();
    try {
      Utf8.require(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the ratings file " + file, e);
    }
    try (Reader reader = utf8(file); CSVParser parser = parse(file, reader, format)) {
      List<String> header = parser.getHeaderNames();
      int[] at = new int[3];
      String[] names = {columns.user(), columns.item(), columns.rating()};
      for (int c = 0; c < 3; c++) {
        at[c] = header.indexOf(names[c]);
        if (at[c] < 0) {
          throw new DatasetFormatException(file, "line 1", null, "the header has no column '" + names[c]
              + "' (it has " + header + ")", null);
        }
      }
      Iterator<CSVRecord> it = parser.iterator();
      while (true) {
        long line = parser.getCurrentLineNumber() + 1;
        CSVRecord row;
        try {
          if (!it.hasNext()) {
            break;
          }
          row = it.next();
        } catch (UncheckedIOException e) {
          throw malformed(file, line, e.getCause());
        }
        if (row.size() != header.size()) {
          throw new DatasetFormatException(file, "line " + line, null, "the row has " + row.size() + " field"
              + (row.size() == 1 ? "" : "s") + ", the header " + header.size() + " (" + String.join(",", header)
              + ")", null);
        }
        String user = row.get(at[0]);
        String item = row.get(at[1]);
        if (user.isEmpty() || item.isEmpty()) {
          throw new DatasetFormatException(file, "line " + line, user.isEmpty() ? null : user, "the "
              + (user.isEmpty() ? names[0] : names[1]) + " field is empty", null);
        }
        float rating = parseRating(file, line, user, names[2], row.get(at[2]));
        UserRows rows = users.computeIfAbsent(user, u -> new UserRows());
        Long before = rows.seen.putIfAbsent(item, line);
        if (before != null) {
          throw new DatasetFormatException(file, "line " + line, user, "item '" + item + "' is rated again (first"
              + " on line " + before + "); a user may rate an item once", null);
        }
        Integer slot = itemSlots.get(item);
        if (slot == null) {
          slot = itemIds.size();
          itemSlots.put(item, slot);
          itemIds.add(item);
        }
        rows.add(slot, rating);
        total++;
      }
    } catch (IOException e) {
      throw malformed(file, 1, e);
    }
    int[] indexOfSlot = sortedIndex(itemIds);
    List<String> sortedItems = new ArrayList<>(new TreeSet<>(itemIds));
    Map<String, Struct[]> parts = new HashMap<>();
    int userIndex = 0;
    for (Map.Entry<String, UserRows> e : users.entrySet()) {
      parts.put(e.getKey(), split(e.getValue(), indexOfSlot, testFraction,
          RandomStream.of(seed, SPLIT, userIndex++)));
    }
    ClientData train = ClientData.of(users.keySet(), ELEMENT_TYPE,
        u -> Dataset.fromTensorSlices(parts.get(u)[0]));
    ClientData test = ClientData.of(users.keySet(), ELEMENT_TYPE,
        u -> Dataset.fromTensorSlices(parts.get(u)[1]));
    return new Ratings(train, test, sortedItems, total);
  }

  private static Reader utf8(Path file) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
    in.mark(1);
    if (in.read() != '\uFEFF') {
      in.reset(); // no byte-order mark
    }
    return in;
  }

  /** Parses the header; a header Commons CSV refuses (a repeated or missing name) is a format error. */
  private static CSVParser parse(Path file, Reader reader, CSVFormat format) throws IOException {
    try {
      return CSVParser.parse(reader, format);
    } catch (IllegalArgumentException e) {
      throw new DatasetFormatException(file, "line 1", null, "bad header: " + e.getMessage(), e);
    }
  }

  /** Malformed CSV is a format error; any other failure is I/O (the text was checked to be UTF-8 before). */
  private static RuntimeException malformed(Path file, long line, IOException e) {
    if (e instanceof CSVException) {
      return new DatasetFormatException(file, "line " + line, null, "malformed CSV: " + e.getMessage(), e);
    }
    return new UncheckedIOException("cannot read the ratings file " + file, e);
  }

  private static float parseRating(Path file, long line, String user, String column, String value) {
    double v;
    try {
      v = Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      throw new DatasetFormatException(file, "line " + line, user, column + " '" + value + "' is not a number",
          null);
    }
    if (!Double.isFinite(v) || Math.abs(v) > Float.MAX_VALUE) {
      throw new DatasetFormatException(file, "line " + line, user, column + " '" + value + "' is not a finite"
          + " float32 number", null);
    }
    return (float) v;
  }

  /** For each slot (first-seen order), the index of its item id in sorted order. */
  private static int[] sortedIndex(List<String> ids) {
    Integer[] order = new Integer[ids.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> ids.get(a).compareTo(ids.get(b)));
    int[] index = new int[order.length];
    for (int rank = 0; rank < order.length; rank++) {
      index[order[rank]] = rank;
    }
    return index;
  }

  private static Struct[] split(UserRows rows, int[] indexOfSlot, double testFraction, RandomStream stream) {
    int n = rows.size;
    int held = (int) Math.floor(testFraction * n);
    boolean[] isTest = new boolean[n];
    int[] perm = stream.permutation(n);
    for (int k = 0; k < held; k++) {
      isTest[perm[k]] = true;
    }
    return new Struct[] {select(rows, indexOfSlot, isTest, false, n - held),
        select(rows, indexOfSlot, isTest, true, held)};
  }

  private static Struct select(UserRows rows, int[] indexOfSlot, boolean[] isTest, boolean test, int count) {
    int[] items = new int[count];
    float[] ratings = new float[count];
    int j = 0;
    for (int i = 0; i < rows.size; i++) {
      if (isTest[i] == test) {
        items[j] = indexOfSlot[rows.items[i]];
        ratings[j] = rows.ratings[i];
        j++;
      }
    }
    return Struct.named("item", Tensor.wrap(items, Shape.of(count)), "rating", Tensor.wrap(ratings,
        Shape.of(count)));
  }
}
