package dev.cohort.examples;

/**
 * NumPy's {@code repr} of a rank-1 integer array, wrapped as NumPy 1.14+ wraps it: line width 75, less one for the
 * closing parenthesis and one for the separator, with a hanging indent under {@code array([}.
 */
final class NumpyFormat {
  private static final int LINE_WIDTH = 75;
  private static final String INDENT = " ".repeat("array([".length());

  private NumpyFormat() {}

  static String intArray(int[] values, String dtype) {
    int width = 1;
    for (int v : values) {
      width = Math.max(width, Integer.toString(v).length());
    }
    int elementWidth = LINE_WIDTH - 1 - 1;
    StringBuilder s = new StringBuilder();
    StringBuilder line = new StringBuilder(INDENT);
    for (int i = 0; i < values.length; i++) {
      String word = String.format("%" + width + "d", values[i]);
      if (line.length() + word.length() > elementWidth && line.length() > INDENT.length()) {
        s.append(line.toString().stripTrailing()).append('\n');
        line = new StringBuilder(INDENT);
      }
      line.append(word);
      if (i < values.length - 1) {
        line.append(", ");
      }
    }
    s.append(line);
    String body = "array([" + s.substring(INDENT.length()) + "]";
    String dtypeText = "dtype=" + dtype + ")";
    int lastLine = body.length() - (body.lastIndexOf('\n') + 1);
    String spacer = lastLine + 2 + dtypeText.length() > LINE_WIDTH ? "\n" + " ".repeat("array(".length()) : " ";
    return body + "," + spacer + dtypeText;
  }
}
