package dev.cohort.analytics;

import static dev.cohort.core.Intrinsics.federatedAggregate;
import static dev.cohort.core.Intrinsics.federatedEval;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedSecureModularSum;
import static dev.cohort.core.Intrinsics.federatedSecureSum;
import static dev.cohort.core.Intrinsics.federatedSum;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.Intrinsics.federatedZip;

import dev.cohort.analytics.iblt.Iblt;
import dev.cohort.analytics.iblt.IbltParameters;
import dev.cohort.core.Computation;
import dev.cohort.core.LocalFamily;
import dev.cohort.core.Value;
import dev.cohort.core.ast.LocalFactory;
import dev.cohort.core.ast.LocalFunction;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Federated heavy-hitters discovery with IBLT sketches: TFF's
 * {@code tff.analytics.heavy_hitters.iblt.build_iblt_computation}, as one Cohort computation of TFF's type
 *
 * <pre>{@code
 * ({str[?]*}@CLIENTS -> <clients=int32,heavy_hitters=str[?],heavy_hitters_unique_counts=int64[?],
 *     heavy_hitters_counts=int64[?],num_not_decoded=int64,round_timestamp=int64>@SERVER)
 * }</pre>
 *
 * <p>Each client reads its dataset (a sequence of string batches), cuts each word to {@code string_max_bytes} bytes,
 * caps its contribution ({@code max_words_per_user}, {@code multi_contribution}, {@code batch_size}) and encodes its
 * distinct words in an {@link dev.cohort.analytics.iblt.Iblt} whose count column holds 1 per word and whose value
 * holds the word's count. The server sums the sketches, with plain sums as a {@code federated_aggregate} that folds
 * each client's sketch in its sparse form ({@link dev.cohort.analytics.iblt.Iblt.Encoder}: the cells of its words,
 * not the whole table) into one table, or, with
 * {@code secure_sum_bitwidth} set, the sketches with {@code federated_secure_modular_sum} modulo {@code 2^31 - 1}
 * and the values and the client count with {@code federated_secure_sum(max_input = 2^bitwidth - 1)}; it decodes,
 * keeps the words that at least {@code k_anonymity} clients sent, and the {@code max_heavy_hitters} with the largest
 * counts. So {@code heavy_hitters_unique_counts} is the number of clients that sent a word and
 * {@code heavy_hitters_counts} the number of times they sent it.
 *
 * <pre>{@code
 * Computation hh = HeavyHitters.builder().capacity(100).stringMaxBytes(30).maxWordsPerUser(10)
 *     .maxHeavyHitters(4).build();
 * HeavyHittersResult r = HeavyHittersResult.of(hh.call(clientDatasets));
 * }</pre>
 *
 * <p>Where Cohort differs from TFF: results are ordered by count, then unique count, descending, then by bytes (TFF
 * returns them in the random order of its decoding queue, and breaks ties of its top-k by that order); NUL bytes are
 * removed from words after the cut; capacity must be at least 1; and a word that is not valid Unicode (an unpaired
 * surrogate) fails its client, naming the word.
 */
public final class HeavyHitters {
  /** A client's dataset: TFF's {@code SequenceType(TensorType(np.str_, [None]))}, printed {@code str[?]*}. */
  public static final SequenceType DATASET = SequenceType.of(TensorType.of(DType.STRING, TensorType.UNKNOWN));

  /** The result at SERVER, TFF's {@code ServerOutput}. */
  public static final StructType SERVER_OUTPUT = StructType.named("clients", TensorType.INT32,
      "heavy_hitters", TensorType.of(DType.STRING, TensorType.UNKNOWN),
      "heavy_hitters_unique_counts", TensorType.of(DType.INT64, TensorType.UNKNOWN),
      "heavy_hitters_counts", TensorType.of(DType.INT64, TensorType.UNKNOWN),
      "num_not_decoded", TensorType.INT64,
      "round_timestamp", TensorType.INT64);

  private static final FunctionType POSTPROCESSOR_TYPE = FunctionType.of(
      TensorType.of(DType.STRING, TensorType.UNKNOWN), TensorType.of(DType.STRING, TensorType.UNKNOWN));

  /** The function of {@code analytics.heavy_hitters.round_timestamp}, one object so that builds define it equally. */
  private static final LocalFunction ROUND_TIMESTAMP = none -> Tensor.scalar(Instant.now().getEpochSecond());

  private HeavyHitters() {}

