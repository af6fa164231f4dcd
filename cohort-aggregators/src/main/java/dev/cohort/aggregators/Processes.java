package dev.cohort.aggregators;

import dev.cohort.core.Computation;
import dev.cohort.core.LocalFamily;
import dev.cohort.core.Value;
import dev.cohort.core.ast.LocalFactory;
import dev.cohort.core.ast.LocalFunction;
import dev.cohort.core.compiler.Compiler;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeAnalysis;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/** What the factories share: creating and applying inner processes, streaming, type checks, local families. */
final class Processes {
  private Processes() {}

  /** The process of {@code factory} for the value type, and the weight type when the factory is weighted. */
  static AggregationProcess create(AggregationFactory factory, Type valueType, Type weightType) {
    if (factory instanceof WeightedAggregationFactory w) {
      return w.create(valueType, weightType);
    }
    return ((UnweightedAggregationFactory) factory).create(valueType);
  }

  /** {@code process.next} applied in the current trace; {@code weight} is null for an unweighted process. */
  static Value next(AggregationProcess process, Value state, Value value, Value weight) {
    return process.isWeighted() ? process.next().apply(state, value, weight) : process.next().apply(state, value);
  }

  /**
   * {@code traced} rewritten into MapReduceForm and wired back: one client computation and one
   * {@code federated_aggregate}, so that a client value several aggregations read is computed once per client and
   * streamed, not held for all clients. The type signature is unchanged.
   */
  static Computation streaming(Computation traced) {
    return Compiler.toMapReduceForm(traced).toComputation();
  }

  /** {@code <state=...,result=...,measurements=...>}, what {@code next} returns. */
  static Map<String, Object> output(Object state, Object result, Object measurements) {
    return named("state", state, "result", result, "measurements", measurements);
  }

  /** An ordered map from alternating names and values, for named structs (zipped with {@code federatedZip}). */
  static Map<String, Object> named(Object... namesAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      m.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return m;
  }

  /**
   * Checks that {@code type} is a tensor type or a (nested) struct of them whose leaves satisfy {@code leaf} and have
   * fully known shapes (the zero of an aggregation needs them).
   *
   * @throws IllegalArgumentException "{@code <who>: the <role> type must be <expected>, found <type>}"
   */
  static void requireStructure(String who, String role, Type type, Predicate<TensorType> leaf, String expected) {
    if (type == null) {
      throw new IllegalArgumentException(who + ": the " + role + " type must not be null");
    }
    if (!TypeAnalysis.isStructureOf(type, t -> leaf.test(t) && t.isFullyDefined())) {
      throw new IllegalArgumentException(who + ": the " + role + " type must be " + expected
          + " with fully known shapes, found " + type);
    }
  }

  /** {@link #requireStructure} for float32 tensors, the values TFF's float-only factories accept. */
  static void requireFloats(String who, Type valueType) {
    requireStructure(who, "value", valueType, TypeAnalysis::isFloat,
        "a float32 tensor type or a struct of float32 tensor types");
  }

  /** {@link #requireStructure} for numeric tensors. */
  static void requireNumeric(String who, Type valueType) {
    requireStructure(who, "value", valueType, TypeAnalysis::isNumeric,
        "a numeric tensor type or a struct of numeric tensor types");
  }

  /**
   * Checks that a weight type is a numeric scalar.
   *
   * @throws IllegalArgumentException "{@code <who>: the weight type must be a numeric scalar ..., found <type>}"
   */
  static void requireScalarWeight(String who, Type weightType) {
    if (!TypeAnalysis.isNumericScalar(weightType)) {
      throw new IllegalArgumentException(who + ": the weight type must be a numeric scalar (float32, int32 or int64),"
          + " found " + weightType);
    }
  }

