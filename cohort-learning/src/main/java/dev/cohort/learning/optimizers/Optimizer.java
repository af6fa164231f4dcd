package dev.cohort.learning.optimizers;

import dev.cohort.core.Computation;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.Nest;

/**
 * A pure optimizer, as TFF's {@code tff.learning.optimizers.Optimizer}: {@code initialize(weightsType)} returns a
 * state, {@code next(state, weights, gradients)} returns the new state and weights, and nothing else changes. The
 * hyper-parameters live in the state (float32 scalars under TFF's keys, e.g. {@code learning_rate}), so a schedule
 * or a server program can change them between steps with {@link #setHparams}; the optimizer value itself holds only
 * their initial values, checked when it is built.
 *
 * <p>Weights and gradients are structures of float32 tensors ({@link dev.cohort.tensor.Tensor} or
 * {@link Struct} of them, see {@link Nest}) of the same shape; an empty structure is a no-op (only step counters
 * advance). Arithmetic is float32, in the order of TFF's TensorFlow code, so the trajectories of TFF's unit tests
 * are reproduced.
 *
 * <pre>{@code
 * Optimizer sgd = Optimizer.sgdm(0.01, 0.5);
 * Struct state = sgd.initialize(TensorType.of(DType.FLOAT32, 1));  // <learning_rate=0.01,momentum=0.5,accumulator=[0]>
 * Optimizer.Step step = sgd.next(state, Tensor.vector(1f), Tensor.vector(2f));
 * step.weights();                                                  // [0.98]
 * }</pre>
 *
 * <p>Inside a federated computation an optimizer is the local computation {@link #nextComputation}, a member of the
 * family {@code learning.optimizers.next} with this optimizer and the weights type as parameters, which a fresh JVM
 * rebuilds once it has defined the family ({@link #defineLocalFamilies}).
 */
public sealed interface Optimizer permits Sgdm, Adagrad, Adam, AdamW, RmsProp, Yogi, Adafactor, ScheduledOptimizer {
  /** TFF's {@code LEARNING_RATE_KEY}: the state entry every optimizer but Adafactor has at its top level. */
  String LEARNING_RATE = "learning_rate";

  /** The result of a step: the new state and the new weights. */
  record Step(Struct state, Object weights) {}

  /** SGD with learning rate {@code learningRate} and no momentum: {@code w -= lr * g} (TFF's default is 0.01). */
  static Sgdm sgdm(double learningRate) {
    return new Sgdm(learningRate, 0, false);
  }

  /** SGD with heavy-ball momentum: {@code v = m * v + g; w -= lr * v}; momentum 0 means none. */
  static Sgdm sgdm(double learningRate, double momentum) {
    return new Sgdm(learningRate, momentum, false);
  }

  /** SGD with momentum, Nesterov's variant if {@code nesterov}: {@code v = m * v + g; w -= lr * (g + m * v)}. */
  static Sgdm sgdm(double learningRate, double momentum, boolean nesterov) {
    return new Sgdm(learningRate, momentum, nesterov);
  }

  /** Adagrad with TFF's defaults: initial preconditioner 0.1, epsilon 1e-7. */
  static Adagrad adagrad(double learningRate) {
    return new Adagrad(learningRate, 0.1, 1e-7);
  }

  /** Adagrad: {@code s += g^2; w -= lr * g / sqrt(s + eps)}. */
  static Adagrad adagrad(double learningRate, double initialPreconditionerValue, double epsilon) {
    return new Adagrad(learningRate, initialPreconditionerValue, epsilon);
  }

  /** Adam with TFF's defaults: beta_1 0.9, beta_2 0.999, epsilon 1e-7. */
  static Adam adam(double learningRate) {
    return new Adam(learningRate, 0.9, 0.999, 1e-7);
  }

  /** Adam (Kingma and Ba 2015, arXiv:1412.6980); see {@link Adam}. */
  static Adam adam(double learningRate, double beta1, double beta2, double epsilon) {
    return new Adam(learningRate, beta1, beta2, epsilon);
  }

