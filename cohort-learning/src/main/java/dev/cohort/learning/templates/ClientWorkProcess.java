package dev.cohort.learning.templates;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedSum;
import static dev.cohort.core.Intrinsics.federatedValue;
import static dev.cohort.core.Intrinsics.federatedZip;

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
import dev.cohort.learning.Nest;
import dev.cohort.learning.models.BatchOutput;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.Metric;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.models.ModelWorker;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.optimizers.Sgdm;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The measured process of the clients' local work, TFF's {@code ClientWorkProcess}:
 *
 * <pre>
 * initialize: ( -&gt; S@SERVER)
 * next:       (&lt;state=S@SERVER,weights=W@CLIENTS,client_data={B*}@CLIENTS&gt;
 *                 -&gt; &lt;state=S@SERVER,result={&lt;update=U,update_weight=float32&gt;}@CLIENTS,measurements=M@SERVER&gt;)
 * </pre>
 *
 * @param initialize the initial state
 * @param next one round
 */
public record ClientWorkProcess(Computation initialize, Computation next) {
  /** Checks the types above, naming the part that breaks them. */
  public ClientWorkProcess {
    FederatedType state = Processes.initialState("ClientWorkProcess", initialize);
    StructType out = Processes.next("ClientWorkProcess", next, state, "weights", "client_data");
    if (!(out.type(1) instanceof FederatedType r) || r.placement() != Placement.CLIENTS
        || !(r.member() instanceof StructType m) || m.size() != 2 || !"update".equals(m.name(0))
        || !"update_weight".equals(m.name(1))) {
      throw new IllegalArgumentException("ClientWorkProcess: next must return a result {<update=U,update_weight=W>}"
          + "@CLIENTS, found " + next.typeSignature());
    }
  }

  /**
   * TFF's {@code build_model_delta_client_work}: each client trains the model it receives on its data with
   * {@code clientOptimizer}, batch by batch, and returns {@code update = initial − trained} trainable weights with
   * weight {@code weighting} (its examples, or 1). An update with a NaN or infinity is zeroed and weighted 0, its
   * metrics are reset, and it counts in the measurement {@code num_non_finite_clients}. The state is {@code <>}; the
   * measurements are {@code <train=<metric=value,...>,num_non_finite_clients=int32>}, the metrics summed over
   * clients, then finalized.
   *
   * <p>The client data streams: a client's batches are read one at a time from its {@link Sequence}. Each worker
   * thread trains with its own {@link ModelWorker} of the model, created on first use and reused for every client it
   * trains (see {@link FunctionalModel}). The client optimizer's hyper-parameters are a constant of the computation,
   * so they travel with its serialized form.
   */
  public static ClientWorkProcess modelDelta(FunctionalModel model, Optimizer clientOptimizer,
      ClientWeighting weighting) {
    ModelWeights initial = model.initialWeights();
    StructType weightsType = initial.type();
    Struct hparams = clientOptimizer.getHparams(clientOptimizer.initialize(initial.trainableType()));
    Computation train = modelDeltaTrain(model, clientOptimizer, weighting);
    Computation finalizeMetrics = finalizeMetrics(model);
    Computation initialize = Computation.federated("model_delta_initialize",
        () -> federatedValue(Struct.empty(), Placement.SERVER));
    Computation next = Computation.federated("model_delta_next", "state", FederatedType.atServer(StructType.EMPTY),
        "weights", FederatedType.atClients(weightsType), "client_data",
        FederatedType.atClients(SequenceType.of(model.inputSpec())), (state, weights, data) -> {
          Value out = federatedMap(train, List.of(weights, data, federatedValue(hparams, Placement.CLIENTS)));
          Map<String, Object> measurements = new LinkedHashMap<>();
          measurements.put("train", federatedMap(finalizeMetrics, federatedSum(out.get("metrics"))));
          measurements.put("num_non_finite_clients", federatedSum(out.get("non_finite")));
          Map<String, Object> result = new LinkedHashMap<>();
          result.put("state", state);
          result.put("result", out.get("result"));
          result.put("measurements", federatedZip(measurements));
          return result;
        });
    return new ClientWorkProcess(initialize, next);
  }

