package dev.cohort.learning.templates;

import dev.cohort.core.Computation;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.Nest;
import dev.cohort.learning.StableName;
import dev.cohort.learning.models.BatchOutput;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.Metric;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.models.ModelWorker;
import dev.cohort.learning.optimizers.LearningRateSchedule;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The local computations of the client works in {@link ClientWorks}, in one place: each is registered under a stable
 * name built from the model's name, the optimizer's kind and the schedule's name (see {@link StableName}), and each
 * client loop streams its batches through the calling thread's {@link ModelWorker}.
 */
final class LocalTraining {
  private LocalTraining() {}

  /** FedProx's gradient {@code g + mu * (w - w0)} leaf by leaf, as new tensors (the paper's sign). */
  static Object withProximalTerm(Struct gradients, Object weights, Object initial, float mu) {
    Object drift = Nest.subtract(weights, initial);
    return Nest.zip(gradients, drift, (g, d) -> g.add(d.mul(mu)));
  }

  /**
   * FedProx's client training: {@code (<weights=W,client_data=B*,hparams=H,proximal_strength=float32> -> R)} with
   * {@code R} the model-delta result of {@link ClientWorkProcess#trainingResultType}.
   */
  static Computation proximalTrain(FunctionalModel model, Optimizer optimizer, ClientWeighting weighting) {
    ModelWeights initial = model.initialWeights();
    Struct hparams = optimizer.getHparams(optimizer.initialize(initial.trainableType()));
    FunctionType type = new FunctionType(StructType.named("weights", initial.type(), "client_data",
        SequenceType.of(model.inputSpec()), "hparams", Nest.typeOf(hparams), "proximal_strength", TensorType.FLOAT32),
        ClientWorkProcess.trainingResultType(model));
    ThreadLocal<ModelWorker> workers = ThreadLocal.withInitial(model::newWorker);
    List<Metric> metrics = model.metrics();
    return Computation.local(StableName.of("learning.client_work.proximal." + model.name() + "." + optimizer.kind()
        + "." + weighting.name().toLowerCase(Locale.ROOT), type), type, arg -> {
          Struct a = (Struct) arg;
          return ClientWorkProcess.trainClient(workers.get(), metrics, optimizer, weighting,
              ((Tensor) a.get(3)).floatValue(), true, ModelWeights.fromValue(a.get(0)), (Sequence) a.get(1),
              (Struct) a.get(2));
        });
  }

  /**
   * The client optimizer's hyper-parameters for a round, {@code (int32 -> <hparams=H,learning_rate=float32>)}: the
   * initial ones with {@code learning_rate = schedule.learningRate(round)}.
   */
  static Computation scheduledHparams(LearningRateSchedule schedule, Optimizer optimizer, StructType trainableType) {
    Struct base = optimizer.getHparams(optimizer.initialize(trainableType));
    FunctionType type = new FunctionType(TensorType.INT32, StructType.named("hparams", Nest.typeOf(base),
        "learning_rate", TensorType.FLOAT32));
    return Computation.local(StableName.of("learning.client_work.scheduled." + schedule.name() + "."
        + optimizer.kind() + ".hparams", type), type, arg -> {
          Tensor lr = Tensor.scalar(schedule.learningRate(((Tensor) arg).intValue()));
          return Struct.named("hparams", withLearningRate(base, lr), "learning_rate", lr);
        });
  }

  private static Struct withLearningRate(Struct hparams, Tensor lr) {
    List<Object> values = new ArrayList<>(hparams.values());
    int i = hparams.names().indexOf(Optimizer.LEARNING_RATE);
    if (i < 0) {
      throw new IllegalArgumentException("a learning rate schedule needs an optimizer with the hyper-parameter '"
          + Optimizer.LEARNING_RATE + "', found " + hparams);
    }
    values.set(i, lr);
    return Struct.of(hparams.names(), values);
  }

  /** {@code (int32 -> int32)}: the round counter's increment. */
  static Computation addOne() {
    FunctionType type = new FunctionType(TensorType.INT32, TensorType.INT32);
    return Computation.local(StableName.of("learning.round_num.add_one", type), type,
        arg -> Tensor.scalar(((Tensor) arg).intValue() + 1));
  }

  /**
   * FedSGD's client computation {@code (<weights=W,client_data=B*> -> R)}: the example-weighted mean gradient of the
   * loss at the received weights over all batches, weighted by the client's examples.
   */
  static Computation gradient(FunctionalModel model) {
    ModelWeights initial = model.initialWeights();
    FunctionType type = new FunctionType(StructType.named("weights", initial.type(), "client_data",
        SequenceType.of(model.inputSpec())), ClientWorkProcess.trainingResultType(model));
    ThreadLocal<ModelWorker> workers = ThreadLocal.withInitial(model::newWorker);
    List<Metric> metrics = model.metrics();
    return Computation.local(StableName.of("learning.client_work.gradient." + model.name(), type), type, arg -> {
      Struct a = (Struct) arg;
      ModelWorker worker = workers.get();
      ModelWeights weights = ModelWeights.fromValue(a.get(0));
      worker.setWeights(weights);
      List<Object> states = ClientWorkProcess.initialStates(metrics);
      Mean mean = meanGradient(worker, metrics, states, weights.trainable(), (Sequence) a.get(1));
      return finish(metrics, mean.gradient, (float) mean.examples, states, null);
    });
  }

