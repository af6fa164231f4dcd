package dev.cohort.simulation.datasets;

import static dev.cohort.core.Intrinsics.federatedMap;

import dev.cohort.core.Computation;
import dev.cohort.core.LocalFamily;
import dev.cohort.core.ast.LocalFactory;
import dev.cohort.core.ast.LocalFunction;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.Dataset;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * TFF's {@code ClientData.dataset_computation}: client ids as computation arguments. {@link #local} is a local
 * computation {@code (str -> T*)} that builds a client's dataset from its id where it runs, and {@link #federated}
 * maps it over {@code {str}@CLIENTS}, so that a runtime that runs clients elsewhere loads each client's data there.
 * Both are members of the local function family {@value #FAMILY}, whose parameters say where the data is and how it
 * is preprocessed: a computation written to a file ({@link Computation#save}) loads and runs in another JVM that has
 * called {@link #defineFamily()}, and reads the files there.
 *
 * <pre>{@code
 * DatasetComputation.defineFamily();
 * DatasetComputation.Source femnist = DatasetComputation.leaf(Path.of("data/femnist_leaf/train"), LeafFeatures.FEMNIST);
 * Computation build = DatasetComputation.federated(femnist, new DatasetComputation.Preprocessing(100, 7, 5, 20, false));
 * build.typeSignature();   // ({str}@CLIENTS -> {<label=int32[?],pixels=float32[?,28,28]>*}@CLIENTS)
 * build.call(FederatedValue.atClients(sampledIds.stream().map(Tensor::scalar).toList()));
 * }</pre>
 *
 * <p>A member reads nothing when it is built, written or loaded: the first call loads the source's index (as its
 * loader does) and keeps it for later calls of the same member. Paths are resolved where the computation runs.
 */
public final class DatasetComputation {
  /** The family's name. */
  public static final String FAMILY = "simulation.client_dataset";

  private static final LocalFactory FACTORY = DatasetComputation::create;

  private DatasetComputation() {}

  /**
   * Defines the family {@value #FAMILY} (again: a no-op), which a JVM must do before loading a computation that
   * holds one of its members; {@link #local} and {@link #federated} do it themselves.
   */
  public static LocalFamily defineFamily() {
    return LocalFamily.define(FAMILY, FACTORY);
  }

  /**
   * Where a federated data set is and how to read it, as the family's parameters carry it.
   *
   * @param format {@code leaf} (a directory of LEAF files), {@code sqlite} (TFF's SQLite ClientData, one split),
   *     {@code speakers} ({@link SpeakerText}) or {@code stackexchange} ({@link StackExchangePosts})
   * @param path the file or directory, as given (resolved where the computation runs)
   * @param split the SQLite split; empty for the other formats
   * @param x the LEAF feature of {@code user_data}'s {@code x}; empty for the other formats
   * @param y the LEAF feature of {@code y}; empty for the other formats
   * @param elementType the type of one example
   */
  public record Source(String format, String path, String split, String x, String y, StructType elementType) {
    /** Checks the format and that the fields it does not use are empty. */
    public Source {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(split, "split");
      Objects.requireNonNull(x, "x");
      Objects.requireNonNull(y, "y");
      Objects.requireNonNull(elementType, "elementType");
      boolean leaf = "leaf".equals(format);
      boolean sqlite = "sqlite".equals(format);
      if (!leaf && !sqlite && !"speakers".equals(format) && !"stackexchange".equals(format)) {
        throw new IllegalArgumentException("DatasetComputation: format '" + format
            + "', expected leaf, sqlite, speakers or stackexchange");
      }
      if (sqlite == split.isEmpty() || leaf == x.isEmpty() || leaf == y.isEmpty()) {
        throw new IllegalArgumentException("DatasetComputation: a " + format + " source "
            + (sqlite ? "needs a split" : "has no split") + " and " + (leaf ? "needs" : "has no")
            + " LEAF features x and y (found split '" + split + "', x '" + x + "', y '" + y + "')");
      }
      StructType fixed = "speakers".equals(format) ? SpeakerText.ELEMENT_TYPE
          : "stackexchange".equals(format) ? StackExchangePosts.ELEMENT_TYPE : elementType;
      if (!fixed.equals(elementType)) {
        throw new IllegalArgumentException("DatasetComputation: a " + format + " source has examples of type "
            + fixed + ", not " + elementType);
      }
    }

    /** The ClientData this source describes, read here (every check its loader makes happens now). */
    public ClientData load() {
      Path p = Path.of(path);
      return switch (format) {
        case "leaf" -> LeafJson.load(new LeafFeatures(elementType, x, y), LeafJson.filesIn(p));
        case "sqlite" -> TffSqlite.load(p, split, new ExampleSpec(elementType));
        case "speakers" -> SpeakerText.load(p);
        default -> StackExchangePosts.load(p);
      };
    }
  }

  /** The LEAF files in {@code directory} ({@link LeafJson#filesIn}) read with {@code features}. */
  public static Source leaf(Path directory, LeafFeatures features) {
    return new Source("leaf", directory.toString(), "", features.x(), features.y(), features.elementType());
  }

  /** One split of TFF's SQLite ClientData ({@link TffSqlite#load}). */
  public static Source sqlite(Path file, String split, ExampleSpec spec) {
    return new Source("sqlite", file.toString(), Objects.requireNonNull(split, "split"), "", "", spec.elementType());
  }

  /** A play's text with each speaker a client ({@link SpeakerText#load}). */
  public static Source speakers(Path file) {
    return new Source("speakers", file.toString(), "", "", "", SpeakerText.ELEMENT_TYPE);
  }

  /** A Stack Exchange {@code Posts.xml} with each user a client ({@link StackExchangePosts#load}). */
  public static Source stackExchange(Path file) {
    return new Source("stackexchange", file.toString(), "", "", "", StackExchangePosts.ELEMENT_TYPE);
  }

  /**
   * What is done to a client's dataset after it is built, in this order: shuffled with a buffer keyed on
   * {@code (shuffleSeed, the client's index among the sorted ids)} when {@code shuffleBuffer > 0}, repeated
   * {@code epochs} times (each epoch shuffled afresh), batched when {@code batchSize > 0}.
   *
   * @param shuffleBuffer the shuffle buffer, 0 for no shuffle
   * @param shuffleSeed the shuffle's seed
   * @param epochs the passes over the examples, at least 1
   * @param batchSize the batch size, 0 for no batching
   * @param dropRemainder whether a smaller last batch is dropped
   */
  public record Preprocessing(int shuffleBuffer, long shuffleSeed, int epochs, int batchSize,
      boolean dropRemainder) {
    /** The client's examples as they are. */
    public static final Preprocessing NONE = new Preprocessing(0, 0, 1, 0, false);

    /** Checks the ranges. */
    public Preprocessing {
      if (shuffleBuffer < 0 || epochs < 1 || batchSize < 0 || (dropRemainder && batchSize == 0)) {
        throw new IllegalArgumentException("DatasetComputation.Preprocessing: shuffleBuffer (" + shuffleBuffer
            + ") must be >= 0, epochs (" + epochs + ") >= 1, batchSize (" + batchSize
            + ") >= 0, and dropRemainder needs a batch size");
      }
    }

    Dataset apply(Dataset d, int clientIndex) {
      Dataset out = shuffleBuffer > 0 ? d.shuffle(shuffleBuffer, shuffleSeed, clientIndex) : d;
      out = out.repeat(epochs);
      return batchSize > 0 ? out.batch(batchSize, dropRemainder) : out;
    }

    /** The element type after batching {@code element}. */
    Type elementType(StructType element) {
      return batchSize > 0 ? Dataset.empty(element).batch(batchSize, dropRemainder).elementType() : element;
    }
  }

  /** The local computation {@code (str -> T*)}: a client id to that client's preprocessed dataset. */
  public static Computation local(Source source, Preprocessing preprocessing) {
    Type element = preprocessing.elementType(source.elementType());
    return defineFamily().at(TensorType.STRING, SequenceType.of(element), parameters(source, preprocessing));
  }

  /**
   * The federated computation {@code ({str}@CLIENTS -> {T*}@CLIENTS)}: {@code federated_map} of {@link #local}, so
   * that each client builds its own dataset from its id.
   */
  public static Computation federated(Source source, Preprocessing preprocessing) {
    Computation build = local(source, preprocessing);
    return Computation.federated(FAMILY, "client_ids", FederatedType.atClients(TensorType.STRING),
        ids -> federatedMap(build, ids));
  }

  private static Struct parameters(Source s, Preprocessing p) {
    return Struct.named("format", Tensor.scalar(s.format()), "path", Tensor.scalar(s.path()),
        "split", Tensor.scalar(s.split()), "x", Tensor.scalar(s.x()), "y", Tensor.scalar(s.y()),
        "shuffle_buffer", Tensor.scalar(p.shuffleBuffer()), "shuffle_seed", Tensor.scalar(p.shuffleSeed()),
        "epochs", Tensor.scalar(p.epochs()), "batch_size", Tensor.scalar(p.batchSize()),
        "drop_remainder", Tensor.scalar(p.dropRemainder()));
  }

  /** The family's factory: the parameters back into a source and a preprocessing, checked against the type. */
  private static LocalFunction create(FunctionType type, Struct parameters) {
    List<String> names = List.of("format", "path", "split", "x", "y", "shuffle_buffer", "shuffle_seed", "epochs",
        "batch_size", "drop_remainder");
    if (!parameters.names().equals(names)) {
      throw new IllegalArgumentException("parameters " + parameters.names() + ", expected " + names);
    }
    Preprocessing p = new Preprocessing(scalar(parameters, "shuffle_buffer", DType.INT32).intValue(),
        scalar(parameters, "shuffle_seed", DType.INT64).longValue(),
        scalar(parameters, "epochs", DType.INT32).intValue(), scalar(parameters, "batch_size", DType.INT32).intValue(),
        scalar(parameters, "drop_remainder", DType.BOOL).boolValue());
    if (!(type.result() instanceof SequenceType seq) || !TensorType.STRING.equals(type.parameter())) {
      throw new TypeMismatchException("a client dataset computation has the type (str -> T*)", null, type);
    }
    String format = string(parameters, "format");
    StructType element = switch (format) {
      case "speakers" -> SpeakerText.ELEMENT_TYPE;
      case "stackexchange" -> StackExchangePosts.ELEMENT_TYPE;
      default -> unbatched(seq.element(), p.batchSize() > 0, type);
    };
    Source source = new Source(format, string(parameters, "path"), string(parameters, "split"),
        string(parameters, "x"), string(parameters, "y"), element);
    Type expected = SequenceType.of(p.elementType(element));
    if (!expected.equals(seq)) {
      throw new TypeMismatchException("a " + format + " source with this preprocessing gives " + expected,
          FunctionType.of(TensorType.STRING, expected), type);
    }
    return new Builder(source, p);
  }

  /** The example type of a batched (or not) element type: each leaf without its batch dimension. */
  private static StructType unbatched(Type element, boolean batched, FunctionType type) {
    if (!(element instanceof StructType s)) {
      throw new TypeMismatchException("the examples of a client dataset are a struct of tensors", null, type);
    }
    if (!batched) {
      return s;
    }
    List<Object> namesAndTypes = new ArrayList<>();
    for (int i = 0; i < s.size(); i++) {
      if (!(s.type(i) instanceof TensorType t) || t.shape() == null || t.shape().isEmpty()) {
        throw new TypeMismatchException("element " + s.name(i) + " of a batch must be a tensor with a batch "
            + "dimension", null, type);
      }
      namesAndTypes.add(s.name(i));
      namesAndTypes.add(new TensorType(t.dtype(), t.shape().subList(1, t.shape().size())));
    }
    return StructType.named(namesAndTypes.toArray());
  }

  private static Tensor scalar(Struct parameters, String name, DType dtype) {
    if (!(parameters.get(name) instanceof Tensor t) || t.dtype() != dtype || t.shape().rank() != 0) {
      throw new IllegalArgumentException("parameter " + name + " must be a " + dtype.name().toLowerCase()
          + " scalar, found " + parameters.get(name));
    }
    return t;
  }

  private static String string(Struct parameters, String name) {
    return scalar(parameters, name, DType.STRING).stringValue();
  }

  /** A member's function: loads the source on its first call and builds datasets from it. */
  private static final class Builder implements LocalFunction {
    private final Source source;
    private final Preprocessing preprocessing;
    private ClientData data;

    Builder(Source source, Preprocessing preprocessing) {
      this.source = source;
      this.preprocessing = preprocessing;
    }

    private synchronized ClientData data() {
      if (data == null) {
        data = source.load();
      }
      return data;
    }

    @Override
    public Object apply(Object argument) {
      String id = ((Tensor) argument).stringValue();
      ClientData d = data();
      Dataset dataset = d.dataset(id); // an unknown id fails here, naming the range of ids
      return preprocessing.apply(dataset, Collections.binarySearch(d.clientIds(), id));
    }
  }
}
