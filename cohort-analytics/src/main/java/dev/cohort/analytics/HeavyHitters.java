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
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
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

  private static final Computation ROUND_TIMESTAMP = Computation.local("analytics.heavy_hitters.round_timestamp",
      null, TensorType.INT64, none -> Tensor.scalar(Instant.now().getEpochSecond()));

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

    /** A name part that differs whenever the local functions do, so that serialized computations load the right one. */
    String id() {
      return "c" + capacity + "_b" + stringMaxBytes + "_r" + repetitions + "_s" + (seed < 0 ? "m" + -(long) seed : seed)
          + "_w" + (maxWordsPerUser == null ? "all" : maxWordsPerUser) + (multiContribution ? "_multi" : "_single")
          + "_bs" + batchSize + "_k" + kAnonymity + "_h" + (maxHeavyHitters == null ? "all" : maxHeavyHitters);
    }
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
     * The computation. Its local functions are registered under names made from these parameters
     * ({@code analytics.heavy_hitters.sketch_c1000_b10_...}), so a serialized computation loads in a JVM that built
     * one with the same parameters.
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
    IbltParameters p = s.iblt();
    HeavyHitterSketches sketches = new HeavyHitterSketches(s);
    String prefix = "analytics.heavy_hitters.";
    TensorType sketchType = TensorType.of(DType.INT64, p.repetitions(), p.tableSize(), p.cellWidth());
    TensorType valuesType = TensorType.of(DType.INT64, p.repetitions(), p.tableSize(), 1);
    StructType summed = StructType.named("sketch", sketchType, "values", valuesType);
    Computation decode = Computation.local(prefix + "decode_" + s.id(), summed, StructType.named(
        "heavy_hitters", SERVER_OUTPUT.type(1), "heavy_hitters_unique_counts", SERVER_OUTPUT.type(2),
        "heavy_hitters_counts", SERVER_OUTPUT.type(3), "num_not_decoded", SERVER_OUTPUT.type(4)),
        x -> sketches.decode((Tensor) ((Struct) x).get(0), (Tensor) ((Struct) x).get(1)));
    Integer bitwidth = s.secureSumBitwidth();
    return Computation.federated("iblt_heavy_hitters", "examples", FederatedType.atClients(DATASET), examples -> {
      Value roundTimestamp = federatedEval(ROUND_TIMESTAMP, Placement.SERVER);
      Value ones = federatedValue(1, Placement.CLIENTS);
      Value clients;
      Value decoded;
      if (bitwidth == null) {
        // Plain sums: each client's sketch as sparse contributions, folded into one table (O(words) per client; a
        // dense sketch per client costs O(table)). Without secure aggregation a client's sketch reveals its words
        // anyway (it decodes), so sending them sparse changes nothing the server learns.
        TensorType packed = TensorType.of(DType.INT64, TensorType.UNKNOWN);
        StructType table = StructType.named("sketch", packed, "values", packed);
        Computation encode = Computation.local(prefix + "contributions_" + s.id(), DATASET, packed,
            d -> sketches.contributions((Sequence) d));
        Computation accumulate = Computation.local(prefix + "accumulate_" + s.id(), StructType.of(table, packed),
            table, x -> sketches.accumulate((Struct) ((Struct) x).get(0), (Tensor) ((Struct) x).get(1)));
        Computation merge = Computation.local(prefix + "merge_" + s.id(), StructType.of(table, table), table,
            x -> sketches.merge((Struct) ((Struct) x).get(0), (Struct) ((Struct) x).get(1)));
        Computation report = Computation.local(prefix + "decode_accumulated_" + s.id(), table, decode.typeSignature()
            .result(), x -> sketches.decodeAccumulated((Struct) x));
        clients = federatedSum(ones);
        decoded = federatedAggregate(federatedMap(encode, examples), HeavyHitterSketches.emptyAccumulator(),
            accumulate, merge, report);
      } else {
        // One map per secure sum, so that each aggregation streams over the clients instead of holding them.
        Computation encodeSketch = Computation.local(prefix + "sketch_only_" + s.id(), DATASET, sketchType,
            d -> sketches.encode((Sequence) d).sketchTensor());
        Computation encodeValues = Computation.local(prefix + "values_only_" + s.id(), DATASET, valuesType,
            d -> sketches.encode((Sequence) d).valuesTensor());
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
