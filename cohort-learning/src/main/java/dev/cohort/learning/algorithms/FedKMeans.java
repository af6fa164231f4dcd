package dev.cohort.learning.algorithms;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedSum;
import static dev.cohort.core.Intrinsics.federatedValue;

import dev.cohort.aggregators.SumFactory;
import dev.cohort.core.Computation;
import dev.cohort.core.LocalFamily;
import dev.cohort.core.Value;
import dev.cohort.core.ast.LocalFactory;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.templates.ClientWorkProcess;
import dev.cohort.learning.templates.DistributionProcess;
import dev.cohort.learning.templates.FinalizerProcess;
import dev.cohort.learning.templates.LearningProcess;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Federated mini-batch k-means (Sculley 2010, "Web-Scale K-Means Clustering", WWW): TFF's {@code build_fed_kmeans}.
 * Each client assigns every point of its data (a sequence of unbatched {@code float32} points of shape
 * {@code dataShape}) to the nearest centroid (squared Euclidean distance; the lowest index on ties) and sends the
 * per-cluster sums of points and counts; the server sums them ({@code SumFactory}) and moves each centroid to the
 * weighted average of its old position (weighted by the points assigned to it in earlier rounds) and the new points:
 * {@code c' = (n c + s) / (n + m)} for {@code m > 0} new points, TFF's arithmetic
 * {@code divide_no_nan(n, n + m) * c + divide_no_nan([m > 0], n + m) * s}.
 *
 * <p>The initial centroids are standard normal numbers from {@code RandomStream.of(seed)}. State: the centroids as
 * {@code global_model_weights = <trainable=<float32[k,...]>,non_trainable=<>>} (TFF's state holds the bare tensor),
 * the finalizer's per-cluster counts {@code int32[k]}; measurements {@code client_work=<num_examples=int32>}.
 */
public final class FedKMeans {
  private FedKMeans() {}

  /**
   * Federated k-means with {@code numClusters} centroids of shape {@code dataShape}.
   *
   * @throws IllegalArgumentException if {@code numClusters < 1} or a dimension of {@code dataShape} is not positive
   */
  public static LearningProcess of(int numClusters, int[] dataShape, long seed) {
    if (numClusters < 1) {
      throw new IllegalArgumentException("num_clusters (" + numClusters + ") must be >= 1");
    }
    for (int d : dataShape) {
      if (d < 1) {
        throw new IllegalArgumentException("data_shape " + Arrays.toString(dataShape) + " must have positive dimensions");
      }
    }
    int[] centroidsShape = new int[dataShape.length + 1];
    centroidsShape[0] = numClusters;
    System.arraycopy(dataShape, 0, centroidsShape, 1, dataShape.length);
    RandomStream random = RandomStream.of(seed);
    float[] values = new float[Shape.of(centroidsShape).size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian();
    }
    ModelWeights initial = new ModelWeights(Struct.of(Tensor.wrap(values, Shape.of(centroidsShape))), Struct.empty());
    TensorType pointType = TensorType.of(DType.FLOAT32, dataShape);
    StructType updateType = StructType.of(TensorType.of(DType.FLOAT32, centroidsShape),
        TensorType.of(DType.INT32, numClusters));
    return LearningProcess.composeLearningProcess(initial,
        DistributionProcess.broadcast(initial.type()),
        clientWork(initial, pointType, updateType),
        new SumFactory().create(updateType),
        finalizer(initial, updateType, numClusters));
  }

  private static final String CLIENT_STEP = "learning.kmeans.client_step";
  private static final String SERVER_UPDATE = "learning.kmeans.server_update";

  /**
   * Defines the local families of federated k-means in this JVM ({@code learning.kmeans.client_step} and
   * {@code learning.kmeans.server_update}, generic in the number of clusters and the point shape, without parameters),
   * as a program that loads a serialized k-means process it did not build does beside
   * {@link LearningProcess#defineLocalFamilies}.
   */
  public static void defineLocalFamilies() {
    LocalFamily.define(CLIENT_STEP, CLIENT_STEP_FACTORY);
    LocalFamily.define(SERVER_UPDATE, SERVER_UPDATE_FACTORY);
  }

  /** {@code <trainable=<float32[k,...]>,non_trainable=<>>}'s centroid shape, or a mismatch naming {@code type}. */
  private static int[] centroidsShape(FunctionType type) {
    if (type.parameter() instanceof StructType p && p.size() > 0 && p.type(0) instanceof StructType w
        && w.size() == 2 && w.type(0) instanceof StructType t && t.size() == 1 && t.type(0) instanceof TensorType c
        && c.dtype() == DType.FLOAT32 && c.rank() >= 1 && c.isFullyDefined()) {
      return c.toShape().dims();
    }
    throw new TypeMismatchException("expected a first parameter <trainable=<float32[k,...]>,non_trainable=<>>", null,
        type);
  }

  private static FunctionType stepType(StructType weightsType, int[] pointShape) {
    int[] centroids = ((TensorType) ((StructType) weightsType.type(0)).type(0)).toShape().dims();
    StructType updateType = StructType.of(TensorType.of(DType.FLOAT32, centroids),
        TensorType.of(DType.INT32, centroids[0]));
    return new FunctionType(StructType.named("weights", weightsType, "client_data",
        SequenceType.of(TensorType.of(DType.FLOAT32, pointShape))), StructType.named("result", StructType.named(
        "update", updateType, "update_weight", StructType.EMPTY), "stats", StructType.named("num_examples",
        TensorType.INT32)));
  }

  private static FunctionType updateType(StructType weightsType, int k, StructType updateType) {
    TensorType countsType = TensorType.of(DType.INT32, k);
    return new FunctionType(StructType.named("weights", weightsType, "counts", countsType, "update", updateType),
        StructType.named("weights", weightsType, "counts", countsType));
  }

  private static void check(FunctionType expected, FunctionType type) {
    if (!expected.equals(type)) {
      throw new TypeMismatchException("expected " + expected, expected, type);
    }
  }

  private static void noParameters(Struct parameters) {
    if (parameters.size() != 0) {
      throw new IllegalArgumentException("takes no parameters, found " + parameters);
    }
  }

  private static StructType weightsType(int[] centroids) {
    return StructType.named("trainable", StructType.of(TensorType.of(DType.FLOAT32, centroids)), "non_trainable",
        StructType.EMPTY);
  }

  private static final LocalFactory CLIENT_STEP_FACTORY = (type, parameters) -> {
    noParameters(parameters);
    int[] centroids = centroidsShape(type);
    check(stepType(weightsType(centroids), Arrays.copyOfRange(centroids, 1, centroids.length)), type);
    return arg -> {
      Struct a = (Struct) arg;
      Tensor c = (Tensor) ModelWeights.fromValue(a.get(0)).trainable().get(0);
      return assign(c, (Sequence) a.get(1));
    };
  };

  private static final LocalFactory SERVER_UPDATE_FACTORY = (type, parameters) -> {
    noParameters(parameters);
    int[] centroids = centroidsShape(type);
    int k = centroids[0];
    check(updateType(weightsType(centroids), k, StructType.of(TensorType.of(DType.FLOAT32, centroids),
        TensorType.of(DType.INT32, k))), type);
    return arg -> {
      Struct a = (Struct) arg;
      Tensor c = (Tensor) ModelWeights.fromValue(a.get(0)).trainable().get(0);
      Struct sums = (Struct) a.get(2);
      return updateCentroids(c, (Tensor) a.get(1), (Tensor) sums.get(0), (Tensor) sums.get(1));
    };
  };

  private static ClientWorkProcess clientWork(ModelWeights initial, TensorType pointType, StructType updateType) {
    Computation step = LocalFamily.define(CLIENT_STEP, CLIENT_STEP_FACTORY).at(stepType(initial.type(),
        pointType.toShape().dims()));
    Computation initialize = Computation.federated("kmeans_client_initialize",
        () -> federatedValue(Struct.empty(), Placement.SERVER));
    Computation next = Computation.federated("kmeans_client_next", "state", FederatedType.atServer(StructType.EMPTY),
        "weights", FederatedType.atClients(initial.type()), "client_data",
        FederatedType.atClients(SequenceType.of(pointType)), (state, weights, data) -> {
          Value out = federatedMap(step, List.of(weights, data));
          Map<String, Object> result = new LinkedHashMap<>();
          result.put("state", state);
          result.put("result", out.get("result"));
          result.put("measurements", federatedSum(out.get("stats")));
          return result;
        });
    return new ClientWorkProcess(initialize, next);
  }

  private static Struct assign(Tensor centroids, Sequence points) {
    int k = centroids.shape().dim(0);
    int d = centroids.size() / k;
    float[] c = centroids.floatData();
    float[] sums = new float[c.length];
    int[] counts = new int[k];
    int n = 0;
    for (Object element : points) {
      float[] p = ((Tensor) element).floatData();
      int best = 0;
      float bestDistance = Float.POSITIVE_INFINITY;
      for (int j = 0; j < k; j++) {
        float distance = 0;
        for (int i = 0; i < d; i++) {
          float diff = c[j * d + i] - p[i];
          distance += diff * diff;
        }
        if (distance < bestDistance) {
          bestDistance = distance;
          best = j;
        }
      }
      for (int i = 0; i < d; i++) {
        sums[best * d + i] += p[i];
      }
      counts[best]++;
      n++;
    }
    Struct update = Struct.of(Tensor.wrap(sums, centroids.shape()), Tensor.wrap(counts, Shape.of(k)));
    return Struct.named("result", Struct.named("update", update, "update_weight", Struct.empty()), "stats",
        Struct.named("num_examples", Tensor.scalar(n)));
  }

  private static FinalizerProcess finalizer(ModelWeights initial, StructType updateType, int k) {
    TensorType countsType = TensorType.of(DType.INT32, k);
    Computation update = LocalFamily.define(SERVER_UPDATE, SERVER_UPDATE_FACTORY).at(updateType(initial.type(), k,
        updateType));
    Computation initialize = Computation.federated("kmeans_finalizer_initialize",
        () -> federatedValue(Tensor.zeros(DType.INT32, Shape.of(k)), Placement.SERVER));
    Computation next = Computation.federated("kmeans_finalizer_next", "state", FederatedType.atServer(countsType),
        "weights", FederatedType.atServer(initial.type()), "update", FederatedType.atServer(updateType),
        (state, weights, summed) -> {
          Value out = federatedMap(update, List.of(weights, state, summed));
          Map<String, Object> result = new LinkedHashMap<>();
          result.put("state", out.get("counts"));
          result.put("result", out.get("weights"));
          result.put("measurements", federatedValue(Struct.empty(), Placement.SERVER));
          return result;
        });
    return new FinalizerProcess(initialize, next, Optional.empty());
  }

  private static Struct updateCentroids(Tensor centroids, Tensor counts, Tensor sums, Tensor newCounts) {
    int k = counts.size();
    int d = centroids.size() / k;
    float[] c = centroids.floatData();
    float[] s = sums.floatData();
    float[] out = new float[c.length];
    int[] totals = new int[k];
    for (int j = 0; j < k; j++) {
      totals[j] = counts.intData()[j] + newCounts.intData()[j];
      float total = totals[j];
      float currentScale = total == 0 ? 0f : counts.intData()[j] / total;
      float newScale = total == 0 || newCounts.intData()[j] == 0 ? 0f : 1f / total;
      for (int i = 0; i < d; i++) {
        out[j * d + i] = currentScale * c[j * d + i] + newScale * s[j * d + i];
      }
    }
    Struct weights = Struct.named("trainable", Struct.of(Tensor.wrap(out, centroids.shape())), "non_trainable",
        Struct.empty());
    return Struct.named("weights", weights, "counts", Tensor.wrap(totals, Shape.of(k)));
  }
}
