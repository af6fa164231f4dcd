package dev.cohort.simulation.datasets;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.NumberInput;
import dev.cohort.core.types.TensorType;
import dev.cohort.tensor.Tensor;
import java.io.IOException;

/**
 * Reads one example of a tensor type from JSON into a tensor's storage: a scalar from a JSON scalar, a tensor of
 * rank {@code r} from arrays nested at most {@code r} deep holding exactly its number of elements.
 */
final class TensorReader {
  /** A value that does not fit the type; the caller adds the file and the client. */
  static final class Mismatch extends Exception {
    final transient JsonLocation location;

    Mismatch(String message, JsonLocation location) {
      super(message, null, false, false);
      this.location = location;
    }
  }

  private final TensorType type;
  private final int size;
  private float[] floats;
  private int[] ints;
  private long[] longs;
  private boolean[] bools;
  private String[] strings;
  private int written;
  private int offset;

  TensorReader(TensorType type) {
    this.type = type;
    this.size = type.toShape().size();
  }

  /** The number of scalars in one example. */
  int size() {
    return size;
  }

  /**
   * Reads the value whose first token is the parser's current token into {@code dest} at example {@code index}.
   *
   * @throws Mismatch if the value is not one of this type
   */
  void read(JsonParser p, Tensor dest, int index) throws IOException, Mismatch {
    switch (dest.dtype()) {
      case FLOAT32 -> floats = dest.floatData();
      case INT32 -> ints = dest.intData();
      case INT64 -> longs = dest.longData();
      case BOOL -> bools = dest.boolData();
      case STRING -> strings = dest.stringData();
    }
    offset = index * size;
    written = 0;
    if (type.rank() == 0) {
      scalar(p);
      return;
    }
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new Mismatch("expected an array of " + size + " values for " + type + ", found " + describe(p),
          p.currentTokenLocation());
    }
    array(p, 1);
    if (written != size) {
      throw new Mismatch("expected " + size + " values for " + type + ", found " + written,
          p.currentTokenLocation());
    }
  }

  private void array(JsonParser p, int depth) throws IOException, Mismatch {
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t == JsonToken.START_ARRAY) {
        if (depth >= type.rank()) {
          throw new Mismatch("arrays nested deeper than the rank of " + type + " (" + type.rank() + ")",
              p.currentTokenLocation());
        }
        array(p, depth + 1);
      } else {
        if (written == size) {
          throw new Mismatch("more than the " + size + " values of " + type, p.currentTokenLocation());
        }
        scalar(p);
      }
    }
  }

  private void scalar(JsonParser p) throws IOException, Mismatch {
    JsonToken t = p.currentToken();
    int at = offset + written;
    switch (type.dtype()) {
      case FLOAT32 -> {
        if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
          throw expected("a number", p);
        }
        // A float's text parsed where the parser holds it (FastDoubleParser: the correctly rounded double, as
        // Double.parseDouble gives), not through a String per number.
        double v = t == JsonToken.VALUE_NUMBER_FLOAT
            ? NumberInput.parseDouble(p.getTextCharacters(), p.getTextOffset(), p.getTextLength(), true)
            : p.getDoubleValue();
        if (!Double.isFinite(v)) {
          throw new Mismatch("expected a finite number, found " + p.getText(), p.currentTokenLocation());
        }
        floats[at] = (float) v;
      }
      case INT32 -> {
        if (t != JsonToken.VALUE_NUMBER_INT) {
          throw expected("an integer", p);
        }
        ints[at] = p.getIntValue();
      }
      case INT64 -> {
        if (t != JsonToken.VALUE_NUMBER_INT) {
          throw expected("an integer", p);
        }
        longs[at] = p.getLongValue();
      }
      case BOOL -> {
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
          throw expected("true or false", p);
        }
        bools[at] = t == JsonToken.VALUE_TRUE;
      }
      case STRING -> {
        if (t != JsonToken.VALUE_STRING) {
          throw expected("a string", p);
        }
        strings[at] = p.getText();
      }
    }
    written++;
  }

  private Mismatch expected(String what, JsonParser p) {
    return new Mismatch("expected " + what + " for " + type + ", found " + describe(p), p.currentTokenLocation());
  }

  /** The current token in words, e.g. {@code a string "abc"}. */
  static String describe(JsonParser p) {
    JsonToken t = p.currentToken();
    if (t == null) {
      return "the end of the input";
    }
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case END_OBJECT, END_ARRAY -> "the end of " + (t == JsonToken.END_OBJECT ? "an object" : "an array");
      case FIELD_NAME -> "a field name";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "an integer";
      case VALUE_NUMBER_FLOAT -> "a number with a fraction or exponent";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.toString();
    };
  }
}
