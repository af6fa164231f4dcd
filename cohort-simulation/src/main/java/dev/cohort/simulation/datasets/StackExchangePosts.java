package dev.cohort.simulation.datasets;

import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.Dataset;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipException;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.jsoup.Jsoup;

/**
 * A Stack Exchange data dump's {@code Posts.xml} as federated data shaped like TFF's StackOverflow: each user a
 * client, each of its questions and answers an example with TFF's features
 * {@code <creation_date=str,score=int64,tags=str,title=str,tokens=str,type=str>}.
 *
 * <ul>
 *   <li>{@code tokens}: the body's text (HTML tags stripped and entities decoded by jsoup), lower-cased, URLs
 *       replaced by {@link #URL_TOKEN}, words and each punctuation mark a token, joined by single spaces.
 *   <li>{@code title}: a question's title; for an answer, its question's.
 *   <li>{@code tags}: a question's tags ({@code <a><b>} in dumps before 2020, {@code |a|b|} after), joined by
 *       {@code |}; for an answer, its question's.
 *   <li>{@code score}, {@code creation_date} (as written, {@code 2014-01-21T20:26:05.383}, UTC), {@code type}
 *       ({@code question} or {@code answer}).
 * </ul>
 *
 * Rows of other types (tag wikis, privilege wikis) and posts without {@code OwnerUserId} (deleted authors) are
 * skipped. Client ids are the {@code OwnerUserId}s; a client's examples are in file order.
 *
 * <p>The file ({@code .xml} or {@code .xml.gz}) is read once with the JDK's streaming XML parser (StAX), with DTDs
 * and external entities off; the examples are then held in memory as strings (a dump of a small site is a few
 * megabytes; Stack Overflow's own dump is what TFF converted to its SQLite layout). A {@code .gz} file is read
 * strictly (every member's CRC-32 and length checked, no trailing bytes).
 * Malformed XML, a row without {@code Id} or with a non-numeric {@code Score}, or an answer whose question is not in
 * the file raises {@link DatasetFormatException} naming the file, the line and column, and the post.
 */
public final class StackExchangePosts {
  /** TFF's StackOverflow element type. */
  public static final StructType ELEMENT_TYPE = StructType.named("creation_date", TensorType.STRING,
      "score", TensorType.INT64, "tags", TensorType.STRING, "title", TensorType.STRING, "tokens", TensorType.STRING,
      "type", TensorType.STRING);

  /** The token that stands for a URL in {@code tokens}. */
  public static final String URL_TOKEN = "<url>";

  private static final Pattern URL = Pattern.compile("(?:https?://|www\\.)\\S+");
  private static final Pattern TOKEN = Pattern.compile("\\p{L}[\\p{L}\\p{N}'_]*|\\p{N}+(?:[.,]\\p{N}+)*|<url>|\\S");
  private static final Pattern TAG_ANGLE = Pattern.compile("<([^<>]+)>");

  private StackExchangePosts() {}

  /** A question's title and tags, for its answers. */
  private record Question(String title, String tags) {}

  /** A post kept for a user; an answer's title and tags are filled from its question after the pass. */
  private static final class Post {
    String creationDate;
    long score;
    String tags;
    String title;
    String tokens;
    String type;
    long parentId;
    String position;
    long id;
  }