  private record Mean(Object gradient, long examples) {}

  /**
   * The example-weighted mean of the gradients at the worker's (unchanged) weights over {@code data}: TFF's
   * {@code sum(g * n) / sum(n)}, 0 when there are no examples; metrics are updated in {@code states} if not null.
   */
  private static Mean meanGradient(ModelWorker worker, List<Metric> metrics, List<Object> states, Struct trainable,
      Sequence data) {
    Object sum = Nest.map(trainable, t -> Tensor.zeros(t.dtype(), t.shape()));
    List<Tensor> sums = Nest.flatten(sum);
    long examples = 0;
    for (Object element : data) {
      Struct batch = (Struct) element;
      BatchOutput out = worker.lossAndGradients(batch, null);
      if (states != null) {
        update(metrics, states, out, batch);
      }
      List<Tensor> g = Nest.flatten(worker.gradients());
      for (int i = 0; i < sums.size(); i++) {
        sums.get(i).addInPlace(g.get(i).mul((float) out.numExamples()));
      }
      examples += out.numExamples();
    }
    float n = examples;
    return new Mean(Nest.map(sum, s -> n == 0 ? s : s.div(Tensor.scalar(n))), examples);
  }

  private static void update(List<Metric> metrics, List<Object> states, BatchOutput out, Struct batch) {
    for (int i = 0; i < metrics.size(); i++) {
      states.set(i, metrics.get(i).update().apply(states.get(i), out, (Tensor) batch.get(1)));
    }
  }

  /**
   * The client's result: an update with a NaN or infinity (or a non-finite {@code extra}) is zeroed with weight 0
   * and its metrics reset; the struct is {@code <result=<update,update_weight>,metrics,non_finite[,extra]>}.
   */
  private static Struct finish(List<Metric> metrics, Object update, float weight, List<Object> states,
      Object extra) {
    boolean finite = Nest.allFinite(update) && (extra == null || Nest.allFinite(extra));
    Object u = finite ? update : zerosLike(update);
    Struct result = Struct.named("update", u, "update_weight", Tensor.scalar(finite ? weight : 0f));
    Struct metricStates = ClientWorkProcess.metricStruct(metrics, finite ? states
        : ClientWorkProcess.initialStates(metrics));
    Tensor nonFinite = Tensor.scalar(finite ? 0 : 1);
    if (extra == null) {
      return Struct.named("result", result, "metrics", metricStates, "non_finite", nonFinite);
    }
    return Struct.named("result", result, "metrics", metricStates, "non_finite", nonFinite, "full_gradient",
        finite ? extra : zerosLike(extra));
  }

  private static Object zerosLike(Object structure) {
    return Nest.map(structure, t -> Tensor.zeros(t.dtype(), t.shape()));
  }

  /**
   * Mime-Lite's client computation {@code (<optimizer_state=S,weights=W,client_data=B*> -> <R...,full_gradient=T>)}:
   * the example-weighted mean gradient at the received weights over the client's data (the "full gradient"), then
   * local training with the base optimizer whose state {@code S} (the server's) stays frozen.
   */
  static Computation mimeLite(FunctionalModel model, Optimizer optimizer, ClientWeighting weighting) {
    ModelWeights initial = model.initialWeights();
    StructType trainableType = initial.trainableType();
    StructType stateType = optimizer.stateType(trainableType);
    StructType base = ClientWorkProcess.trainingResultType(model);
    List<StructType.Field> fields = new ArrayList<>(base.fields());
    fields.add(new StructType.Field("full_gradient", trainableType));
    FunctionType type = new FunctionType(StructType.named("optimizer_state", stateType, "weights", initial.type(),
        "client_data", SequenceType.of(model.inputSpec())), new StructType(fields));
    ThreadLocal<ModelWorker> workers = ThreadLocal.withInitial(model::newWorker);
    List<Metric> metrics = model.metrics();
    return Computation.local(StableName.of("learning.client_work.mime_lite." + model.name() + "." + optimizer.kind()
        + "." + weighting.name().toLowerCase(Locale.ROOT), type), type, arg -> {
          Struct a = (Struct) arg;
          Struct frozen = (Struct) a.get(0);
          ModelWeights start = ModelWeights.fromValue(a.get(1));
          Sequence data = (Sequence) a.get(2);
          ModelWorker worker = workers.get();
          worker.setWeights(start);
          Mean full = meanGradient(worker, metrics, null, start.trainable(), data);
          List<Object> states = ClientWorkProcess.initialStates(metrics);
          Object trainable = start.trainable();
          for (Object element : data) {
            Struct batch = (Struct) element;
            BatchOutput out = worker.lossAndGradients(batch, null);
            update(metrics, states, out, batch);
            trainable = optimizer.next(frozen, trainable, worker.gradients()).weights();
            worker.setWeights(new ModelWeights((Struct) trainable, start.nonTrainable()));
          }
          float weight = weighting == ClientWeighting.NUM_EXAMPLES ? (float) full.examples : 1f;
          return finish(metrics, Nest.subtract(start.trainable(), trainable), weight, states, full.gradient);
        });
  }