  /** A builder with TFF's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The validated parameters of one heavy-hitters computation (null: not set). */
  record Settings(int capacity, int stringMaxBytes, int repetitions, int seed, Integer maxWordsPerUser,
      boolean multiContribution, int batchSize, int kAnonymity, Integer maxHeavyHitters, Integer secureSumBitwidth) {
    IbltParameters iblt() {
      return IbltParameters.of(capacity, stringMaxBytes, repetitions, seed);
    }

    /**
     * What the local functions depend on, as the parameters of their families: int32 scalars, a bool, and for an
     * unset optional an int32 vector of no elements (of one when set). The secure-sum bit width is left out: it
     * shapes the federated computation, not its local functions.
     */
    Struct parameters() {
      return Struct.named("capacity", Tensor.scalar(capacity), "string_max_bytes", Tensor.scalar(stringMaxBytes),
          "repetitions", Tensor.scalar(repetitions), "seed", Tensor.scalar(seed), "max_words_per_user",
          optional(maxWordsPerUser), "multi_contribution", Tensor.scalar(multiContribution), "batch_size",
          Tensor.scalar(batchSize), "k_anonymity", Tensor.scalar(kAnonymity), "max_heavy_hitters",
          optional(maxHeavyHitters));
    }

    private static Tensor optional(Integer value) {
      return value == null ? Tensor.ofInts(new int[0], 0) : Tensor.ofInts(new int[] {value}, 1);
    }

    /**
     * The settings {@link #parameters} describes.
     *
     * @throws IllegalArgumentException naming the parameter that is missing or not of its dtype and shape
     */
    static Settings fromParameters(Struct p) {
      if (!p.names().equals(PARAMETER_NAMES)) {
        throw new IllegalArgumentException("expected the parameters " + PARAMETER_NAMES + ", found " + p.names());
      }
      return new Settings(scalar(p, "capacity", DType.INT32).intValue(),
          scalar(p, "string_max_bytes", DType.INT32).intValue(), scalar(p, "repetitions", DType.INT32).intValue(),
          scalar(p, "seed", DType.INT32).intValue(), optional(p, "max_words_per_user"),
          scalar(p, "multi_contribution", DType.BOOL).boolValue(), scalar(p, "batch_size", DType.INT32).intValue(),
          scalar(p, "k_anonymity", DType.INT32).intValue(), optional(p, "max_heavy_hitters"), null);
    }

    private static final List<String> PARAMETER_NAMES = List.of("capacity", "string_max_bytes", "repetitions", "seed",
        "max_words_per_user", "multi_contribution", "batch_size", "k_anonymity", "max_heavy_hitters");

    private static Tensor scalar(Struct p, String name, DType dtype) {
      if (!(p.get(name) instanceof Tensor t) || t.dtype() != dtype || t.rank() != 0) {
        throw new IllegalArgumentException("parameter " + name + " must be a " + dtype + " scalar, found "
            + p.get(name));
      }
      return t;
    }

    private static Integer optional(Struct p, String name) {
      if (!(p.get(name) instanceof Tensor t) || t.dtype() != DType.INT32 || t.rank() != 1 || t.size() > 1) {
        throw new IllegalArgumentException("parameter " + name + " must be an int32 vector of 0 or 1 elements,"
            + " found " + p.get(name));
      }
      return t.size() == 0 ? null : t.intData()[0];
    }
  }

  /**
   * The families {@code analytics.heavy_hitters.<role>} (decode, sketch, sketch_only, values_only, and for plain sums
   * contributions, accumulate, merge, decode_accumulated): the settings are the parameters; the type follows from
   * them and is checked.
   *
   * @param role which function
   */
  private record SketchFamily(String role) implements LocalFactory {
    @Override
    public LocalFunction create(FunctionType type, Struct parameters) {
      Settings s = Settings.fromParameters(parameters);
      FunctionType expected = sketchFunctionType(role, s.iblt());
      if (!expected.equals(type)) {
        throw new TypeMismatchException("expected " + expected + " for these parameters", expected, type);
      }
      HeavyHitterSketches sketches = new HeavyHitterSketches(s);
      return switch (role) {
        case "decode" -> x -> sketches.decode((Tensor) ((Struct) x).get(0), (Tensor) ((Struct) x).get(1));
        case "sketch" -> d -> {
          Iblt sketch = sketches.encode((Sequence) d);
          return Struct.of(List.of("sketch", "values"), List.of(sketch.sketchTensor(), sketch.valuesTensor()));
        };
        case "sketch_only" -> d -> sketches.encode((Sequence) d).sketchTensor();
        case "contributions" -> d -> sketches.contributions((Sequence) d);
        case "accumulate" -> x -> sketches.accumulate((Struct) ((Struct) x).get(0), (Tensor) ((Struct) x).get(1));
        case "merge" -> x -> sketches.merge((Struct) ((Struct) x).get(0), (Struct) ((Struct) x).get(1));
        case "decode_accumulated" -> x -> sketches.decodeAccumulated((Struct) x);
        default -> d -> sketches.encode((Sequence) d).valuesTensor();
      };
    }