  /**
   * The users of {@code file} and their posts.
   *
   * @throws DatasetFormatException if the file is not a well-formed {@code Posts.xml}
   * @throws UncheckedIOException if the file cannot be read
   */
  public static ClientData load(Path file) {
    Map<String, List<Post>> users = new TreeMap<>();
    Map<Long, Question> questions = new HashMap<>();
    XMLStreamReader xml = null;
    String last = "line 1, column 1";
    try (Reader in = utf8(open(file))) {
      xml = factory().createXMLStreamReader(in);
      int depth = 0;
      boolean sawRoot = false;
      while (xml.hasNext()) {
        last = position(xml.getLocation());
        int event = xml.next();
        if (event == XMLStreamConstants.START_ELEMENT) {
          depth++;
          if (depth == 1) {
            if (!xml.getLocalName().equals("posts")) {
              throw problem(file, xml.getLocation(), "the root element is <" + xml.getLocalName()
                  + ">, expected <posts>");
            }
            sawRoot = true;
          } else if (depth == 2 && xml.getLocalName().equals("row")) {
            row(file, xml, users, questions);
          }
        } else if (event == XMLStreamConstants.END_ELEMENT) {
          depth--;
        }
      }
      if (!sawRoot) {
        throw problem(file, xml.getLocation(), "no <posts> element");
      }
    } catch (XMLStreamException e) {
      Location at = e.getLocation();
      throw new DatasetFormatException(file, at != null && at.getLineNumber() > 0 ? position(at) : "after " + last,
          null, "malformed XML: " + stripLocation(e.getMessage()), e);
    } catch (ZipException e) {
      throw new DatasetFormatException(file, "after " + last, null, e.getMessage(), e);
    } catch (CharacterCodingException e) {
      throw new DatasetFormatException(file, "after " + last, null, "the text is not valid UTF-8 (" + e + ")", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Posts file " + file, e);
    } finally {
      close(xml);
    }
    Map<String, Struct> examples = new HashMap<>();
    for (Map.Entry<String, List<Post>> e : users.entrySet()) {
      examples.put(e.getKey(), examples(file, e.getKey(), e.getValue(), questions));
    }
    return ClientData.of(users.keySet(), ELEMENT_TYPE, id -> Dataset.fromTensorSlices(examples.get(id)));
  }

  private static XMLInputFactory factory() {
    XMLInputFactory f = XMLInputFactory.newDefaultFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_COALESCING, true);
    return f;
  }

  private static void row(Path file, XMLStreamReader xml, Map<String, List<Post>> users,
      Map<Long, Question> questions) {
    String at = position(xml.getLocation());
    String idText = xml.getAttributeValue(null, "Id");
    if (idText == null) {
      throw new DatasetFormatException(file, at, null, "a <row> without an Id attribute", null);
    }
    long id = number(file, at, idText, "Id", idText);
    String type = xml.getAttributeValue(null, "PostTypeId");
    if (!"1".equals(type) && !"2".equals(type)) {
      return; // tag wikis (4, 5), privilege wikis (7) and other kinds are not posts of a user
    }
    boolean question = type.equals("1");
    String tags = question ? tags(xml.getAttributeValue(null, "Tags")) : null;
    String title = question ? orEmpty(xml.getAttributeValue(null, "Title")) : null;
    if (question && questions.put(id, new Question(title, tags)) != null) {
      throw new DatasetFormatException(file, at, null, "post " + id + " appears twice", null);
    }
    String owner = xml.getAttributeValue(null, "OwnerUserId");
    if (owner == null || owner.isEmpty()) {
      return; // the author was deleted
    }
    Post p = new Post();
    p.id = id;
    p.position = at;
    p.type = question ? "question" : "answer";
    p.creationDate = orEmpty(xml.getAttributeValue(null, "CreationDate"));
    String score = xml.getAttributeValue(null, "Score");
    p.score = score == null ? 0 : number(file, at, score, "Score", idText);
    p.tokens = tokens(orEmpty(xml.getAttributeValue(null, "Body")));
    p.title = title;
    p.tags = tags;
    if (!question) {
      String parent = xml.getAttributeValue(null, "ParentId");
      if (parent == null) {
        throw new DatasetFormatException(file, at, owner, "answer " + id + " has no ParentId", null);
      }
      p.parentId = number(file, at, parent, "ParentId", idText);
    }
    users.computeIfAbsent(owner, u -> new ArrayList<>()).add(p);
  }