  /**
   * The model-delta training of one client as a local computation (family
   * {@code learning.client_work.model_delta.<model>}), of type
   * {@code (<weights=W,client_data=B*,hparams=H> -> <result=<update,update_weight>,metrics=...,non_finite=int32>)}.
   */
  static Computation modelDeltaTrain(FunctionalModel model, Optimizer clientOptimizer, ClientWeighting weighting) {
    return LocalTraining.modelFamily(LocalTraining.Role.MODEL_DELTA, model).at(
        LocalTraining.trainType(model, clientOptimizer, false),
        LocalTraining.parameters("client_optimizer", clientOptimizer, weighting));
  }

  /** The model's metric finalizers as a local computation from summed states to values. */
  static Computation finalizeMetrics(FunctionalModel model) {
    List<Metric> metrics = model.metrics();
    return LocalTraining.modelFamily(LocalTraining.Role.FINALIZE_METRICS, model).at(
        new FunctionType(metricsType(metrics, false), metricsType(metrics, true)));
  }

  /** {@code <result=<update=trainable,update_weight=float32>,metrics=<metric states>,non_finite=int32>}. */
  static StructType trainingResultType(FunctionalModel model) {
    return (StructType) LocalTraining.trainType(model, Optimizer.sgdm(0.1), false).result();
  }

  /**
   * Defines in this JVM the local families of every client work of {@code model} (those of {@link ClientWorks}
   * included), so that serialized processes built from it, with any optimizers, weighting and schedules, load here:
   * {@code learning.client_work.<role>.<model name>} for the roles {@code model_delta}, {@code proximal},
   * {@code gradient}, {@code mime_lite} and {@code evaluation} (parameters: the optimizer as
   * {@link Optimizer#asParameters} data and the weighting, where the role has them),
   * {@code learning.metrics.finalize.<model name>}, and the model-independent families of the client works
   * ({@code learning.client_work.scheduled_hparams}, {@code learning.mime_lite.update_state},
   * {@code learning.mime_lite.schedule}, {@code learning.round_num.add_one}, {@code learning.metrics.add}).
   * The model's name identifies its architecture in a JVM: a second model of the same name, input spec and weights
   * types counts as the same model (its processes use the functions of the first), one that differs in them is an
   * error.
   *
   * @throws IllegalStateException if another model of that name, with other types, defined them
   */
  public static void defineLocalFamilies(FunctionalModel model) {
    for (LocalTraining.Role role : LocalTraining.Role.values()) {
      LocalTraining.modelFamily(role, model);
    }
    LocalTraining.defineGenericFamilies();
  }

  static StructType metricsType(List<Metric> metrics, boolean finalized) {
    List<StructType.Field> fields = new ArrayList<>();
    for (Metric m : metrics) {
      fields.add(new StructType.Field(m.name(), finalized ? m.resultType() : m.stateType()));
    }
    return new StructType(fields);
  }

