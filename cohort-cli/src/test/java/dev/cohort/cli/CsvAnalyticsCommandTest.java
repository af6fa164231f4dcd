package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.testing.Fuzz;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cohort analytics histogram} and {@code distinct} over CSV files, and the CSV reader's fuzzing. */
class CsvAnalyticsCommandTest {
  private static final String NL = System.lineSeparator();
  private static final String CSV = "user,age,city\nu1,23,Paris\nu2,35,\"Rome, IT\"\nu1,41,Paris\nu3,67,Oslo\n"
      + "u2,35,Rome\nu4,-5,Oslo\n";

  @TempDir
  Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> json(CliRun r) {
    return (Map<String, Object>) new PrivacyCommandTest.JsonParser(r.out().strip()).parse();
  }

  @Test
  void aHistogramCountsEachClientsFirstRecordsInTheirBins() throws IOException {
    Path f = write("people.csv", CSV);
    // First record per client: u1 23, u2 35, u3 67, u4 -5 (clipped to the first bin) over [0, 80] in 4 bins.
    CliRun r = CliRun.of("analytics", "histogram", "--csv", f.toString(), "--column", "age", "--client-column",
        "user", "--lower", "0", "--upper", "80", "--bins", "4", "--quantiles", "0.5,1");
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo(String.join(NL, "clients            4", "records            4",
        "[0, 20)            1", "[20, 40)           2", "[40, 60)           0", "[60, 80]           1",
        "quantile 0.5       20", "quantile 1         60") + NL);
    CliRun two = CliRun.of("analytics", "histogram", "--csv", f.toString(), "--column", "age", "--client-column",
        "user", "--lower", "0", "--upper", "80", "--bins", "4", "--max-records-per-client", "2", "--distinct",
        "--json");
    // Distinct bins: u1 {20-40, 40-60}, u2 {20-40} (35 twice), u3 {60-80}, u4 {0-20}.
    assertThat(json(two)).containsEntry("clients", 4.0).containsEntry("records", 5.0)
        .containsEntry("counts", List.of(1.0, 2.0, 1.0, 1.0))
        .containsEntry("bin_lower_edges", List.of(0.0, 20.0, 40.0, 60.0));
  }

