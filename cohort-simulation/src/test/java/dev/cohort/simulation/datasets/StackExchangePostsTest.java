package dev.cohort.simulation.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.tensor.Tensor;
import dev.cohort.testing.Fuzz;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackExchangePostsTest {
  static final String SMALL = "\uFEFF<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<posts>\n"
      + "  <row Id=\"5\" PostTypeId=\"2\" ParentId=\"1\" CreationDate=\"2014-01-22T10:00:00.000\" Score=\"3\""
      + " Body=\"&lt;p&gt;See &lt;a href=&quot;http://x.org/a?b=1&quot;&gt;http://x.org/a?b=1&lt;/a&gt;"
      + " &amp;amp; it's 4.5% ABV!&lt;/p&gt;\" OwnerUserId=\"9\" />\n"
      + "  <row Id=\"1\" PostTypeId=\"1\" CreationDate=\"2014-01-21T20:26:05.383\" Score=\"-2\""
      + " Body=\"&lt;p&gt;What are &lt;code&gt;Citra&lt;/code&gt; hops?&lt;/p&gt;&#xA;\" OwnerUserId=\"7\""
      + " Title=\"Citra &amp; hops\" Tags=\"&lt;hops&gt;&lt;ipa&gt;\" />\n"
      + "  <row Id=\"2\" PostTypeId=\"1\" Score=\"1\" Body=\"x\" OwnerDisplayName=\"gone\" Title=\"t\""
      + " Tags=\"|a|b|\" />\n"
      + "  <row Id=\"3\" PostTypeId=\"4\" Score=\"0\" Body=\"wiki\" OwnerUserId=\"7\" />\n"
      + "  <row Id=\"4\" PostTypeId=\"1\" Score=\"0\" Body=\"new\" OwnerUserId=\"9\" Title=\"New\" Tags=\"|a|b|\" />\n"
      + "</posts>\n";

  @TempDir
  Path dir;

  static List<Map<String, Object>> examples(ClientData cd, String user) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object e : cd.dataset(user)) {
      Struct s = (Struct) e;
      Map<String, Object> m = new HashMap<>();
      for (int i = 0; i < s.size(); i++) {
        Tensor t = (Tensor) s.get(i);
        m.put(s.name(i), t.dtype() == dev.cohort.tensor.DType.INT64 ? (Object) t.longData()[0] : t.stringValue());
      }
      out.add(m);
    }
    return out;
  }

  @Test
  void beerStackExchangeHasTheUsersPostsAndTagsItsSourceStates() {
    ClientData cd = StackExchangePosts.load(SharedData.require("stackexchange_tags")
        .resolve("beer.stackexchange.com_Posts.xml.gz"));
    assertThat(cd.elementType()).hasToString("<creation_date=str,score=int64,tags=str,title=str,tokens=str,type=str>");
    assertThat(cd.size()).isEqualTo(781);
    int posts = 0;
    int atLeastTwo = 0;
    int atLeastFive = 0;
    Map<String, Integer> tagCounts = new HashMap<>();
    for (String user : cd.clientIds()) {
      List<Map<String, Object>> ex = examples(cd, user);
      posts += ex.size();
      atLeastTwo += ex.size() >= 2 ? 1 : 0;
      atLeastFive += ex.size() >= 5 ? 1 : 0;
      for (Map<String, Object> e : ex) {
        assertThat((String) e.get("tags")).isNotEmpty(); // answers carry their question's tags
        assertThat((String) e.get("title")).isNotEmpty();
        if (e.get("type").equals("question")) {
          for (String t : ((String) e.get("tags")).split("\\|")) {
            tagCounts.merge(t, 1, Integer::sum);
          }
        }
      }
    }
    assertThat(posts).isEqualTo(2225);
    assertThat(atLeastTwo).isEqualTo(257);
    assertThat(atLeastFive).isEqualTo(92);
    assertThat(tagCounts).hasSize(155).containsEntry("taste", 82).containsEntry("brewing", 56)
        .containsEntry("history", 51).containsEntry("breweries", 43).containsEntry("style", 34);
    Map<String, Object> first = examples(cd, "7").get(0);
    assertThat(first).containsEntry("title", "What is a citra hop, and how does it differ from other hops?")
        .containsEntry("tags", "hops").containsEntry("type", "question").containsEntry("score", 18L)
        .containsEntry("creation_date", "2014-01-21T20:26:05.383");
    assertThat((String) first.get("tokens")).startsWith("i was offered a beer the other day that was reportedly"
        + " made with citra hops . what are citra hops ? why should i care");
  }

  @Test
  void answersTakeTheirQuestionsTitleAndTagsAndBodiesBecomeTokens() throws IOException {
    ClientData cd = StackExchangePosts.load(Files.writeString(dir.resolve("Posts.xml"), SMALL));
    assertThat(cd.clientIds()).containsExactly("7", "9"); // post 2's author was deleted
    assertThat(examples(cd, "7")).containsExactly(Map.of("creation_date", "2014-01-21T20:26:05.383", "score", -2L,
        "tags", "hops|ipa", "title", "Citra & hops", "tokens", "what are citra hops ?", "type", "question"));
    List<Map<String, Object>> nine = examples(cd, "9");
    assertThat(nine).hasSize(2);
    assertThat(nine.get(0)).containsEntry("type", "answer").containsEntry("title", "Citra & hops")
        .containsEntry("tags", "hops|ipa").containsEntry("score", 3L)
        .containsEntry("tokens", "see <url> & it's 4.5 % abv !"); // &amp;amp; is XML for &amp;, HTML for &
    assertThat(nine.get(1)).containsEntry("tags", "a|b").containsEntry("tokens", "new");
  }

  @Test
  void badPostsNameTheFileTheLineAndThePost() throws IOException {
    Path noParent = Files.writeString(dir.resolve("a.xml"), "<posts>\n<row Id=\"5\" PostTypeId=\"2\" ParentId=\"1\""
        + " OwnerUserId=\"9\" Body=\"b\" />\n</posts>");
    assertThatThrownBy(() -> StackExchangePosts.load(noParent)).isInstanceOf(DatasetFormatException.class)
        .hasMessageMatching(Pattern.quote(noParent + ": line 2, column ") + "\\d+"
            + Pattern.quote(": client '9': answer 5 answers question 1, which is not in the file"));
    Path score = Files.writeString(dir.resolve("s.xml"), "<posts>\n<row Id=\"5\" PostTypeId=\"1\" Score=\"high\""
        + " OwnerUserId=\"9\" />\n</posts>");
    assertThatThrownBy(() -> StackExchangePosts.load(score))
        .hasMessageEndingWith(": post 5: Score 'high' is not an integer").hasMessageStartingWith(score + ": line 2");
    Path noId = Files.writeString(dir.resolve("i.xml"), "<posts>\n\n<row PostTypeId=\"1\" />\n</posts>");
    assertThatThrownBy(() -> StackExchangePosts.load(noId))
        .hasMessageStartingWith(noId + ": line 3").hasMessageEndingWith(": a <row> without an Id attribute");
    Path broken = Files.writeString(dir.resolve("b.xml"), "<posts>\n<row Id=\"1\" PostTypeId=\"1\" Body=\"x />\n");
    assertThatThrownBy(() -> StackExchangePosts.load(broken)).hasMessageStartingWith(broken + ": line ")
        .hasMessageContaining("malformed XML: ");
    Path root = Files.writeString(dir.resolve("r.xml"), "<users><row Id=\"1\"/></users>");
    assertThatThrownBy(() -> StackExchangePosts.load(root))
        .hasMessageEndingWith(": the root element is <users>, expected <posts>");
    byte[] gz = gzip(SMALL.getBytes(StandardCharsets.UTF_8));
    Path cut = Files.write(dir.resolve("c.xml.gz"), java.util.Arrays.copyOf(gz, gz.length - 5));
    assertThatThrownBy(() -> StackExchangePosts.load(cut)).isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("truncated gzip member 1");
  }

  @Test
  void externalEntitiesAreNotResolved() throws IOException {
    Path secret = Files.writeString(dir.resolve("secret.txt"), "the secret");
    Path xxe = Files.writeString(dir.resolve("x.xml"), "<?xml version=\"1.0\"?>\n<!DOCTYPE posts [<!ENTITY s SYSTEM \""
        + secret.toUri() + "\">]>\n<posts><row Id=\"1\" PostTypeId=\"1\" OwnerUserId=\"1\" Body=\"&s;\" /></posts>");
    assertThatThrownBy(() -> StackExchangePosts.load(xxe)).isInstanceOf(DatasetFormatException.class)
        .hasMessageStartingWith(xxe + ": line ").hasMessageNotContaining("the secret");
  }

  @Test
  void fuzzedPostsFilesAreReadOrRejectedNamingTheFile() throws IOException {
    byte[] plain = SMALL.getBytes(StandardCharsets.UTF_8);
    Path xml = dir.resolve("candidate.xml");
    Path gz = dir.resolve("candidate.xml.gz");
    Fuzz.Report report = Fuzz.format("stackexchange-posts", List.of(plain, gzip(plain))).seed(20260504)
        .mutations(1000).budget(Duration.ofSeconds(120))
        .rejects(DatasetFormatException.class)
        .messagesStartWith(dir.toString())
        .run(bytes -> {
          boolean isGzip = bytes.length > 1 && (bytes[0] & 0xff) == 0x1f;
          Path file = isGzip ? gz : xml;
          Files.write(file, bytes);
          ClientData cd = StackExchangePosts.load(file);
          for (String user : cd.clientIds()) {
            cd.dataset(user).count();
          }
        });
    assertThat(report.tried()).isEqualTo(1000); // all of them: the budget only guards against a hang
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(data);
    }
    return bytes.toByteArray();
  }
}
