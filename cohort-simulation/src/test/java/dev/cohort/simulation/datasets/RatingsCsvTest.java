package dev.cohort.simulation.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.tensor.Tensor;
import dev.cohort.testing.Fuzz;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RatingsCsvTest {
  static final RatingsCsv.Columns UCI = new RatingsCsv.Columns("userID", "placeID", "rating");
  static final RatingsCsv.Columns SMALL = new RatingsCsv.Columns("user", "item", "rating");

  @TempDir
  Path dir;

  /** (item index, rating) pairs of a client's dataset. */
  static List<String> pairs(ClientData cd, String user) {
    List<String> out = new ArrayList<>();
    for (Object e : cd.dataset(user)) {
      Struct s = (Struct) e;
      out.add(((Tensor) s.get("item")).intValue() + ":" + ((Tensor) s.get("rating")).floatValue());
    }
    return out;
  }

  @Test
  void theUciRestaurantRatingsHaveTheUsersItemsAndRatingsItsSourceStates() throws IOException {
    Path file = SharedData.require("restaurant_ratings").resolve("rating_final.csv");
    RatingsCsv.Ratings r = RatingsCsv.load(file, UCI, 0.2, 7);
    assertThat(r.train().clientIds()).hasSize(138).startsWith("U1001").endsWith("U1138");
    assertThat(r.test().clientIds()).isEqualTo(r.train().clientIds());
    assertThat(r.items()).hasSize(130).startsWith("132560").endsWith("135109");
    assertThat(r.ratings()).isEqualTo(1161);
    assertThat(r.train().elementType()).hasToString("<item=int32,rating=float32>");
    int[] perRating = new int[3];
    int min = Integer.MAX_VALUE;
    int max = 0;
    int atLeastFive = 0;
    // An independent reading of the file: each user's (item, rating) rows, to compare with what the split holds.
    Map<String, List<String>> expected = new HashMap<>();
    try (BufferedReader in = Files.newBufferedReader(file)) {
      in.readLine();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] f = line.split(",");
        expected.computeIfAbsent(f[0], u -> new ArrayList<>())
            .add(r.items().indexOf(f[1]) + ":" + Float.parseFloat(f[2]));
      }
    }
    for (String user : r.train().clientIds()) {
      List<String> train = pairs(r.train(), user);
      List<String> test = pairs(r.test(), user);
      int n = train.size() + test.size();
      assertThat(test).hasSize((int) Math.floor(0.2 * n));
      List<String> all = new ArrayList<>(train);
      all.addAll(test);
      assertThat(all).containsExactlyInAnyOrderElementsOf(expected.get(user));
      assertThat(train).isSubsetOf(expected.get(user)); // and in file order:
      assertThat(expected.get(user).stream().filter(train::contains).toList()).isEqualTo(train);
      min = Math.min(min, n);
      max = Math.max(max, n);
      atLeastFive += n >= 5 ? 1 : 0;
      for (String p : all) {
        perRating[(int) Float.parseFloat(p.substring(p.indexOf(':') + 1))]++;
      }
    }
    assertThat(min).isEqualTo(3);
    assertThat(max).isEqualTo(18);
    assertThat(atLeastFive).isEqualTo(115);
    assertThat(perRating).containsExactly(254, 421, 486);
  }

  @Test
  void theSplitIsKeyedOnTheSeedAndAFractionOfZeroHoldsNothingOut() throws IOException {
    StringBuilder csv = new StringBuilder("user,item,rating\n");
    for (int i = 0; i < 40; i++) {
      csv.append("a,").append(i).append(',').append(i % 5).append('\n');
    }
    Path file = Files.writeString(dir.resolve("r.csv"), csv);
    List<String> one = pairs(RatingsCsv.load(file, SMALL, 0.25, 1).test(), "a");
    assertThat(pairs(RatingsCsv.load(file, SMALL, 0.25, 1).test(), "a")).isEqualTo(one).hasSize(10);
    assertThat(pairs(RatingsCsv.load(file, SMALL, 0.25, 2).test(), "a")).isNotEqualTo(one);
    assertThat(pairs(RatingsCsv.load(file, SMALL, 0.0, 1).test(), "a")).isEmpty();
    assertThat(pairs(RatingsCsv.load(file, SMALL, 0.0, 1).train(), "a")).hasSize(40);
    assertThatThrownBy(() -> RatingsCsv.load(file, SMALL, 1.0, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("RatingsCsv: testFraction (1.0) must be in [0, 1)");
  }

  @Test
  void quotedFieldsAByteOrderMarkAndExtraColumnsAreRead() throws IOException {
    Path file = Files.writeString(dir.resolve("q.csv"), "\uFEFFnote,user,item,rating\r\n"
        + "\"a, b\",u1,x,4.5\r\n\"multi\nline\",u1,y,1\r\n", StandardCharsets.UTF_8);
    RatingsCsv.Ratings r = RatingsCsv.load(file, SMALL, 0.0, 1);
    assertThat(r.items()).containsExactly("x", "y");
    assertThat(pairs(r.train(), "u1")).containsExactly("0:4.5", "1:1.0");
  }

  @Test
  void badRowsNameTheFileTheLineAndTheUser() throws IOException {
    Path missing = Files.writeString(dir.resolve("missing.csv"), "user,item,rating\nu1,a,1\nu2,b\n");
    assertThatThrownBy(() -> RatingsCsv.load(missing, SMALL, 0.2, 1)).isInstanceOf(DatasetFormatException.class)
        .hasMessage(missing + ": line 3: the row has 2 fields, the header 3 (user,item,rating)");
    Path nan = Files.writeString(dir.resolve("nan.csv"), "user,item,rating\nu1,a,good\n");
    assertThatThrownBy(() -> RatingsCsv.load(nan, SMALL, 0.2, 1))
        .hasMessage(nan + ": line 2: client 'u1': rating 'good' is not a number");
    Path inf = Files.writeString(dir.resolve("inf.csv"), "user,item,rating\nu1,a,1e39\n");
    assertThatThrownBy(() -> RatingsCsv.load(inf, SMALL, 0.2, 1))
        .hasMessage(inf + ": line 2: client 'u1': rating '1e39' is not a finite float32 number");
    Path twice = Files.writeString(dir.resolve("twice.csv"), "user,item,rating\nu1,a,1\nu2,a,1\nu1,a,2\n");
    assertThatThrownBy(() -> RatingsCsv.load(twice, SMALL, 0.2, 1))
        .hasMessage(twice + ": line 4: client 'u1': item 'a' is rated again (first on line 2); a user may rate an"
            + " item once");
    Path header = Files.writeString(dir.resolve("header.csv"), "userID,item,rating\nu1,a,1\n");
    assertThatThrownBy(() -> RatingsCsv.load(header, SMALL, 0.2, 1))
        .hasMessage(header + ": line 1: the header has no column 'user' (it has [userID, item, rating])");
    Path quote = Files.writeString(dir.resolve("quote.csv"), "user,item,rating\nu1,a,1\n\"u2\"x,b,1\n");
    assertThatThrownBy(() -> RatingsCsv.load(quote, SMALL, 0.2, 1))
        .hasMessageStartingWith(quote + ": line 3: malformed CSV: ");
    Path latin1 = Files.write(dir.resolve("latin1.csv"), "user,item,rating\nJos\u00e9,a,1\n"
        .getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> RatingsCsv.load(latin1, SMALL, 0.2, 1))
        .hasMessage(latin1 + ": line 2 (byte 20): the text is not valid UTF-8 (1 malformed byte)");
    Path empty = Files.writeString(dir.resolve("empty.csv"), "user,item,rating\n,a,1\n");
    assertThatThrownBy(() -> RatingsCsv.load(empty, SMALL, 0.2, 1))
        .hasMessage(empty + ": line 2: the user field is empty");
  }

  @Test
  void fuzzedRatingsFilesAreReadOrRejectedNamingTheFile() throws IOException {
    byte[] small = ("user,item,rating\nu1,a,1\nu1,b,2.5\n\"u2\",\"a\",0\nu3,c,1\n").getBytes(StandardCharsets.UTF_8);
    byte[] real = Files.readAllBytes(SharedData.require("restaurant_ratings").resolve("rating_final.csv"));
    byte[] head = new String(real, StandardCharsets.UTF_8).lines().limit(60)
        .reduce("", (a, b) -> a + b + "\n").getBytes(StandardCharsets.UTF_8);
    Path candidate = dir.resolve("candidate.csv");
    Fuzz.Report report = Fuzz.format("ratings-csv", List.of(small, head)).seed(20260503).mutations(1000)
        .budget(Duration.ofSeconds(120))
        .rejects(DatasetFormatException.class)
        .messagesStartWith(candidate + ": line ")
        .run(bytes -> {
          Files.write(candidate, bytes);
          RatingsCsv.Columns columns = bytes.length > 6 && bytes[0] == 'u' && bytes[4] == 'I' ? UCI : SMALL;
          RatingsCsv.Ratings r = RatingsCsv.load(candidate, columns, 0.3, 5);
          for (String user : r.train().clientIds()) {
            r.train().dataset(user).count();
            r.test().dataset(user).count();
          }
        });
    assertThat(report.tried()).isEqualTo(1000); // all of them: the budget only guards against a hang
  }
}