  @Test
  void withNoiseTheHistogramReportsItsGuaranteeAndConsistentCounts() throws IOException {
    StringBuilder sb = new StringBuilder("client,value\n");
    SplittableRandom random = new SplittableRandom(3);
    int[] exact = new int[8];
    for (int c = 0; c < 2000; c++) {
      double v = random.nextDouble() * 8;
      exact[(int) v]++;
      sb.append("c").append(c).append(',').append(v).append('\n');
    }
    Path f = write("values.csv", sb.toString());
    CliRun r = CliRun.of("analytics", "histogram", "--csv", f.toString(), "--column", "value", "--client-column",
        "client", "--lower", "0", "--upper", "8", "--bins", "8", "--noise-multiplier", "2", "--delta", "1e-5",
        "--seed", "4", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    Map<String, Object> j = json(r);
    assertThat(j).containsEntry("noise_multiplier", 2.0).containsEntry("noise_stddev", 2 * Math.sqrt(4))
        .containsEntry("delta", 1e-5);
    double epsilon = dev.cohort.privacy.RdpAccountant.create().compose(dev.cohort.privacy.DpEvent.gaussian(2))
        .epsilon(1e-5).epsilon();
    assertThat(j).containsEntry("epsilon", epsilon);
    List<?> counts = (List<?>) j.get("counts");
    double sum = 0;
    for (int i = 0; i < 8; i++) {
      double c = (Double) counts.get(i);
      sum += c;
      assertThat(c).isBetween(exact[i] - 5 * 4.0, exact[i] + 5 * 4.0);   // 5 sigma of the noise
    }
    assertThat(sum).isCloseTo((Double) j.get("records"), org.assertj.core.api.Assertions.within(1e-6));
  }

  @Test
  void distinctEstimatesWithTffsHyperLogLog() throws IOException {
    Path f = write("people.csv", CSV);
    CliRun r = CliRun.of("analytics", "distinct", "--csv", f.toString(), "--column", "city", "--client-column",
        "user", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    long[] registers = new long[32];
    for (String city : List.of("Paris", "Rome, IT", "Oslo", "Rome")) {
      dev.cohort.analytics.HyperLogLog.add(registers, city.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(json(r)).containsEntry("clients", 4.0)
        .containsEntry("distinct_estimate", (double) dev.cohort.analytics.HyperLogLog.estimate(registers));
    CliRun text = CliRun.of("analytics", "distinct", "--csv", f.toString(), "--column", "city", "--client-column",
        "user");
    assertThat(text.out()).startsWith("clients            4" + NL + "distinct (est.)    ");
  }

  @Test
  void badFlagsExitTwoAndBadFilesExitOne() throws IOException {
    Path f = write("people.csv", CSV);
    String[] base = {"analytics", "histogram", "--csv", f.toString(), "--column", "age", "--client-column", "user",
        "--lower", "0", "--upper", "80", "--bins", "4"};
    Object[][] cases = {
        {new String[] {"--column", "height"}, 2, "--column (height) is not a column of " + f
            + "; its columns are user, age, city"},
        {new String[] {"--bins", "0"}, 2, "--bins: num_bins must be at least 1, got 0"},
        {new String[] {"--upper", "0"}, 2, "--lower/--upper: lower_bound (0.0) must be finite and below upper_bound"},
        {new String[] {"--noise-multiplier", "1"}, 2, "--noise-multiplier (1) needs --delta D"},
        {new String[] {"--delta", "0.1"}, 2, "--delta (0.1) needs --noise-multiplier"},
        {new String[] {"--quantiles", "1.5"}, 2, "--quantiles (1.5) must be in [0, 1]"},
        {new String[] {"--column", "city"}, 1, f + ": client 'u1', record 1 of column 'city': 'Paris' is not a number"},
    };
    for (Object[] c : cases) {
      List<String> argv = new ArrayList<>(List.of(base));
      String[] flags = (String[]) c[0];
      int given = argv.indexOf(flags[0]);
      if (given >= 0) {
        argv.set(given + 1, flags[1]);   // picocli takes each flag once: replace the base's value
      } else {
        argv.addAll(List.of(flags));
      }
      CliRun r = CliRun.of(argv.toArray(new String[0]));
      assertThat(r.code()).as(argv.toString()).isEqualTo(c[1]);
      assertThat(r.err()).as(argv.toString()).startsWith("cohort analytics histogram: error: " + c[2]);
    }
    Path open = write("open.csv", "user,age\nu1,\"23\n");
    CliRun unclosed = CliRun.of("analytics", "distinct", "--csv", open.toString(), "--column", "age",
        "--client-column", "user");
    assertThat(unclosed.code()).isEqualTo(1);
    assertThat(unclosed.err()).startsWith("cohort analytics distinct: error: cannot read the CSV file " + open + ": ");
    Path shortRecord = write("short.csv", "user,age\nu1\n");
    CliRun s = CliRun.of("analytics", "distinct", "--csv", shortRecord.toString(), "--column", "age",
        "--client-column", "user");
    assertThat(s.code()).isEqualTo(1);
    assertThat(s.err()).isEqualTo("cohort analytics distinct: error: " + shortRecord + ": line 2: record 1 has 1"
        + " field(s); columns 'user' and 'age' need 2" + NL);
    Path empty = write("empty.csv", "");
    assertThat(CliRun.of("analytics", "distinct", "--csv", empty.toString(), "--column", "a", "--client-column",
        "b").code()).isEqualTo(1);
    CliRun missing = CliRun.of("analytics", "distinct", "--csv", dir.resolve("none.csv").toString(), "--column",
        "a", "--client-column", "b");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("cannot read the CSV file");
  }

  @Test
  void mutatedCsvIsReadOrRejected() {
    Set<String> seen = new HashSet<>();
    Fuzz.Report r = Fuzz.format("analytics-csv", List.of(CSV.getBytes(StandardCharsets.UTF_8)))
        .seed(20261202).mutations(3000).budget(Duration.ofSeconds(4))
        .rejects(UserFileException.class, Flags.FlagException.class)
        .run(bytes -> {
          Path p = dir.resolve("fuzz.csv");
          Files.write(p, bytes);
          seen.addAll(CsvColumn.byClient(p, "--column", "city", "--client-column", "user").keySet());
        });
    assertThat(r.tried()).isGreaterThanOrEqualTo(500);
    assertThat(r.accepted()).isPositive();
    assertThat(r.rejected()).isPositive();
  }
}