    Computation at(Settings s) {
      return LocalFamily.define("analytics.heavy_hitters." + role, this).at(sketchFunctionType(role, s.iblt()),
          s.parameters());
    }
  }

  /** A client's sparse contributions, and the accumulator they are folded into: packed int64 vectors. */
  private static final TensorType PACKED = TensorType.of(DType.INT64, TensorType.UNKNOWN);
  private static final StructType ACCUMULATOR = StructType.named("sketch", PACKED, "values", PACKED);

  private static FunctionType sketchFunctionType(String role, IbltParameters p) {
    TensorType sketchType = TensorType.of(DType.INT64, p.repetitions(), p.tableSize(), p.cellWidth());
    TensorType valuesType = TensorType.of(DType.INT64, p.repetitions(), p.tableSize(), 1);
    StructType summed = StructType.named("sketch", sketchType, "values", valuesType);
    return switch (role) {
      case "decode" -> new FunctionType(summed, StructType.named("heavy_hitters", SERVER_OUTPUT.type(1),
          "heavy_hitters_unique_counts", SERVER_OUTPUT.type(2), "heavy_hitters_counts", SERVER_OUTPUT.type(3),
          "num_not_decoded", SERVER_OUTPUT.type(4)));
      case "sketch" -> new FunctionType(DATASET, summed);
      case "sketch_only" -> new FunctionType(DATASET, sketchType);
      case "contributions" -> new FunctionType(DATASET, PACKED);
      case "accumulate" -> new FunctionType(StructType.of(ACCUMULATOR, PACKED), ACCUMULATOR);
      case "merge" -> new FunctionType(StructType.of(ACCUMULATOR, ACCUMULATOR), ACCUMULATOR);
      case "decode_accumulated" -> new FunctionType(ACCUMULATOR, sketchFunctionType("decode", p).result());
      default -> new FunctionType(DATASET, valuesType);
    };
  }

  /**
   * The parameters of {@code build_iblt_computation}, with TFF's defaults and validation. Each setter checks its
   * value at once and names the parameter as TFF spells it.
   */
  public static final class Builder {
    private int capacity = 1000;
    private int stringMaxBytes = 10;
    private int repetitions = IbltParameters.DEFAULT_REPETITIONS;
    private int seed;
    private Integer maxWordsPerUser;
    private boolean multiContribution = true;
    private int batchSize = 1;
    private int kAnonymity = 1;
    private Integer maxHeavyHitters;
    private Integer secureSumBitwidth;
    private Computation stringPostprocessor;

    private Builder() {}

    /** The number of distinct words the sketch should decode (default 1000), at least 1. */
    public Builder capacity(int capacity) {
      this.capacity = atLeast("capacity", capacity, 1, "");
      return this;
    }

    /** The bytes each word keeps (default 10), at least 1; longer words are cut on a byte boundary. */
    public Builder stringMaxBytes(int stringMaxBytes) {
      this.stringMaxBytes = atLeast("string_max_bytes", stringMaxBytes, 1, "");
      return this;
    }

    /** The sketch's hash tables (default 3), at least 3. */
    public Builder repetitions(int repetitions) {
      this.repetitions = atLeast("repetitions", repetitions, 3, "");
      return this;
    }

    /** The seed of the hash functions (default 0). */
    public Builder seed(int seed) {
      this.seed = seed;
      return this;
    }

    /** Caps each client's total contribution (default: no cap), at least 1. */
    public Builder maxWordsPerUser(int maxWordsPerUser) {
      this.maxWordsPerUser = atLeast("max_words_per_user", maxWordsPerUser, 1, " when set");
      return this;
    }

    /** Whether a client sends each word's count (default true) or 1 per distinct word. */
    public Builder multiContribution(boolean multiContribution) {
      this.multiContribution = multiContribution;
      return this;
    }

    /** The batch size of the clients' datasets, used to cap them in whole batches (default 1), at least 1. */
    public Builder batchSize(int batchSize) {
      this.batchSize = atLeast("batch_size", batchSize, 1, "");
      return this;
    }

    /** Keeps only words sent by at least this many clients (default 1), at least 1. */
    public Builder kAnonymity(int kAnonymity) {
      this.kAnonymity = atLeast("k_anonymity", kAnonymity, 1, "");
      return this;
    }

    /** Keeps only this many words, those with the largest counts (default: all), at least 1. */
    public Builder maxHeavyHitters(int maxHeavyHitters) {
      this.maxHeavyHitters = atLeast("max_heavy_hitters", maxHeavyHitters, 1, " when set");
      return this;
    }

