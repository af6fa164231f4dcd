package dev.cohort.learning;

import dev.cohort.core.types.FunctionType;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * The stable names under which cohort-learning registers its local computations, so that a serialized learning
 * process loads in another JVM that has built the same process (see {@link dev.cohort.core.ast.LocalRegistry}).
 *
 * <p>A name is {@code prefix + "_" + digest}, where the digest is the CRC-32 of the computation's type signature in
 * TFF notation: the registry keeps one type per name, and one optimizer or model serves many weight types in one JVM.
 * Everything else a computation depends on (hyper-parameters) travels in its arguments, so the name identifies it.
 */
public final class StableName {
  private StableName() {}

  /**
   * {@code prefix} qualified by the digest of {@code type}, e.g. {@code learning.optimizers.sgdm.next_3f1c09a2}.
   *
   * @throws IllegalArgumentException if {@code prefix} is not dotted identifiers
   */
  public static String of(String prefix, FunctionType type) {
    for (String part : prefix.split("\\.", -1)) {
      if (!dev.cohort.core.types.StructType.isIdentifier(part)) {
        throw new IllegalArgumentException("stable name prefix '" + prefix + "' must be dotted identifiers");
      }
    }
    CRC32 crc = new CRC32();
    crc.update(type.toString().getBytes(StandardCharsets.UTF_8));
    return prefix + "_" + String.format("%08x", crc.getValue());
  }
}