  private static Struct examples(Path file, String user, List<Post> posts, Map<Long, Question> questions) {
    int n = posts.size();
    String[] dates = new String[n];
    long[] scores = new long[n];
    String[] tags = new String[n];
    String[] titles = new String[n];
    String[] tokens = new String[n];
    String[] types = new String[n];
    for (int i = 0; i < n; i++) {
      Post p = posts.get(i);
      if (p.title == null) {
        Question q = questions.get(p.parentId);
        if (q == null) {
          throw new DatasetFormatException(file, p.position, user, "answer " + p.id + " answers question "
              + p.parentId + ", which is not in the file", null);
        }
        p.title = q.title();
        p.tags = q.tags();
      }
      dates[i] = p.creationDate;
      scores[i] = p.score;
      tags[i] = p.tags;
      titles[i] = p.title;
      tokens[i] = p.tokens;
      types[i] = p.type;
    }
    Shape s = Shape.of(n);
    return Struct.named("creation_date", Tensor.wrap(dates, s), "score", Tensor.wrap(scores, s),
        "tags", Tensor.wrap(tags, s), "title", Tensor.wrap(titles, s), "tokens", Tensor.wrap(tokens, s),
        "type", Tensor.wrap(types, s));
  }

  /**
   * The tokens of an HTML body, as {@code tokens} holds them: text without tags or entities, lower-cased, URLs
   * replaced by {@link #URL_TOKEN}, each word, number and punctuation mark a token, joined by single spaces.
   */
  public static String tokens(String html) {
    String text = Jsoup.parse(html).text().toLowerCase(Locale.ROOT);
    Matcher urls = URL.matcher(text);
    String replaced = urls.replaceAll(" " + URL_TOKEN + " ");
    StringBuilder out = new StringBuilder(replaced.length());
    Matcher m = TOKEN.matcher(replaced);
    while (m.find()) {
      if (!out.isEmpty()) {
        out.append(' ');
      }
      out.append(m.group());
    }
    return out.toString();
  }

  /** {@code <a><b>} or {@code |a|b|} as {@code a|b}; null or empty as empty. */
  static String tags(String raw) {
    if (raw == null || raw.isEmpty()) {
      return "";
    }
    List<String> out = new ArrayList<>();
    if (raw.startsWith("<")) {
      Matcher m = TAG_ANGLE.matcher(raw);
      while (m.find()) {
        out.add(m.group(1));
      }
    } else {
      for (String t : raw.split("\\|")) {
        if (!t.isEmpty()) {
          out.add(t);
        }
      }
    }
    return String.join("|", out);
  }

  private static long number(Path file, String at, String text, String attribute, String post) {
    try {
      return Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      throw new DatasetFormatException(file, at, null, "post " + post + ": " + attribute + " '" + text
          + "' is not an integer", null);
    }
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  /**
   * The text, decoded strictly as UTF-8 here (the parser, given bytes, prints decoding errors to standard error and
   * loses their position), without a leading byte-order mark.
   */
  private static Reader utf8(InputStream in) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
    try {
      r.mark(1);
      if (r.read() != '\uFEFF') {
        r.reset();
      }
      return r;
    } catch (IOException e) {
      r.close();
      throw e;
    }
  }

  private static InputStream open(Path file) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    if (!file.getFileName().toString().endsWith(".gz")) {
      return raw;
    }
    try {
      return new GzipStream(raw);
    } catch (IOException e) {
      raw.close();
      throw e;
    }
  }

  private static DatasetFormatException problem(Path file, Location at, String what) {
    return new DatasetFormatException(file, position(at), null, what, null);
  }

  private static String position(Location at) {
    return at == null ? "unknown position" : "line " + at.getLineNumber() + ", column " + at.getColumnNumber();
  }

  /** The JDK's StAX messages start with their own {@code ParseError at [row,col]:[..]}; the position is ours. */
  private static String stripLocation(String message) {
    String m = message == null ? "" : message;
    int cut = m.indexOf("\nMessage: ");
    return cut >= 0 ? m.substring(cut + "\nMessage: ".length()) : m;
  }

  private static void close(XMLStreamReader xml) {
    if (xml != null) {
      try {
        xml.close();
      } catch (XMLStreamException ignored) {
        // the underlying stream is closed by the try-with-resources that owns it
      }
    }
  }
}