    /** Sums with secure aggregation of this bitwidth (default: plain sums), in {@code [1, 62]}. */
    public Builder secureSumBitwidth(int secureSumBitwidth) {
      if (secureSumBitwidth < 1 || secureSumBitwidth > 62) {
        throw new IllegalArgumentException("secure_sum_bitwidth must be in [1, 62] when set, got "
            + secureSumBitwidth);
      }
      this.secureSumBitwidth = secureSumBitwidth;
      return this;
    }

    /**
     * A local computation of type {@code (str[?] -> str[?])} applied at the server to the decoded words (TFF's
     * {@code string_postprocessor}); it must return as many words as it receives.
     *
     * @throws IllegalArgumentException if its type is another
     */
    public Builder stringPostprocessor(Computation postprocessor) {
      if (!postprocessor.typeSignature().equals(POSTPROCESSOR_TYPE)) {
        throw new IllegalArgumentException("string_postprocessor must have type " + POSTPROCESSOR_TYPE + ", got "
            + postprocessor.typeSignature());
      }
      this.stringPostprocessor = postprocessor;
      return this;
    }

    /**
     * The computation. Its local functions are members of the families {@code analytics.heavy_hitters.<role>} (see
     * the roles above) with these settings as their parameters, so a
     * serialized computation loads in a JVM that has built any heavy-hitters computation (which defines the families).
     *
     * @throws IllegalArgumentException if the sketch would not fit a Java array
     */
    public Computation build() {
      Settings s = new Settings(capacity, stringMaxBytes, repetitions, seed, maxWordsPerUser, multiContribution,
          batchSize, kAnonymity, maxHeavyHitters, secureSumBitwidth);
      return HeavyHitters.build(s, stringPostprocessor);
    }

    private static int atLeast(String name, int value, int min, String when) {
      if (value < min) {
        throw new IllegalArgumentException(name + " must be at least " + min + when + ", got " + value);
      }
      return value;
    }
  }

  private static Computation build(Settings s, Computation postprocessor) {
    Computation decode = new SketchFamily("decode").at(s);
    Computation roundTimestampNow = Computation.local("analytics.heavy_hitters.round_timestamp", null,
        TensorType.INT64, ROUND_TIMESTAMP);
    Integer bitwidth = s.secureSumBitwidth();
    return Computation.federated("iblt_heavy_hitters", "examples", FederatedType.atClients(DATASET), examples -> {
      Value roundTimestamp = federatedEval(roundTimestampNow, Placement.SERVER);
      Value ones = federatedValue(1, Placement.CLIENTS);
      Value clients;
      Value decoded;
      if (bitwidth == null) {
        // Plain sums: each client's sketch as sparse contributions, folded into one table (O(words) per client; a
        // dense sketch per client costs O(table)). Without secure aggregation a client's sketch reveals its words
        // anyway (it decodes), so sending them sparse changes nothing the server learns.
        Computation encode = new SketchFamily("contributions").at(s);
        Computation accumulate = new SketchFamily("accumulate").at(s);
        Computation merge = new SketchFamily("merge").at(s);
        Computation report = new SketchFamily("decode_accumulated").at(s);
        clients = federatedSum(ones);
        decoded = federatedAggregate(federatedMap(encode, examples), HeavyHitterSketches.emptyAccumulator(),
            accumulate, merge, report);
      } else {
        // One map per secure sum, so that each aggregation streams over the clients instead of holding them.
        Computation encodeSketch = new SketchFamily("sketch_only").at(s);
        Computation encodeValues = new SketchFamily("values_only").at(s);
        long maxInput = (1L << bitwidth) - 1;
        clients = federatedSecureSum(ones, maxInput);
        Value sketch = federatedSecureModularSum(federatedMap(encodeSketch, examples), IbltParameters.FIELD_SIZE);
        Value values = federatedSecureSum(federatedMap(encodeValues, examples), maxInput);
        decoded = federatedMap(decode, List.of(sketch, values));
      }
      Value heavyHitters = decoded.get("heavy_hitters");
      if (postprocessor != null) {
        heavyHitters = federatedMap(postprocessor, heavyHitters);
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("clients", clients);
      out.put("heavy_hitters", heavyHitters);
      out.put("heavy_hitters_unique_counts", decoded.get("heavy_hitters_unique_counts"));
      out.put("heavy_hitters_counts", decoded.get("heavy_hitters_counts"));
      out.put("num_not_decoded", decoded.get("num_not_decoded"));
      out.put("round_timestamp", roundTimestamp);
      return federatedZip(out);
    });
  }
}
