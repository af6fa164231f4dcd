package dev.cohort.core.ast;

import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.PlacementType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.types.TypeMismatchException;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A node of a computation's abstract syntax tree: TFF's building blocks (lambda, call, reference, block, struct,
 * selection, intrinsic, literal, data, placement) plus {@link Local}, a named Java function (the counterpart of a
 * TensorFlow computation).
 *
 * <p>Every node is an immutable record that carries its type and checks it in its constructor against its
 * children's types, so an ill-typed tree cannot be built: a {@link Call} whose argument is not assignable to the
 * function's parameter, a {@link Selection} out of range, an {@link Intrinsic} whose type does not instantiate its
 * signature all throw {@link TypeMismatchException}. Whether references are bound is checked when a tree becomes a
 * {@link dev.cohort.core.Computation} (see {@link Exprs#checkClosed}).
 *
 * <p>{@code toString()} prints a compact form, e.g. {@code (x -> (let _v1=federated_mean(x) in _v1))}.
 */
public sealed interface Expr {
  /** The type of this node's value. */
  Type type();

  /** The direct children, in evaluation order. */
  List<Expr> children();

  // ------------------------------------------------------------------ nodes

  /**
   * A use of a name bound by an enclosing {@link Lambda} parameter or {@link Block} local.
   *
   * @param name the bound name
   * @param type the bound value's type
   */
  record Reference(String name, Type type) implements Expr {
    /** Validates the name. */
    public Reference {
      checkName(name);
      Objects.requireNonNull(type, "type");
    }

    @Override
    public List<Expr> children() {
      return List.of();
    }

    @Override
    public String toString() {
      return ExprPrinter.print(this);
    }
  }

  /**
   * A function {@code (parameterName -> result)}; both parameter fields are null for a no-argument function.
   *
   * @param parameterName the parameter's name, or null
   * @param parameterType the parameter's type, or null
   * @param result the body
   * @param type {@code (parameterType -> result.type())}
   */
  record Lambda(String parameterName, Type parameterType, Expr result, FunctionType type) implements Expr {
    /** Checks the parameter and the type. */
    public Lambda {
      if ((parameterName == null) != (parameterType == null)) {
        throw new IllegalArgumentException("lambda: parameter name and type must both be given or both be null");
      }
      if (parameterName != null) {
        checkName(parameterName);
      }
      Objects.requireNonNull(result, "result");
      checkType("lambda", new FunctionType(parameterType, result.type()), type);
    }

    @Override
    public List<Expr> children() {
      return List.of(result);
    }

    @Override
    public String toString() {
      return ExprPrinter.print(this);
    }
  }

  /**
   * Applies a function-typed node to an argument (null for a no-argument function).
   *
   * @param function the function
   * @param argument the argument, or null
   * @param type the function's result type
   */
  record Call(Expr function, Expr argument, Type type) implements Expr {
    /** Checks that the argument fits the function's parameter. */
    public Call {
      Objects.requireNonNull(function, "function");
      if (!(function.type() instanceof FunctionType ft)) {
        throw new TypeMismatchException("call: cannot call a value of type " + function.type() + " (" + function
            + ")", null, function.type());
      }
      if (ft.parameter() == null) {
        if (argument != null) {
          throw new TypeMismatchException("call: function of type " + ft + " takes no argument, found an argument of"
              + " type " + argument.type(), null, argument.type());
        }
      } else {
        if (argument == null) {
          throw new TypeMismatchException("call: function of type " + ft + " needs an argument of type "
              + ft.parameter() + ", found none", ft.parameter(), null);
        }
        if (!ft.parameter().isAssignableFrom(argument.type())) {
          throw new TypeMismatchException("call: " + describe(function) + " of type " + ft
              + " cannot take an argument of type " + argument.type() + " (expected " + ft.parameter() + ")",
              ft.parameter(), argument.type());
        }
      }
      checkType("call", ft.result(), type);
    }

    @Override
    public List<Expr> children() {
      return argument == null ? List.of(function) : List.of(function, argument);
    }

    @Override
    public String toString() {
      return ExprPrinter.print(this);
    }
  }

  /**
   * One local of a {@link Block}.
   *
   * @param name the local's name
   * @param value its value
   */
  record Binding(String name, Expr value) {
    /** Validates the name. */
    public Binding {
      checkName(name);
      Objects.requireNonNull(value, "value");
    }
  }

  /**
   * {@code let locals in result}: each local is evaluated in order and visible to the later ones and the result.
   *
   * @param locals the locals in order
   * @param result the result
   * @param type the result's type
   */
  record Block(List<Binding> locals, Expr result, Type type) implements Expr {
    /** Copies the locals and checks the type. */
    public Block {
      locals = List.copyOf(locals);
      Objects.requireNonNull(result, "result");
      checkType("block", result.type(), type);
    }

    @Override
    public List<Expr> children() {
      List<Expr> out = new ArrayList<>(locals.size() + 1);
      for (Binding b : locals) {
        out.add(b.value());
      }
      out.add(result);
      return out;
    }

    @Override
    public String toString() {
      return ExprPrinter.print(this);
    }
  }

  /**
   * One element of a {@link Struct}.
   *
   * @param name the element's name, or null
   * @param value its value
   */
  record Element(String name, Expr value) {
    /** Validates the name. */
    public Element {
      if (name != null) {
        checkName(name);
      }
      Objects.requireNonNull(value, "value");
    }
  }

  /**
   * A struct of values.
   *
   * @param elements the elements in order
   * @param type the struct type of the elements
   */
  record Struct(List<Element> elements, StructType type) implements Expr {
    /** Copies the elements and checks the type. */
    public Struct {
      elements = List.copyOf(elements);
      List<StructType.Field> fields = new ArrayList<>(elements.size());
      Set<String> names = new HashSet<>();
      for (Element e : elements) {
        if (e.name() != null && !names.add(e.name())) {
          throw new IllegalArgumentException("struct: element name '" + e.name() + "' appears twice");
        }
        fields.add(new StructType.Field(e.name(), e.value().type()));
      }
      checkType("struct", new StructType(fields), type);
    }

    @Override
    public List<Expr> children() {
      List<Expr> out = new ArrayList<>(elements.size());
      for (Element e : elements) {
        out.add(e.value());
      }
      return out;
    }

    @Override
    public String toString() {
      return ExprPrinter.print(this);
    }
  }

  /**
   * Element {@code index} of a struct-typed node.
   *
   * @param source the struct
   * @param index the element's position
   * @param type the element's type
   */
  record Selection(Expr source, int index, Type type) implements Expr {
    /** Checks the index and the type. */
    public Selection {
      Objects.requireNonNull(source, "source");
      if (!(source.type() instanceof StructType st)) {
        throw new TypeMismatchException("selection: cannot select element " + index + " from a value of type "
            + source.type() + ", which is not a struct", null, source.type());
      }
      if (index < 0 || index >= st.size()) {
        throw new TypeMismatchException("selection: index " + index + " is out of range for type " + st + " of "
            + st.size() + " elements", null, st);
      }
      checkType("selection", st.type(index), type);
    }

    @Override
    public List<Expr> children() {
      return List.of(source);
    }

    @Override
    public String toString() {
      return ExprPrinter.print(this);
    }
  }

  /**
   * An intrinsic at a concrete type (a function type, or for {@code generic_zero} the zero's type).
   *
   * @param def which intrinsic
   * @param type its concrete type, an instance of {@code def.signature()}
   */
  record Intrinsic(IntrinsicDef def, Type type) implements Expr {
    /** Checks the concrete type against the signature. */
    public Intrinsic {
      Objects.requireNonNull(def, "def");
      Objects.requireNonNull(type, "type");
      def.checkInstance(type);
    }

    @Override
    public List<Expr> children() {
      return List.of();
    }

    @Override
    public String toString() {
      return ExprPrinter.print(this);
    }
  }

  /**
   * A constant tensor.
   *
   * @param value the tensor (not copied; must not be modified)
   * @param type exactly its dtype and shape
   */
  record Literal(Tensor value, TensorType type) implements Expr {
    /** Checks the type. */
    public Literal {
      Objects.requireNonNull(value, "value");
      checkType("literal", TensorType.of(value.dtype(), value.shape()), type);
    }

    @Override
    public List<Expr> children() {
      return List.of();
    }

    @Override
    public String toString() {
      return ExprPrinter.print(this);
    }
  }

  /**
   * A value the runtime resolves by URI (e.g. a client data set); TFF's {@code Data} building block.
   *
   * @param uri what to resolve
   * @param type the value's type
   */
  record Data(String uri, Type type) implements Expr {
    /** Requires a URI. */
    public Data {
      if (uri == null || uri.isEmpty()) {
        throw new IllegalArgumentException("data: uri must not be empty");
      }
      Objects.requireNonNull(type, "type");
    }

    @Override
    public List<Expr> children() {
      return List.of();
    }

    @Override
    public String toString() {
      return ExprPrinter.print(this);
    }
  }

  /**
   * A placement literal.
   *
   * @param placement SERVER or CLIENTS
   */
  record PlacementLiteral(dev.cohort.core.types.Placement placement) implements Expr {
    /** Requires a placement. */
    public PlacementLiteral {
      Objects.requireNonNull(placement, "placement");
    }

    @Override
    public Type type() {
      return PlacementType.INSTANCE;
    }

    @Override
    public List<Expr> children() {
      return List.of();
    }

    @Override
    public String toString() {
      return ExprPrinter.print(this);
    }
  }

  /**
   * A local computation: a member of a local function family (see {@link LocalRegistry}), that is a family name, a
   * concrete type and parameters, with the Java function the family built for them. The node holds that function, so
   * a later redefinition of a replaceable family does not change what this node computes; the serialized form carries
   * the name, type and parameters, from which loading rebuilds the function ({@link Expr#local}).
   *
   * <p>Two nodes are equal when their names, types and parameters are: the function is what the family makes of
   * them, so it takes no part in equality. {@code toString()} prints {@code local:name} and the parameters, if any,
   * compactly (large tensors by dtype and shape).
   *
   * @param name the family's stable name, dotted identifiers such as {@code aggregators.clip}
   * @param type the concrete type (non-federated)
   * @param parameters the family's parameters: a struct of tensors and structs ({@code Struct.empty()} for none)
   * @param function the Java body
   */
  record Local(String name, FunctionType type, dev.cohort.core.values.Struct parameters, LocalFunction function) implements Expr {
    /** Checks that the parts are present and the parameters are a struct of tensors. */
    public Local {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
      LocalRegistry.checkParameters(name, parameters);
      Objects.requireNonNull(function, "function");
    }

    /** A node without parameters. */
    public Local(String name, FunctionType type, LocalFunction function) {
      this(name, type, dev.cohort.core.values.Struct.empty(), function);
    }

    @Override
    public List<Expr> children() {
      return List.of();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Local l && l.name.equals(name) && l.type.equals(type) && l.parameters.equals(parameters);
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, type, parameters);
    }

    @Override
    public String toString() {
      return ExprPrinter.print(this);
    }
  }

  // ------------------------------------------------------------------ factories (compute the type)

  /** A reference to {@code name} of {@code type}. */
  static Reference reference(String name, Type type) {
    return new Reference(name, type);
  }

  /** {@code (parameterName -> result)}; pass nulls for a no-argument function. */
  static Lambda lambda(String parameterName, Type parameterType, Expr result) {
    return new Lambda(parameterName, parameterType, result, new FunctionType(parameterType, result.type()));
  }

  /** {@code function(argument)}; {@code argument} null for a no-argument function. */
  static Call call(Expr function, Expr argument) {
    if (!(function.type() instanceof FunctionType ft)) {
      throw new TypeMismatchException("call: cannot call a value of type " + function.type() + " (" + function + ")",
          null, function.type());
    }
    return new Call(function, argument, ft.result());
  }

  /** {@code let locals in result}. */
  static Block block(List<Binding> locals, Expr result) {
    return new Block(locals, result, result.type());
  }

  /** A struct of the given elements. */
  static Struct struct(List<Element> elements) {
    List<StructType.Field> fields = new ArrayList<>(elements.size());
    for (Element e : elements) {
      fields.add(new StructType.Field(e.name(), e.value().type()));
    }
    return new Struct(elements, new StructType(fields));
  }

  /** An unnamed struct of the given values. */
  static Struct struct(Expr... values) {
    List<Element> elements = new ArrayList<>(values.length);
    for (Expr v : values) {
      elements.add(new Element(null, v));
    }
    return struct(elements);
  }

  /** Element {@code index} of {@code source}. */
  static Selection select(Expr source, int index) {
    if (!(source.type() instanceof StructType st) || index < 0 || index >= st.size()) {
      return new Selection(source, index, source.type()); // the constructor reports the precise error
    }
    return new Selection(source, index, st.type(index));
  }

  /**
   * The element named {@code name} of {@code source}.
   *
   * @throws TypeMismatchException listing the struct's names if there is no such element
   */
  static Selection select(Expr source, String name) {
    if (!(source.type() instanceof StructType st)) {
      throw new TypeMismatchException("selection: cannot select '" + name + "' from a value of type " + source.type()
          + ", which is not a struct", null, source.type());
    }
    int i = st.indexOf(name);
    if (i < 0) {
      throw new TypeMismatchException("selection: error selecting named field '" + name + "' from type " + st
          + ", whose only named fields are " + st.names().stream().filter(Objects::nonNull).toList(), null, st);
    }
    return new Selection(source, i, st.type(i));
  }

  /** {@code def} at the concrete {@code type}. */
  static Intrinsic intrinsic(IntrinsicDef def, Type type) {
    return new Intrinsic(def, type);
  }

  /** A constant tensor. */
  static Literal literal(Tensor value) {
    return new Literal(value, TensorType.of(value.dtype(), value.shape()));
  }

  /**
   * The member of family {@code name} at {@code type} with {@code parameters}, its function built by the family
   * defined in this JVM.
   *
   * @throws IllegalArgumentException as {@link LocalRegistry#resolve}
   */
  static Local local(String name, FunctionType type, dev.cohort.core.values.Struct parameters) {
    return new Local(name, type, parameters, LocalRegistry.resolve(name, type, parameters));
  }

  // ------------------------------------------------------------------ helpers

  private static void checkName(String name) {
    if (!StructType.isIdentifier(name)) {
      throw new IllegalArgumentException("name '" + name + "' must be an identifier ([A-Za-z_][A-Za-z0-9_]*)");
    }
  }

  private static void checkType(String node, Type expected, Type declared) {
    Objects.requireNonNull(declared, "type");
    if (!expected.equals(declared)) {
      throw new TypeMismatchException(node + ": declared type " + declared + " differs from the type " + expected
          + " of its parts", expected, declared);
    }
  }

  private static String describe(Expr function) {
    if (function instanceof Local l) {
      return "local computation '" + l.name() + "'";
    } else if (function instanceof Intrinsic i) {
      return "intrinsic " + i.def().uri();
    } else if (function instanceof Reference r) {
      return "'" + r.name() + "'";
    }
    return "function";
  }
}
