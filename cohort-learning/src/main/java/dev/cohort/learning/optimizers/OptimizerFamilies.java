package dev.cohort.learning.optimizers;

import dev.cohort.core.LocalFamily;
import dev.cohort.core.ast.LocalFactory;
import dev.cohort.core.ast.LocalFunction;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.Nest;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local families of the optimizers: {@code learning.optimizers.next}, {@code .get_hparams} and
 * {@code .set_hparams}, whose parameters are {@code <optimizer=O,weights="W">}: the optimizer as data (its kind and
 * its record components: numbers as float32 scalars, flags as bools, a wrapped optimizer nested, a schedule by name)
 * and the weights type in TFF notation. The factory rebuilds the optimizer from them, so a JVM that has not built the
 * process rebuilds the same step; the type is checked against the one the optimizer gives for those weights.
 *
 * <p>A {@link LearningRateSchedule} is Java code: it is found by name among the schedules this JVM has used in a
 * scheduled optimizer's computations or defined with {@link #defineSchedule}; a name names one schedule.
 */
final class OptimizerFamilies {
  private OptimizerFamilies() {}

  private static final Map<String, LearningRateSchedule> SCHEDULES = new ConcurrentHashMap<>();

  private static final LocalFactory NEXT = (type, p) -> create(Role.NEXT, type, p);
  private static final LocalFactory GET_HPARAMS = (type, p) -> create(Role.GET_HPARAMS, type, p);
  private static final LocalFactory SET_HPARAMS = (type, p) -> create(Role.SET_HPARAMS, type, p);

  enum Role { NEXT, GET_HPARAMS, SET_HPARAMS }

  /** Defines the three families (a no-op when defined). */
  static void define() {
    family(Role.NEXT);
    family(Role.GET_HPARAMS);
    family(Role.SET_HPARAMS);
  }

  static LocalFamily family(Role role) {
    return switch (role) {
      case NEXT -> LocalFamily.define("learning.optimizers.next", NEXT);
      case GET_HPARAMS -> LocalFamily.define("learning.optimizers.get_hparams", GET_HPARAMS);
      case SET_HPARAMS -> LocalFamily.define("learning.optimizers.set_hparams", SET_HPARAMS);
    };
  }

  /**
   * Makes {@code schedule} findable by name here.
   *
   * @throws IllegalStateException if another schedule (not equal to it) has that name
   */
  static void defineSchedule(LearningRateSchedule schedule) {
    LearningRateSchedule old = SCHEDULES.putIfAbsent(schedule.name(), schedule);
    if (old != null && !old.equals(schedule)) {
      throw new IllegalStateException("learning rate schedule '" + schedule.name() + "' is already defined in this JVM"
          + " by another function; a name names one schedule, so that a serialized computation means one thing");
    }
  }

  /** {@code <optimizer=O,weights="W">}. */
  static Struct parameters(Optimizer optimizer, Type weightsType) {
    return Struct.named("optimizer", encode(optimizer), "weights", Tensor.scalar(weightsType.toString()));
  }

  /** The type of {@code role}'s computation for {@code optimizer} and {@code weightsType}. */
  static FunctionType type(Role role, Optimizer optimizer, Type weightsType) {
    StructType s = optimizer.stateType(weightsType);
    Type h = Nest.typeOf(optimizer.getHparams(optimizer.initialize(weightsType)));
    return switch (role) {
      case NEXT -> new FunctionType(StructType.named("state", s, "weights", weightsType, "gradients", weightsType),
          StructType.named("state", s, "weights", weightsType));
      case GET_HPARAMS -> new FunctionType(s, h);
      case SET_HPARAMS -> new FunctionType(StructType.named("state", s, "hparams", h), s);
    };
  }

  private static LocalFunction create(Role role, FunctionType type, Struct p) {
    if (p.size() != 2 || !"optimizer".equals(p.name(0)) || !"weights".equals(p.name(1))
        || !(p.get(0) instanceof Struct encoded) || !(p.get(1) instanceof Tensor w) || w.dtype() != DType.STRING
        || w.rank() != 0) {
      throw new IllegalArgumentException("expected the parameters <optimizer=<kind=...,...>,weights=\"<type>\">");
    }
    Optimizer optimizer = decode(encoded);
    Type weightsType = Type.parse(w.stringValue());
    FunctionType expected = type(role, optimizer, weightsType);
    if (!expected.equals(type)) {
      throw new TypeMismatchException("expected " + expected + " for this optimizer and weights " + weightsType,
          expected, type);
    }
    return switch (role) {
      case NEXT -> arg -> {
        Struct a = (Struct) arg;
        Optimizer.Step step = optimizer.next((Struct) a.get(0), a.get(1), a.get(2));
        return Struct.named("state", step.state(), "weights", step.weights());
      };
      case GET_HPARAMS -> arg -> optimizer.getHparams((Struct) arg);
      case SET_HPARAMS -> arg -> optimizer.setHparams((Struct) ((Struct) arg).get(0), (Struct) ((Struct) arg).get(1));
    };
  }