  /**
   * Mime-Lite's server-side state update {@code (<state=S,gradient=T> -> S)}: the base optimizer's step on the
   * aggregated full gradient, keeping only the new state (the weights it steps are zeros, as in TFF).
   */
  static Computation mimeUpdateState(Optimizer optimizer, StructType trainableType) {
    StructType stateType = optimizer.stateType(trainableType);
    Object zeros = Nest.zeros(trainableType);
    FunctionType type = new FunctionType(StructType.named("state", stateType, "gradient", trainableType), stateType);
    return Computation.local(StableName.of("learning.client_work.mime_lite.update_state." + optimizer.kind(), type),
        type, arg -> optimizer.next((Struct) ((Struct) arg).get(0), zeros, ((Struct) arg).get(1)).state());
  }

  /**
   * Scheduled Mime-Lite's state update {@code (<int32,<S,A>> -> <int32,<S,A>>)}: the round counter advances and the
   * base optimizer's learning rate becomes {@code schedule.learningRate(round + 1)}.
   */
  static Computation mimeSchedule(LearningRateSchedule schedule, Optimizer optimizer, Type stateType) {
    FunctionType type = new FunctionType(stateType, stateType);
    return Computation.local(StableName.of("learning.client_work.mime_lite.schedule." + schedule.name() + "."
        + optimizer.kind(), type), type, arg -> {
          Struct s = (Struct) arg;
          int round = ((Tensor) s.get(0)).intValue() + 1;
          return Struct.of(Tensor.scalar(round), withScheduledRate((Struct) s.get(1), optimizer, schedule, round));
        });
  }

  /** The Mime state {@code <S,A>} with the optimizer state's learning rate at {@code schedule}'s step {@code round}. */
  static Struct withScheduledRate(Struct mimeState, Optimizer optimizer, LearningRateSchedule schedule, int round) {
    Struct optimizerState = (Struct) mimeState.get(0);
    Struct hparams = Struct.named(Optimizer.LEARNING_RATE, Tensor.scalar(schedule.learningRate(round)));
    return Struct.of(optimizer.setHparams(optimizerState, hparams), mimeState.get(1));
  }

  /**
   * Federated evaluation's client computation {@code (<weights=W,client_data=B*> -> <result=...,metrics=M>)}: the metric states
   * of inference-mode forward passes over the client's batches.
   */
  static Computation evaluate(FunctionalModel model) {
    ModelWeights initial = model.initialWeights();
    List<Metric> metrics = model.metrics();
    StructType trainableType = initial.trainableType();
    Struct result = Struct.named("update", Nest.zeros(trainableType), "update_weight", Tensor.scalar(1f));
    FunctionType type = new FunctionType(StructType.named("weights", initial.type(), "client_data",
        SequenceType.of(model.inputSpec())), StructType.named("result", Nest.typeOf(result), "metrics",
        ClientWorkProcess.metricsType(metrics, false)));
    ThreadLocal<ModelWorker> workers = ThreadLocal.withInitial(model::newWorker);
    return Computation.local(StableName.of("learning.evaluation." + model.name(), type), type, arg -> {
      Struct a = (Struct) arg;
      ModelWorker worker = workers.get();
      worker.setWeights(ModelWeights.fromValue(a.get(0)));
      List<Object> states = ClientWorkProcess.initialStates(metrics);
      for (Object element : (Sequence) a.get(1)) {
        Struct batch = (Struct) element;
        update(metrics, states, worker.forwardPass(batch, false, null), batch);
      }
      return Struct.named("result", result, "metrics", ClientWorkProcess.metricStruct(metrics, states));
    });
  }

  /** {@code (<M,M> -> M)}: two metric states added leaf by leaf (sums and counts). */
  static Computation addMetrics(FunctionalModel model) {
    StructType m = ClientWorkProcess.metricsType(model.metrics(), false);
    FunctionType type = new FunctionType(StructType.of(m, m), m);
    return Computation.local(StableName.of("learning.metrics.add." + model.name(), type), type,
        arg -> Nest.zip(((Struct) arg).get(0), ((Struct) arg).get(1), Tensor::add));
  }
}
