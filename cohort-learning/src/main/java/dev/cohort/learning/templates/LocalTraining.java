package dev.cohort.learning.templates;

import dev.cohort.core.Computation;
import dev.cohort.core.LocalFamily;
import dev.cohort.core.ast.LocalFactory;
import dev.cohort.core.ast.LocalFunction;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.Nest;
import dev.cohort.learning.models.BatchOutput;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.Metric;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.models.ModelWorker;
import dev.cohort.learning.optimizers.LearningRateSchedule;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.optimizers.ScheduledOptimizer;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The local computations of the client works, in one place: each is a member of a local function family
 * ({@link LocalFamily}) whose parameters carry the configuration (optimizers as {@link Optimizer#asParameters} data,
 * schedules by name, the weighting, weights types in TFF notation), so a JVM that defines the families
 * ({@link ClientWorkProcess#defineLocalFamilies}) rebuilds each function from a serialized process. The families of
 * a model ({@link Role}) are named after it and bound to it; the others are generic in their types. Each client loop
 * streams its batches through the calling thread's {@link ModelWorker}.
 */
final class LocalTraining {
  private LocalTraining() {}

  /** The roles of a model's families: {@code prefix + model name}. */
  enum Role {
    /** {@link ClientWorkProcess#modelDelta}'s training; parameters {@code <client_optimizer=O,weighting=s>}. */
    MODEL_DELTA("learning.client_work.model_delta."),
    /** FedProx's training; parameters {@code <client_optimizer=O,weighting=s>}. */
    PROXIMAL("learning.client_work.proximal."),
    /** FedSGD's mean gradient; no parameters. */
    GRADIENT("learning.client_work.gradient."),
    /** Mime-Lite's client; parameters {@code <base_optimizer=O,weighting=s>}. */
    MIME_LITE("learning.client_work.mime_lite."),
    /** Federated evaluation's client; no parameters. */
    EVALUATION("learning.client_work.evaluation."),
    /** The metrics' finalizers; no parameters. */
    FINALIZE_METRICS("learning.metrics.finalize.");

    private final String prefix;

    Role(String prefix) {
      this.prefix = prefix;
    }
  }

  /** Defines (or finds) {@code role}'s family of {@code model}. */
  static LocalFamily modelFamily(Role role, FunctionalModel model) {
    return LocalFamily.define(role.prefix + model.name(), new ModelFamily(role, model));
  }

  private static final String SCHEDULED_HPARAMS = "learning.client_work.scheduled_hparams";
  private static final String MIME_UPDATE_STATE = "learning.mime_lite.update_state";
  private static final String MIME_SCHEDULE = "learning.mime_lite.schedule";
  private static final String ADD_ONE = "learning.round_num.add_one";
  private static final String ADD_METRICS = "learning.metrics.add";

  /** Defines the model-independent families (a no-op when defined). */
  static void defineGenericFamilies() {
    LocalFamily.define(SCHEDULED_HPARAMS, SCHEDULED_HPARAMS_FACTORY);
    LocalFamily.define(MIME_UPDATE_STATE, MIME_UPDATE_STATE_FACTORY);
    LocalFamily.define(MIME_SCHEDULE, MIME_SCHEDULE_FACTORY);
    LocalFamily.define(ADD_ONE, ADD_ONE_FACTORY);
    LocalFamily.define(ADD_METRICS, ADD_METRICS_FACTORY);
  }

  /** {@code <key=O,weighting="num_examples"|"uniform">}. */
  static Struct parameters(String key, Optimizer optimizer, ClientWeighting weighting) {
    return Struct.named(key, optimizer.asParameters(), "weighting",
        Tensor.scalar(weighting.name().toLowerCase(Locale.ROOT)));
  }

  /** {@code <optimizer=O,weights="T">}. */
  private static Struct optimizerAndWeights(Optimizer optimizer, Type weightsType) {
    return Struct.named("optimizer", optimizer.asParameters(), "weights", Tensor.scalar(weightsType.toString()));
  }

  private record OptimizerAndWeights(Optimizer optimizer, Type weightsType) {}

  private static OptimizerAndWeights parseOptimizerAndWeights(Struct p) {
    if (p.size() != 2 || !"optimizer".equals(p.name(0)) || !"weights".equals(p.name(1))
        || !(p.get(0) instanceof Struct o) || !isString(p.get(1))) {
      throw new IllegalArgumentException("expected the parameters <optimizer=<kind=...>,weights=\"<type>\">, found "
          + p);
    }
    return new OptimizerAndWeights(Optimizer.fromParameters(o), Type.parse(((Tensor) p.get(1)).stringValue()));
  }

  private static ScheduledOptimizer scheduled(Optimizer optimizer) {
    if (!(optimizer instanceof ScheduledOptimizer s)) {
      throw new IllegalArgumentException("expected a scheduled optimizer (kind ScheduledOptimizer), found "
          + optimizer.asParameters());
    }
    return s;
  }

  private static boolean isString(Object v) {
    return v instanceof Tensor t && t.dtype() == DType.STRING && t.rank() == 0;
  }

  private static void noParameters(Struct p) {
    if (p.size() != 0) {
      throw new IllegalArgumentException("takes no parameters, found " + p);
    }
  }

  private static void check(FunctionType expected, FunctionType type, String what) {
    if (!expected.equals(type)) {
      throw new TypeMismatchException("expected " + expected + " for " + what, expected, type);
    }
  }

  /**
   * {@code (<weights=W,client_data=B*,hparams=H[,proximal_strength=float32]> -> <result=<update=T,
   * update_weight=float32>,metrics=M,non_finite=int32>)}: model-delta (or with {@code proximal}, FedProx) training.
   */
  static FunctionType trainType(FunctionalModel model, Optimizer optimizer, boolean proximal) {
    ModelWeights initial = model.initialWeights();
    StructType trainableType = initial.trainableType();
    Struct hparams = optimizer.getHparams(optimizer.initialize(trainableType));
    StructType resultType = StructType.named("update", trainableType, "update_weight", TensorType.FLOAT32);
    List<StructType.Field> fields = new ArrayList<>(List.of(new StructType.Field("weights", initial.type()),
        new StructType.Field("client_data", SequenceType.of(model.inputSpec())),
        new StructType.Field("hparams", Nest.typeOf(hparams))));
    if (proximal) {
      fields.add(new StructType.Field("proximal_strength", TensorType.FLOAT32));
    }
    return new FunctionType(new StructType(fields), StructType.named("result", resultType, "metrics",
        ClientWorkProcess.metricsType(model.metrics(), false), "non_finite", TensorType.INT32));
  }

  /** {@code (<weights=W,client_data=B*> -> R)}, FedSGD's client. */
  private static FunctionType gradientType(FunctionalModel model) {
    return new FunctionType(StructType.named("weights", model.initialWeights().type(), "client_data",
        SequenceType.of(model.inputSpec())), ClientWorkProcess.trainingResultType(model));
  }

  /** {@code (<optimizer_state=S,weights=W,client_data=B*> -> <R...,full_gradient=T>)}, Mime-Lite's client. */
  private static FunctionType mimeLiteType(FunctionalModel model, Optimizer optimizer) {
    ModelWeights initial = model.initialWeights();
    StructType trainableType = initial.trainableType();
    List<StructType.Field> fields = new ArrayList<>(ClientWorkProcess.trainingResultType(model).fields());
    fields.add(new StructType.Field("full_gradient", trainableType));
    return new FunctionType(StructType.named("optimizer_state", optimizer.stateType(trainableType), "weights",
        initial.type(), "client_data", SequenceType.of(model.inputSpec())), new StructType(fields));
  }

  /** {@code (<weights=W,client_data=B*> -> <result=<update=<>,update_weight=float32>,metrics=M>)}, evaluation. */
  private static FunctionType evaluationType(FunctionalModel model) {
    return new FunctionType(StructType.named("weights", model.initialWeights().type(), "client_data",
        SequenceType.of(model.inputSpec())), StructType.named("result", StructType.named("update",
        StructType.EMPTY, "update_weight", TensorType.FLOAT32), "metrics",
        ClientWorkProcess.metricsType(model.metrics(), false)));
  }

  /**
   * The factory of a model's family: equal to another for a model of the same name, input spec and weights type, so
   * that building processes from a rebuilt model defines nothing new.
   */
  private static final class ModelFamily implements LocalFactory {
    private final Role role;
    private final FunctionalModel model;
    private final List<Object> identity;

    ModelFamily(Role role, FunctionalModel model) {
      this.role = role;
      this.model = model;
      this.identity = List.of(role, model.name(), model.inputSpec(), model.initialWeights().type());
    }

    @Override
    public LocalFunction create(FunctionType type, Struct parameters) {
      String what = "model '" + model.name() + "'";
      return switch (role) {
        case MODEL_DELTA, PROXIMAL -> {
          boolean proximal = role == Role.PROXIMAL;
          TrainingConfig c = trainingConfig(parameters, "client_optimizer");
          check(trainType(model, c.optimizer(), proximal), type, what);
          yield trainer(model, c.optimizer(), c.weighting(), proximal);
        }
        case GRADIENT -> {
          noParameters(parameters);
          check(gradientType(model), type, what);
          yield gradientClient(model);
        }
        case MIME_LITE -> {
          TrainingConfig c = trainingConfig(parameters, "base_optimizer");
          check(mimeLiteType(model, c.optimizer()), type, what);
          yield mimeLiteClient(model, c.optimizer(), c.weighting());
        }
        case EVALUATION -> {
          noParameters(parameters);
          check(evaluationType(model), type, what);
          yield evaluation(model);
        }
        case FINALIZE_METRICS -> {
          noParameters(parameters);
          List<Metric> metrics = model.metrics();
          check(new FunctionType(ClientWorkProcess.metricsType(metrics, false),
              ClientWorkProcess.metricsType(metrics, true)), type, what);
          yield arg -> Metric.finalizeAll(metrics, (Struct) arg);
        }
      };
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ModelFamily f && f.identity.equals(identity);
    }

    @Override
    public int hashCode() {
      return identity.hashCode();
    }

    @Override
    public String toString() {
      return "the " + role.prefix + " family of model '" + model.name() + "' " + identity.subList(2, 4);
    }
  }

  private record TrainingConfig(Optimizer optimizer, ClientWeighting weighting) {}

  private static TrainingConfig trainingConfig(Struct p, String key) {
    if (p.size() != 2 || !key.equals(p.name(0)) || !"weighting".equals(p.name(1)) || !(p.get(0) instanceof Struct o)
        || !isString(p.get(1))) {
      throw new IllegalArgumentException("expected the parameters <" + key + "=<kind=...>,weighting=\"num_examples\""
          + "|\"uniform\">, found " + p);
    }
    String w = ((Tensor) p.get(1)).stringValue();
    ClientWeighting weighting;
    try {
      weighting = ClientWeighting.valueOf(w.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("weighting must be \"num_examples\" or \"uniform\", found \"" + w + "\"",
          e);
    }
    return new TrainingConfig(Optimizer.fromParameters(o), weighting);
  }

  private static LocalFunction trainer(FunctionalModel model, Optimizer optimizer, ClientWeighting weighting,
      boolean proximal) {
    ThreadLocal<ModelWorker> workers = ThreadLocal.withInitial(model::newWorker);
    List<Metric> metrics = model.metrics();
    return arg -> {
      Struct a = (Struct) arg;
      float mu = proximal ? ((Tensor) a.get(3)).floatValue() : 0f;
      return ClientWorkProcess.trainClient(workers.get(), metrics, optimizer, weighting, mu, proximal,
          ModelWeights.fromValue(a.get(0)), (Sequence) a.get(1), (Struct) a.get(2));
    };
  }

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
    return modelFamily(Role.PROXIMAL, model).at(trainType(model, optimizer, true),
        parameters("client_optimizer", optimizer, weighting));
  }

  /**
   * The client optimizer's hyper-parameters for a round, {@code (int32 -> <hparams=H,learning_rate=float32>)}: the
   * initial ones with {@code learning_rate = schedule.learningRate(round)}.
   */
  static Computation scheduledHparams(LearningRateSchedule schedule, Optimizer optimizer, StructType trainableType) {
    requireLearningRate(optimizer, trainableType);
    ScheduledOptimizer s = Optimizer.scheduleLearningRate(optimizer, schedule);
    return LocalFamily.define(SCHEDULED_HPARAMS, SCHEDULED_HPARAMS_FACTORY).at(scheduledHparamsType(optimizer,
        trainableType), optimizerAndWeights(s, trainableType));
  }

  private static void requireLearningRate(Optimizer optimizer, Type trainableType) {
    Struct hparams = optimizer.getHparams(optimizer.initialize(trainableType));
    if (hparams.names().indexOf(Optimizer.LEARNING_RATE) < 0) {
      throw new IllegalArgumentException("a learning rate schedule needs an optimizer with the hyper-parameter '"
          + Optimizer.LEARNING_RATE + "', found " + hparams);
    }
  }

  private static FunctionType scheduledHparamsType(Optimizer optimizer, Type trainableType) {
    Struct base = optimizer.getHparams(optimizer.initialize(trainableType));
    return new FunctionType(TensorType.INT32, StructType.named("hparams", Nest.typeOf(base), "learning_rate",
        TensorType.FLOAT32));
  }

  private static final LocalFactory SCHEDULED_HPARAMS_FACTORY = (type, parameters) -> {
    OptimizerAndWeights p = parseOptimizerAndWeights(parameters);
    ScheduledOptimizer s = scheduled(p.optimizer());
    Optimizer optimizer = s.optimizer();
    requireLearningRate(optimizer, p.weightsType());
    check(scheduledHparamsType(optimizer, p.weightsType()), type, "this optimizer and weights " + p.weightsType());
    Struct base = optimizer.getHparams(optimizer.initialize(p.weightsType()));
    LearningRateSchedule schedule = s.schedule();
    return arg -> {
      Tensor lr = Tensor.scalar(schedule.learningRate(((Tensor) arg).intValue()));
      return Struct.named("hparams", withLearningRate(base, lr), "learning_rate", lr);
    };
  };

  private static Struct withLearningRate(Struct hparams, Tensor lr) {
    List<Object> values = new ArrayList<>(hparams.values());
    values.set(hparams.names().indexOf(Optimizer.LEARNING_RATE), lr);
    return Struct.of(hparams.names(), values);
  }

  private static final FunctionType ADD_ONE_TYPE = new FunctionType(TensorType.INT32, TensorType.INT32);

  private static final LocalFactory ADD_ONE_FACTORY = (type, parameters) -> {
    noParameters(parameters);
    check(ADD_ONE_TYPE, type, "the round counter");
    return arg -> Tensor.scalar(((Tensor) arg).intValue() + 1);
  };

  /** {@code (int32 -> int32)}: the round counter's increment. */
  static Computation addOne() {
    return LocalFamily.define(ADD_ONE, ADD_ONE_FACTORY).at(ADD_ONE_TYPE);
  }

  /**
   * FedSGD's client computation {@code (<weights=W,client_data=B*> -> R)}: the example-weighted mean gradient of the
   * loss at the received weights over all batches, weighted by the client's examples.
   */
  static Computation gradient(FunctionalModel model) {
    return modelFamily(Role.GRADIENT, model).at(gradientType(model));
  }

  private static LocalFunction gradientClient(FunctionalModel model) {
    ThreadLocal<ModelWorker> workers = ThreadLocal.withInitial(model::newWorker);
    List<Metric> metrics = model.metrics();
    return arg -> {
      Struct a = (Struct) arg;
      ModelWorker worker = workers.get();
      ModelWeights weights = ModelWeights.fromValue(a.get(0));
      worker.setWeights(weights);
      List<Object> states = ClientWorkProcess.initialStates(metrics);
      Mean mean = meanGradient(worker, metrics, states, weights.trainable(), (Sequence) a.get(1));
      return finish(metrics, mean.gradient, (float) mean.examples, states, null);
    };
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
    return modelFamily(Role.MIME_LITE, model).at(mimeLiteType(model, optimizer),
        parameters("base_optimizer", optimizer, weighting));
  }

  private static LocalFunction mimeLiteClient(FunctionalModel model, Optimizer optimizer, ClientWeighting weighting) {
    ThreadLocal<ModelWorker> workers = ThreadLocal.withInitial(model::newWorker);
    List<Metric> metrics = model.metrics();
    return arg -> {
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
    };
  }

  private static FunctionType mimeUpdateStateType(Optimizer optimizer, Type trainableType) {
    StructType stateType = optimizer.stateType(trainableType);
    return new FunctionType(StructType.named("state", stateType, "gradient", trainableType), stateType);
  }

  private static final LocalFactory MIME_UPDATE_STATE_FACTORY = (type, parameters) -> {
    OptimizerAndWeights p = parseOptimizerAndWeights(parameters);
    check(mimeUpdateStateType(p.optimizer(), p.weightsType()), type, "this optimizer and weights "
        + p.weightsType());
    Object zeros = Nest.zeros(p.weightsType());
    Optimizer optimizer = p.optimizer();
    return arg -> optimizer.next((Struct) ((Struct) arg).get(0), zeros, ((Struct) arg).get(1)).state();
  };

  /**
   * Mime-Lite's server-side state update {@code (<state=S,gradient=T> -> S)}: the base optimizer's step on the
   * aggregated full gradient, keeping only the new state (the weights it steps are zeros, as in TFF).
   */
  static Computation mimeUpdateState(Optimizer optimizer, StructType trainableType) {
    return LocalFamily.define(MIME_UPDATE_STATE, MIME_UPDATE_STATE_FACTORY).at(mimeUpdateStateType(optimizer,
        trainableType), optimizerAndWeights(optimizer, trainableType));
  }

  private static final LocalFactory MIME_SCHEDULE_FACTORY = (type, parameters) -> {
    OptimizerAndWeights p = parseOptimizerAndWeights(parameters);
    ScheduledOptimizer s = scheduled(p.optimizer());
    StructType optimizerState = s.optimizer().stateType(p.weightsType());
    if (!(type.parameter() instanceof StructType t) || !type.parameter().equals(type.result()) || t.size() != 2
        || !TensorType.INT32.equals(t.type(0)) || !(t.type(1) instanceof StructType m) || m.size() != 2
        || !optimizerState.equals(m.type(0))) {
      throw new TypeMismatchException("expected (<int32,<" + optimizerState + ",A>> -> <int32,<" + optimizerState
          + ",A>>) for this optimizer and weights " + p.weightsType(), null, type);
    }
    Optimizer optimizer = s.optimizer();
    LearningRateSchedule schedule = s.schedule();
    return arg -> {
      Struct state = (Struct) arg;
      int round = ((Tensor) state.get(0)).intValue() + 1;
      return Struct.of(Tensor.scalar(round), withScheduledRate((Struct) state.get(1), optimizer, schedule, round));
    };
  };

  /**
   * Scheduled Mime-Lite's state update {@code (<int32,<S,A>> -> <int32,<S,A>>)}: the round counter advances and the
   * base optimizer's learning rate becomes {@code schedule.learningRate(round + 1)}.
   */
  static Computation mimeSchedule(LearningRateSchedule schedule, Optimizer optimizer, StructType trainableType,
      Type stateType) {
    return LocalFamily.define(MIME_SCHEDULE, MIME_SCHEDULE_FACTORY).at(new FunctionType(stateType, stateType),
        optimizerAndWeights(Optimizer.scheduleLearningRate(optimizer, schedule), trainableType));
  }

  /** The Mime state {@code <S,A>} with the optimizer state's learning rate at {@code schedule}'s step {@code round}. */
  static Struct withScheduledRate(Struct mimeState, Optimizer optimizer, LearningRateSchedule schedule, int round) {
    Struct optimizerState = (Struct) mimeState.get(0);
    Struct hparams = Struct.named(Optimizer.LEARNING_RATE, Tensor.scalar(schedule.learningRate(round)));
    return Struct.of(optimizer.setHparams(optimizerState, hparams), mimeState.get(1));
  }

  /**
   * Federated evaluation's client computation {@code (<weights=W,client_data=B*> -> <result=...,metrics=M>)}: the
   * metric states of inference-mode forward passes over the client's batches.
   */
  static Computation evaluate(FunctionalModel model) {
    return modelFamily(Role.EVALUATION, model).at(evaluationType(model));
  }

  private static LocalFunction evaluation(FunctionalModel model) {
    List<Metric> metrics = model.metrics();
    Struct result = Struct.named("update", Struct.empty(), "update_weight", Tensor.scalar(1f));
    ThreadLocal<ModelWorker> workers = ThreadLocal.withInitial(model::newWorker);
    return arg -> {
      Struct a = (Struct) arg;
      ModelWorker worker = workers.get();
      worker.setWeights(ModelWeights.fromValue(a.get(0)));
      return Struct.named("result", result, "metrics", Metric.evaluate(metrics, worker, (Sequence) a.get(1)));
    };
  }

  private static final LocalFactory ADD_METRICS_FACTORY = (type, parameters) -> {
    noParameters(parameters);
    if (!(type.parameter() instanceof StructType p) || p.size() != 2 || !p.type(0).equals(p.type(1))
        || !p.type(0).equals(type.result()) || !(type.result() instanceof StructType)) {
      throw new TypeMismatchException("expected (<M,M> -> M) with M a struct of tensors", null, type);
    }
    Nest.zeros(type.result());
    return arg -> Nest.zip(((Struct) arg).get(0), ((Struct) arg).get(1), Tensor::add);
  };

  /** {@code (<M,M> -> M)}: two metric states added leaf by leaf (sums and counts). */
  static Computation addMetrics(FunctionalModel model) {
    StructType m = ClientWorkProcess.metricsType(model.metrics(), false);
    return LocalFamily.define(ADD_METRICS, ADD_METRICS_FACTORY).at(new FunctionType(StructType.of(m, m), m));
  }
}
