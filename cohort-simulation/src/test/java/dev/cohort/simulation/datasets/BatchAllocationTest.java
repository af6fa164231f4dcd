package dev.cohort.simulation.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.Dataset;
import dev.cohort.simulation.Partitioner;
import dev.cohort.tensor.Tensor;
import dev.cohort.testing.Prerequisites;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Iterating a client's batches allocates each batch's storage and a few objects per batch, and nothing per example,
 * also when the client's examples are shuffled first: measured with HotSpot's per-thread allocation counter over
 * passes of Fashion-MNIST's 10,000 test examples.
 */
class BatchAllocationTest {
  @TempDir
  Path dir;

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
    int passes = 5;
    for (int shuffled = 0; shuffled < 2; shuffled++) {
      for (int warm = 0; warm < 20; warm++) { // until the JIT has compiled the passes
        clientPasses(clients, shuffled == 1);
      }
      long before = threads.getThreadAllocatedBytes(thread);
      long checksum = 0;
      for (int p = 0; p < passes; p++) {
        checksum += clientPasses(clients, shuffled == 1);
      }
      allocated[shuffled] = threads.getThreadAllocatedBytes(thread) - before;
      assertThat(checksum).isPositive();
    }
    // A shuffle holds a buffer of 100 row addresses and its random stream: a few KiB per client and pass, where the
    // two measurements also differ by what the JIT happens to allocate (tens of KiB); one 16-byte object per
    // example would add 800 KB, and buffering built examples (as before) 200 MB.
    assertThat(Math.abs(allocated[1] - allocated[0])).as("bytes shuffling added to %d passes over the clients'"
        + " batches", passes).isLessThan(passes * 10_000L * 16);
  }

  /**
   * A LEAF client's examples are parsed into its tensors without an object per number: a pass over every client of
   * a FEMNIST file (uncompressed, so each client's read starts at its offset) allocates the examples' tensors, the
   * parser's buffers and what a few objects per client and batch take, less than one 16-byte object per number
   * would add (784 an example).
   */
  @Test
  void parsingLeafClientsAllocatesNoObjectPerNumber() throws IOException {
    com.sun.management.ThreadMXBean threads = allocationCounter();
    Path gz = LeafJson.filesIn(SharedData.require("femnist_leaf").resolve("train")).get(0);
    Path json = dir.resolve("train.json");
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
      Files.copy(in, json);
    }
    ClientData clients = LeafJson.load(LeafFeatures.FEMNIST, List.of(json));
    long thread = Thread.currentThread().getId();
    for (int warm = 0; warm < 3; warm++) {
      leafPass(clients);
    }
    long before = threads.getThreadAllocatedBytes(thread);
    long examples = leafPass(clients);
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    // Each example's pixels and label are held twice: the client's tensors, then its batch (3,140 bytes each).
    long tensors = examples * 2 * (784 * 4 + 4);
    long perNumberObjects = examples * 784 * 16;
    System.out.printf("LEAF: %d examples, %d bytes allocated, %.1f per example beyond the tensors%n", examples,
        allocated, (double) (allocated - tensors) / examples);
    assertThat(allocated - tensors).as("bytes allocated beyond the tensors").isLessThan(perNumberObjects);
  }

  private static long leafPass(ClientData clients) {
    long n = 0;
    for (String id : clients.clientIds()) {
      for (Object b : clients.dataset(id).batch(20)) {
        n += ((Tensor) ((Struct) b).get("label")).size();
      }
    }
    return n;
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
