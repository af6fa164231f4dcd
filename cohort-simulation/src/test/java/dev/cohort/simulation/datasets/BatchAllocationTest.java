package dev.cohort.simulation.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.values.Struct;
import dev.cohort.simulation.Dataset;
import dev.cohort.tensor.Tensor;
import dev.cohort.testing.Prerequisites;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Iterating a client's batches allocates each batch's storage and a few objects per batch, and nothing per example:
 * measured with HotSpot's per-thread allocation counter over a pass of Fashion-MNIST's 10,000 test examples.
 */
class BatchAllocationTest {
  @Test
  void batchingInMemoryExamplesAllocatesNoPerExampleObjects() {
    Object bean = ManagementFactory.getThreadMXBean();
    Prerequisites.require(bean instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported(),
        "a JVM that counts allocated bytes per thread (HotSpot's com.sun.management.ThreadMXBean)", "OpenJDK");
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
    Path data = SharedData.require("fashion_mnist");
    Idx.Examples test = Idx.read(data.resolve("t10k-images-idx3-ubyte.gz"), data.resolve("t10k-labels-idx1-ubyte.gz"));
    Dataset batches = test.dataset().batch(100);
    long thread = Thread.currentThread().getId();
    for (int warm = 0; warm < 3; warm++) {
      pass(batches);
    }
    long before = threads.getThreadAllocatedBytes(thread);
    long checksum = pass(batches);
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    int batchCount = 100;
    // Each batch's storage: 100 x 784 float32 pixels and 100 int32 labels, with 16-byte array headers.
    long storage = batchCount * ((16 + 100L * 784 * 4) + (16 + 100L * 4));
    long perBatchObjects = 1024; // the batch's tensors, shapes and struct
    long perExample = 10_000L * 16; // what even one 16-byte object per example would add
    assertThat(checksum).isPositive();
    assertThat(allocated).as("bytes allocated by one pass").isGreaterThanOrEqualTo(storage)
        .isLessThan(storage + batchCount * perBatchObjects + 64 * 1024)
        .isLessThan(storage + perExample);
  }

  private static long pass(Dataset batches) {
    long sum = 0;
    for (Object b : batches) {
      Tensor label = (Tensor) ((Struct) b).get("label");
      sum += label.intData()[label.intData().length - 1] + 1;
    }
    return sum;
  }
}
