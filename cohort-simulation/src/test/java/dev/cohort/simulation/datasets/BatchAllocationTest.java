package dev.cohort.simulation.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.Dataset;
import dev.cohort.simulation.Partitioner;
import dev.cohort.tensor.Tensor;
import dev.cohort.testing.Prerequisites;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Iterating a client's batches allocates each batch's storage and a few objects per batch, and nothing per example,
 * also when the client's examples are shuffled first: measured with HotSpot's per-thread allocation counter over
 * passes of Fashion-MNIST's 10,000 test examples.
 */
class BatchAllocationTest {
  @Test
  void batchingInMemoryExamplesAllocatesNoPerExampleObjects() {
    com.sun.management.ThreadMXBean threads = allocationCounter();
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

  @Test
  void shufflingInMemoryClientsBeforeBatchingAllocatesNoPerExampleObjects() {
    com.sun.management.ThreadMXBean threads = allocationCounter();
    Path data = SharedData.require("fashion_mnist");
    Idx.Examples test = Idx.read(data.resolve("t10k-images-idx3-ubyte.gz"), data.resolve("t10k-labels-idx1-ubyte.gz"));
    ClientData clients = Partitioner.iid(10, 2026).partition(test.labelArray()).toClientData(test.struct());
    long thread = Thread.currentThread().getId();
    long[] allocated = new long[2];
    for (int shuffled = 0; shuffled < 2; shuffled++) {
      for (int warm = 0; warm < 3; warm++) {
        clientPasses(clients, shuffled == 1);
      }
      long before = threads.getThreadAllocatedBytes(thread);
      long checksum = clientPasses(clients, shuffled == 1);
      allocated[shuffled] = threads.getThreadAllocatedBytes(thread) - before;
      assertThat(checksum).isPositive();
    }
    // A shuffle holds a buffer of 100 row addresses and its random stream: a few KiB per client, not per example.
    long perClient = 4096;
    assertThat(allocated[1] - allocated[0]).as("bytes shuffling added to one pass over the clients' batches")
        .isLessThan(clients.size() * perClient)
        .isLessThan(10_000L * 16);
  }

  private static long clientPasses(ClientData clients, boolean shuffled) {
    long sum = 0;
    for (int k = 0; k < clients.size(); k++) {
      Dataset d = clients.dataset(clients.clientIds().get(k));
      sum += pass((shuffled ? d.shuffle(100, 2026, 1, k) : d).batch(20));
    }
    return sum;
  }

  private static com.sun.management.ThreadMXBean allocationCounter() {
    Object bean = ManagementFactory.getThreadMXBean();
    Prerequisites.require(bean instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported(),
        "a JVM that counts allocated bytes per thread (HotSpot's com.sun.management.ThreadMXBean)", "OpenJDK");
    return (com.sun.management.ThreadMXBean) bean;
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