  /**
   * A local family given by two functions of the requested type and the parameters: the canonical member type (the
   * family's type check: the requested type must be exactly it) and the function. Both read the value types they need
   * from the requested type; one of another shape fails as a type mismatch. Keep one instance per family in a
   * constant: two are equal when their components are (the functions by identity).
   */
  record Family(String name, BiFunction<FunctionType, Struct, FunctionType> canonical,
      BiFunction<FunctionType, Struct, LocalFunction> function) implements LocalFactory {
    @Override
    public LocalFunction create(FunctionType requested, Struct parameters) {
      FunctionType want;
      try {
        want = canonical.apply(requested, parameters);
      } catch (ClassCastException | IndexOutOfBoundsException e) {
        throw new TypeMismatchException("not a member type of the family " + name, null, requested);
      }
      if (!want.equals(requested)) {
        throw new TypeMismatchException("expected " + want, want, requested);
      }
      return function.apply(requested, parameters);
    }

    /**
     * A family with one member: one function at one type, without parameters (a local function that is not generic).
     * Unlike {@link Computation#local}, its name is defined without building the computation, so a JVM that loads a
     * serialized process defines it with {@link AggregationProcess#defineLocalFamilies}.
     */
    static Family single(String name, FunctionType type, LocalFunction function) {
      return new Family(name, (requested, parameters) -> {
        noParameters(parameters);
        return type;
      }, (requested, parameters) -> function);
    }

    /** The one member of a {@link #single} family. */
    Computation at(FunctionType type) {
      return at(type, Struct.empty());
    }

    /** Defines the family under its name ({@link AggregationProcess#defineLocalFamilies}). */
    LocalFamily define() {
      return LocalFamily.define(name, this);
    }

    /** The member at {@code type} with {@code parameters}. */
    Computation at(FunctionType type, Struct parameters) {
      return define().at(type, parameters);
    }
  }

  /** The element {@code i} of a struct type (a requested type's part). */
  static Type part(Type type, int i) {
    return ((StructType) type).type(i);
  }

  /**
   * Checks that a family's parameters are scalars with exactly the given names and dtypes, alternating.
   *
   * @throws IllegalArgumentException "{@code expected the parameters <name=dtype,...>, found ...}"
   */
  static Struct checkParameters(Struct parameters, Object... namesAndDtypes) {
    boolean ok = parameters.size() * 2 == namesAndDtypes.length;
    StringBuilder expected = new StringBuilder("<");
    for (int i = 0; i < namesAndDtypes.length; i += 2) {
      DType dtype = (DType) namesAndDtypes[i + 1];
      expected.append(i > 0 ? "," : "").append(namesAndDtypes[i]).append('=')
          .append(dtype.name().toLowerCase(java.util.Locale.ROOT));
      ok = ok && namesAndDtypes[i].equals(parameters.name(i / 2)) && parameters.get(i / 2) instanceof Tensor t
          && t.dtype() == dtype && t.rank() == 0;
    }
    if (!ok) {
      throw new IllegalArgumentException("expected the parameters " + expected + ">, found " + parameters);
    }
    return parameters;
  }

  /** A scalar parameter, checked by {@link #checkParameters}. */
  static Tensor parameter(Struct parameters, String name) {
    return (Tensor) parameters.get(name);
  }

  /**
   * The one string parameter {@code name} of a family member, checked to be one of {@code allowed}.
   *
   * @throws IllegalArgumentException "{@code expected the parameters <name=one of ...>, found ...}"
   */
  static String stringParameter(Struct parameters, String name, List<String> allowed) {
    if (parameters.size() != 1 || !name.equals(parameters.name(0)) || !(parameters.get(0) instanceof Tensor t)
        || t.dtype() != DType.STRING || t.rank() != 0 || !allowed.contains(t.stringValue())) {
      throw new IllegalArgumentException("expected the parameters <" + name + "=one of " + allowed + ">, found "
          + parameters);
    }
    return ((Tensor) parameters.get(0)).stringValue();
  }

  /**
   * Checks that a family member takes no parameters.
   *
   * @throws IllegalArgumentException "{@code takes no parameters, found ...}"
   */
  static void noParameters(Struct parameters) {
    if (parameters.size() != 0) {
      throw new IllegalArgumentException("takes no parameters, found " + parameters);
    }
  }

  /** Applies {@code f} to every tensor of a runtime value (a tensor or a struct of them), keeping the names. */
  static Object mapTensors(Object value, UnaryOperator<Tensor> f) {
    if (value instanceof Tensor t) {
      return f.apply(t);
    }
    Struct s = (Struct) value;
    List<Object> out = new ArrayList<>(s.size());
    for (Object v : s.values()) {
      out.add(mapTensors(v, f));
    }
    return Struct.of(s.names(), out);
  }

  /** The tensors of a runtime value, depth first. */
  static List<Tensor> tensors(Object value) {
    List<Tensor> out = new ArrayList<>();
    collect(value, out);
    return out;
  }

  private static void collect(Object value, List<Tensor> out) {
    if (value instanceof Tensor t) {
      out.add(t);
    } else {
      for (Object v : ((Struct) value).values()) {
        collect(v, out);
      }
    }
  }
}