  static Struct trainClient(ModelWorker worker, List<Metric> metrics, Optimizer optimizer,
      ClientWeighting weighting, float proximalStrength, boolean proximal, ModelWeights initial, Sequence data,
      Struct hparams) {
    worker.setWeights(initial);
    Struct state = optimizer.setHparams(optimizer.initialize(initial.trainableType()), hparams);
    Struct trainable = initial.trainable();
    boolean owned = false; // after the first step the weights are the loop's own: later steps write into them
    List<Object> metricStates = initialStates(metrics);
    long examples = 0;
    if (!proximal && optimizer instanceof Sgdm sgd && sgd.momentum() == 0) {
      // Plain SGD: the worker steps its own weights in place (no copy per step), fused where it can.
      float lr = ((Tensor) state.get(Optimizer.LEARNING_RATE)).floatValue();
      boolean stepped = false;
      for (Object element : data) {
        Struct batch = (Struct) element;
        BatchOutput out = worker.sgdStep(batch, lr, null);
        for (int i = 0; i < metrics.size(); i++) {
          metricStates.set(i, metrics.get(i).update().apply(metricStates.get(i), out, (Tensor) batch.get(1)));
        }
        examples += out.numExamples();
        stepped = true;
      }
      // The trained weights are a fresh copy, so the update overwrites it: initial - trained, leaf by leaf.
      Object update = stepped ? subtractFromInPlace(initial.trainable(), worker.weights().trainable())
          : Nest.subtract(initial.trainable(), trainable);
      return result(metrics, weighting, update, examples, metricStates);
    }
    for (Object element : data) {
      Struct batch = (Struct) element;
      BatchOutput out = worker.lossAndGradients(batch, null);
      for (int i = 0; i < metrics.size(); i++) {
        metricStates.set(i, metrics.get(i).update().apply(metricStates.get(i), out, (Tensor) batch.get(1)));
      }
      Object gradients = proximal ? LocalTraining.withProximalTerm(worker.gradients(), trainable, initial.trainable(),
          proximalStrength) : worker.gradients();
      Optimizer.Step step = owned ? optimizer.nextInPlace(state, trainable, gradients)
          : optimizer.next(state, trainable, gradients);
      owned = true;
      state = step.state();
      trainable = (Struct) step.weights();
      worker.setWeights(new ModelWeights(trainable, initial.nonTrainable()));
      examples += out.numExamples();
    }
    return result(metrics, weighting, Nest.subtract(initial.trainable(), trainable), examples, metricStates);
  }

  /**
   * {@code b <- a - b} leaf by leaf, in place where a leaf is float32 (the bits of {@link Nest#subtract}); returns the
   * result, {@code b}'s structure.
   */
  private static Object subtractFromInPlace(Object a, Object b) {
    List<Tensor> as = Nest.flatten(a);
    List<Tensor> bs = Nest.flatten(b);
    List<Tensor> out = new ArrayList<>(bs.size());
    for (int i = 0; i < bs.size(); i++) {
      Tensor x = as.get(i);
      Tensor y = bs.get(i);
      if (x.dtype() == DType.FLOAT32 && y.dtype() == DType.FLOAT32 && x.shape().equals(y.shape())) {
        float[] xs = x.floatData();
        float[] ys = y.floatData();
        for (int j = 0; j < ys.length; j++) {
          ys[j] = xs[j] - ys[j];
        }
        out.add(y);
      } else {
        out.add(x.sub(y));
      }
    }
    return Nest.pack(b, out);
  }

  /** The model-delta result of a client whose update ({@code initial - trained}) is {@code update}. */
  private static Struct result(List<Metric> metrics, ClientWeighting weighting, Object update, long examples,
      List<Object> metricStates) {
    float weight = weighting == ClientWeighting.NUM_EXAMPLES ? (float) examples : 1f;
    int nonFinite = 0;
    if (!Nest.allFinite(update)) {
      update = Nest.map(update, t -> Tensor.zeros(t.dtype(), t.shape()));
      weight = 0f;
      nonFinite = 1;
      metricStates = initialStates(metrics);
    }
    return Struct.named("result", Struct.named("update", update, "update_weight", Tensor.scalar(weight)),
        "metrics", metricStruct(metrics, metricStates), "non_finite", Tensor.scalar(nonFinite));
  }

  /** The metric states as a struct named by the metrics. */
  static Struct metricStruct(List<Metric> metrics, List<Object> states) {
    List<String> names = new ArrayList<>();
    for (Metric m : metrics) {
      names.add(m.name());
    }
    return Struct.of(names, states);
  }

  static List<Object> initialStates(List<Metric> metrics) {
    List<Object> states = new ArrayList<>();
    for (Metric m : metrics) {
      states.add(m.initialState());
    }
    return states;
  }
}