  /** AdamW with TFF's defaults: beta_1 0.9, beta_2 0.999, epsilon 1e-7, weight decay 0.004. */
  static AdamW adamw(double learningRate) {
    return new AdamW(learningRate, 0.9, 0.999, 1e-7, 0.004);
  }

  /** AdamW (Loshchilov and Hutter 2019, arXiv:1711.05101); see {@link AdamW}. */
  static AdamW adamw(double learningRate, double beta1, double beta2, double epsilon, double weightDecay) {
    return new AdamW(learningRate, beta1, beta2, epsilon, weightDecay);
  }

  /** RMSprop with TFF's defaults: decay 0.9, epsilon 1e-7. */
  static RmsProp rmsprop(double learningRate) {
    return new RmsProp(learningRate, 0.9, 1e-7);
  }

  /** RMSprop: {@code s = d * s + (1 - d) * g^2; w -= lr * g / (sqrt(s) + eps)}. */
  static RmsProp rmsprop(double learningRate, double decay, double epsilon) {
    return new RmsProp(learningRate, decay, epsilon);
  }

  /** Yogi with TFF's defaults: beta_1 0.9, beta_2 0.999, epsilon 1e-3, initial preconditioner 1e-6. */
  static Yogi yogi(double learningRate) {
    return new Yogi(learningRate, 0.9, 0.999, 1e-3, 1e-6);
  }

  /** Yogi (Zaheer et al. 2018, NeurIPS); see {@link Yogi}. */
  static Yogi yogi(double learningRate, double beta1, double beta2, double epsilon,
      double initialPreconditionerValue) {
    return new Yogi(learningRate, beta1, beta2, epsilon, initialPreconditionerValue);
  }

  /**
   * Adafactor with TFF's defaults: beta_2_decay -0.8, epsilon_1 1e-30, epsilon_2 1e-3, clip threshold 1, relative
   * step on.
   */
  static Adafactor adafactor(double learningRate) {
    return new Adafactor(learningRate, -0.8, 1e-30, 1e-3, 1.0, true);
  }

  /** Adafactor (Shazeer and Stern 2018, arXiv:1804.04235); see {@link Adafactor}. */
  static Adafactor adafactor(double learningRate, double beta2Decay, double epsilon1, double epsilon2,
      double clipThreshold, boolean relativeStep) {
    return new Adafactor(learningRate, beta2Decay, epsilon1, epsilon2, clipThreshold, relativeStep);
  }

  /**
   * {@code optimizer} with learning rate {@code schedule.learningRate(i)} on its {@code i}-th step, counting from 0
   * (TFF's {@code schedule_learning_rate}).
   *
   * @throws IllegalArgumentException if {@code optimizer} has no top-level {@code learning_rate} (Adafactor)
   */
  static ScheduledOptimizer scheduleLearningRate(Optimizer optimizer, LearningRateSchedule schedule) {
    return new ScheduledOptimizer(optimizer, schedule);
  }

  /**
   * A stable identifier of what {@link #next} computes, apart from the hyper-parameters in the state (e.g.
   * {@code sgdm}, {@code sgdm_nesterov}), for people and logs; computations carry the whole optimizer as data.
   */
  String kind();

  /**
   * The initial state for weights of type {@code weightsType}: TFF's {@code initialize(specs)}.
   *
   * @throws IllegalArgumentException if the type is not a structure of fully defined float32 tensors
   */
  Struct initialize(Type weightsType);

  /**
   * One step: the new state and weights for {@code gradients} at {@code weights}.
   *
   * @throws IllegalArgumentException if weights, gradients and the state's slots differ in structure
   */
  Step next(Struct state, Object weights, Object gradients);

  /**
   * {@link #next} for a caller that owns {@code weights}, such as a client's local training loop, whose weights no one
   * else sees: the new weights may be written into {@code weights}' arrays, which the result then shares, instead of
   * new ones (at batch 20, allocating the MLP's 0.8 MB of new weights per step took a third of a client's training time
   * in FedAvgBench). The state is treated as in {@link #next}. By default this is {@link #next}; plain SGD overrides
   * it.
   *
   * @throws IllegalArgumentException as {@link #next}
   */
  default Step nextInPlace(Struct state, Object weights, Object gradients) {
    return next(state, weights, gradients);
  }