  /** The optimizer as data: {@code <kind="Sgdm",learningRate=0.1,momentum=0.0,nesterov=false>}. */
  static Struct encode(Optimizer optimizer) {
    List<String> names = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    names.add("kind");
    values.add(Tensor.scalar(optimizer.getClass().getSimpleName()));
    for (RecordComponent c : optimizer.getClass().getRecordComponents()) {
      Object v;
      try {
        v = c.getAccessor().invoke(optimizer);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("internal: cannot read " + c.getName() + " of " + optimizer, e);
      }
      names.add(c.getName());
      if (v instanceof Double d) {
        values.add(Tensor.scalar(d.floatValue()));
      } else if (v instanceof Boolean b) {
        values.add(Tensor.scalar(b));
      } else if (v instanceof Optimizer o) {
        values.add(encode(o));
      } else if (v instanceof LearningRateSchedule s) {
        defineSchedule(s);
        values.add(Tensor.scalar(s.name()));
      } else {
        throw new IllegalStateException("internal: optimizer component " + c.getName() + " of type " + c.getType());
      }
    }
    return Struct.of(names, values);
  }

  /**
   * The optimizer {@link #encode} describes, built (and so validated) by its constructor.
   *
   * @throws IllegalArgumentException naming the kind or component that does not fit, or the constructor's own message
   */
  static Optimizer decode(Struct p) {
    if (p.size() == 0 || !"kind".equals(p.name(0)) || !(p.get(0) instanceof Tensor k) || k.dtype() != DType.STRING) {
      throw new IllegalArgumentException("an optimizer must start with its kind, found " + p);
    }
    Class<?> kind = null;
    for (Class<?> c : Optimizer.class.getPermittedSubclasses()) {
      if (c.getSimpleName().equals(k.stringValue())) {
        kind = c;
      }
    }
    if (kind == null) {
      throw new IllegalArgumentException("unknown optimizer kind '" + k.stringValue() + "'");
    }
    RecordComponent[] components = kind.getRecordComponents();
    if (p.size() != components.length + 1) {
      throw new IllegalArgumentException("optimizer " + kind.getSimpleName() + " has " + components.length
          + " components, found " + (p.size() - 1));
    }
    Class<?>[] types = new Class<?>[components.length];
    Object[] args = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      types[i] = c.getType();
      Object v = p.get(i + 1);
      if (!c.getName().equals(p.name(i + 1))) {
        throw new IllegalArgumentException("optimizer " + kind.getSimpleName() + ": expected component "
            + c.getName() + ", found " + p.name(i + 1));
      }
      args[i] = component(kind, c, v);
    }
    try {
      Constructor<?> constructor = kind.getDeclaredConstructor(types);
      return (Optimizer) constructor.newInstance(args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IllegalArgumentException iae) {
        throw iae;
      }
      throw new IllegalStateException("internal: building " + kind.getSimpleName(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("internal: building " + kind.getSimpleName(), e);
    }
  }

  private static Object component(Class<?> kind, RecordComponent c, Object v) {
    String where = "optimizer " + kind.getSimpleName() + ": " + c.getName();
    if (c.getType() == double.class || c.getType() == boolean.class) {
      DType want = c.getType() == double.class ? DType.FLOAT32 : DType.BOOL;
      if (!(v instanceof Tensor t) || t.dtype() != want || t.rank() != 0) {
        throw new IllegalArgumentException(where + " must be a " + want + " scalar, found " + v);
      }
      return want == DType.FLOAT32 ? (Object) (double) t.floatValue() : (Object) t.boolValue();
    } else if (c.getType() == Optimizer.class) {
      if (!(v instanceof Struct s)) {
        throw new IllegalArgumentException(where + " must be an optimizer, found " + v);
      }
      return decode(s);
    } else if (c.getType() == LearningRateSchedule.class) {
      if (!(v instanceof Tensor t) || t.dtype() != DType.STRING || t.rank() != 0) {
        throw new IllegalArgumentException(where + " must be a schedule's name, found " + v);
      }
      LearningRateSchedule s = SCHEDULES.get(t.stringValue());
      if (s == null) {
        throw new IllegalArgumentException(where + ": learning rate schedule '" + t.stringValue() + "' is not"
            + " defined in this JVM; build a scheduled optimizer's computations with it (or call"
            + " Optimizer.defineSchedule) before loading");
      }
      return s;
    }
    throw new IllegalStateException("internal: optimizer component " + c.getName() + " of type " + c.getType());
  }
}