  /** The hyper-parameters in {@code state}, by TFF's names (e.g. {@code <learning_rate=0.1,momentum=0.9>}). */
  Struct getHparams(Struct state);

  /**
   * {@code state} with some hyper-parameters replaced.
   *
   * @throws IllegalArgumentException if a name is not a hyper-parameter, a value is not a scalar of the right dtype
   *     or breaks the hyper-parameter's rule
   */
  Struct setHparams(Struct state, Struct hparams);

  /** The type of {@link #initialize}'s state for weights of type {@code weightsType}. */
  default StructType stateType(Type weightsType) {
    return (StructType) Nest.typeOf(initialize(weightsType));
  }

  /**
   * {@link #next} as a local computation {@code (<state=S,weights=W,gradients=W> -> <state=S,weights=W>)} for weights
   * of type {@code weightsType}: a member of the family {@code learning.optimizers.next} whose parameters are this
   * optimizer as data and the weights type, so a JVM that defines the family ({@link #defineLocalFamilies}) rebuilds
   * it from a serialized computation.
   */
  default Computation nextComputation(Type weightsType) {
    return OptimizerFamilies.family(OptimizerFamilies.Role.NEXT).at(
        OptimizerFamilies.type(OptimizerFamilies.Role.NEXT, this, weightsType),
        OptimizerFamilies.parameters(this, weightsType));
  }

  /**
   * {@link #getHparams} as a local computation {@code (S -> H)} for weights of type {@code weightsType}, a member of
   * the family {@code learning.optimizers.get_hparams} (parameters as {@link #nextComputation}'s).
   */
  default Computation getHparamsComputation(Type weightsType) {
    return OptimizerFamilies.family(OptimizerFamilies.Role.GET_HPARAMS).at(
        OptimizerFamilies.type(OptimizerFamilies.Role.GET_HPARAMS, this, weightsType),
        OptimizerFamilies.parameters(this, weightsType));
  }

  /**
   * {@link #setHparams} as a local computation {@code (<state=S,hparams=H> -> S)} for weights of type
   * {@code weightsType}, a member of the family {@code learning.optimizers.set_hparams} (parameters as
   * {@link #nextComputation}'s).
   */
  default Computation setHparamsComputation(Type weightsType) {
    return OptimizerFamilies.family(OptimizerFamilies.Role.SET_HPARAMS).at(
        OptimizerFamilies.type(OptimizerFamilies.Role.SET_HPARAMS, this, weightsType),
        OptimizerFamilies.parameters(this, weightsType));
  }

  /**
   * This optimizer as data, the parameters of the local families built from it:
   * {@code <kind="Sgdm",learningRate=0.1,momentum=0.9,nesterov=false>} (the record's kind and components; numbers as
   * float32 scalars, flags as bools, a wrapped optimizer nested, a schedule by its name).
   */
  default Struct asParameters() {
    return OptimizerFamilies.encode(this);
  }

  /**
   * The optimizer {@link #asParameters} describes, validated as its constructor validates.
   *
   * @throws IllegalArgumentException naming the kind or component that does not fit (a schedule must be known here:
   *     see {@link #defineLocalFamilies}), or what the constructor rejects
   */
  static Optimizer fromParameters(Struct parameters) {
    return OptimizerFamilies.decode(parameters);
  }

  /**
   * Defines the optimizers' local families ({@code learning.optimizers.next}, {@code .get_hparams},
   * {@code .set_hparams}) in this JVM, and makes {@code schedules} findable by name, so that serialized computations
   * built from any optimizer load here. Building an optimizer's computations defines them too.
   *
   * @throws IllegalStateException if a schedule's name is defined by another function
   */
  static void defineLocalFamilies(LearningRateSchedule... schedules) {
    OptimizerFamilies.define();
    for (LearningRateSchedule s : schedules) {
      OptimizerFamilies.defineSchedule(s);
    }
  }
}
