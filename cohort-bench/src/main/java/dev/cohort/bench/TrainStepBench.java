package dev.cohort.bench;

import dev.cohort.nn.Activation;
import dev.cohort.nn.ForwardPass;
import dev.cohort.nn.Layers;
import dev.cohort.nn.Losses;
import dev.cohort.nn.Models;
import dev.cohort.nn.Npz;
import dev.cohort.nn.Parameter;
import dev.cohort.nn.Sequential;
import dev.cohort.nn.Tape;
import dev.cohort.nn.Variable;
import dev.cohort.nn.Workspace;
import dev.cohort.tensor.Blas;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Training-step and GEMM benchmark against PyTorch on identical shapes, in one run, one thread each.
 *
 * <p>{@code bench/run TrainStepBench [--seconds S] [--rounds R] [--no-torch]}: times a forward + backward + SGD
 * step at batch 20 for the MLP 784-200-200-10 and TFF's FedAvg CNN, runs {@code bench/torch_train_step.py}
 * (Debian's python3-torch via /usr/bin/python3) for the same steps, checks that both frameworks compute the same
 * loss and gradients from the same weights, and measures the GEMM rate of the CNN's largest products against
 * the 1024^3 sgemm rate. Cohort and PyTorch alternate for {@code R} rounds (default 3) and each reports its best
 * round, so that load from other processes affects both alike.
 */
public final class TrainStepBench {
  private static final int BATCH = 20;

  private TrainStepBench() {}

  static Sequential mlp(long seed) {
    return Sequential.builder(Shape.of(784)).seed(seed)
        .add(Layers.dense(200, Activation.RELU))
        .add(Layers.dense(200, Activation.RELU))
        .add(Layers.dense(10))
        .build();
  }

  /**
   * One SGD step (the update fused into the dense layers' weight-gradient GEMMs) on a tape that reuses the previous
   * step's buffers, as the workers of cohort-learning do; returns the loss.
   */
  static float step(Sequential model, Workspace workspace, Tensor x, Tensor y, float lr) {
    Tape tape = new Tape(workspace);
    Variable loss = Losses.sparseSoftmaxCrossEntropy(model.call(tape.constant(x), new ForwardPass(tape, true, null)), y);
    tape.backward(loss, lr);
    return loss.value().floatValue();
  }

  /** Wall-clock and CPU milliseconds per call, each the best of 5 slices. */
  record Timing(double wallMs, double cpuMs) {
    Timing min(Timing o) {
      return new Timing(Math.min(wallMs, o.wallMs), Math.min(cpuMs, o.cpuMs));
    }
  }

  private static final Timing NONE = new Timing(Double.MAX_VALUE, Double.MAX_VALUE);

  /**
   * Best-of-5 ms per call after a warm-up of a third of {@code seconds}, wall-clock and this thread's CPU time
   * (which load from other processes inflates much less: the PyTorch peer reports its process's CPU time too).
   */
  static Timing timing(Runnable r, double seconds) {
    java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
    long warmEnd = System.nanoTime() + (long) (seconds / 3 * 1e9);
    while (System.nanoTime() < warmEnd) {
      r.run();
    }
    Timing best = NONE;
    long slice = (long) (seconds / 7.5 * 1e9);
    for (int rep = 0; rep < 5; rep++) {
      int n = 0;
      long start = System.nanoTime();
      long cpuStart = cpu.getCurrentThreadCpuTime();
      long elapsed;
      do {
        r.run();
        n++;
        elapsed = System.nanoTime() - start;
      } while (elapsed < slice);
      best = best.min(new Timing(elapsed / 1e6 / n, (cpu.getCurrentThreadCpuTime() - cpuStart) / 1e6 / n));
    }
    return best;
  }


  static double gemmGflops(int m, int k, int n, double seconds) {
    return 2.0 * m * k * n / (gemmTiming(m, k, n, seconds).wallMs() * 1e6);
  }

  static Timing gemmTiming(int m, int k, int n, double seconds) {
    RandomStream rng = RandomStream.of(5);
    float[] a = rng.uniform(Shape.of(m * k), -1, 1).floatData();
    float[] b = rng.uniform(Shape.of(k * n), -1, 1).floatData();
    float[] c = new float[m * n];
    return timing(() -> Blas.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n), seconds);
  }

  public static void main(String[] args) throws Exception {
    double seconds = 6;
    int rounds = 3;
    boolean torch = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--no-torch" -> torch = false;
        default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; expected --seconds S, --rounds R or --no-torch");
      }
    }
    System.out.println("BLAS: " + Blas.describe());
    System.out.println("Java: " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " processors");
    RandomStream data = RandomStream.of(1);
    Tensor xm = data.uniform(Shape.of(BATCH, 784), 0, 1);
    Tensor ym = labels(data, 10);
    Tensor xc = data.uniform(Shape.of(BATCH, 28, 28, 1), 0, 1);
    Tensor yc = labels(data, 62);

    String check = torch ? torchCheck(xm, ym, xc, yc) : null;
    Map<String, Double> torchMs = new LinkedHashMap<>();
    Sequential m = mlp(1);
    Sequential c = Models.emnistCnn(false, 1);
    Workspace mlpWorkspace = new Workspace();
    Workspace cnnWorkspace = new Workspace();
    Timing mlp = NONE;
    Timing cnn = NONE;
    for (int r = 0; r < rounds; r++) {
      if (torch) {
        torchTiming(seconds).forEach((k, v) -> torchMs.merge(k, v, Math::min));
      }
      mlp = mlp.min(timing(() -> step(m, mlpWorkspace, xm, ym, 0.01f), seconds));
      cnn = cnn.min(timing(() -> step(c, cnnWorkspace, xc, yc, 0.01f), seconds));
      System.out.printf(Locale.ROOT, "round %d: Cohort MLP %.3f ms (CPU %.3f), CNN %.3f ms (CPU %.3f)%n",
          r + 1, mlp.wallMs(), mlp.cpuMs(), cnn.wallMs(), cnn.cpuMs());
    }
    double cnnMs = cnn.wallMs();

    double oneThread = clientStepsPerSecond(1, seconds, xc, yc);
    double twoThreads = clientStepsPerSecond(2, seconds, xc, yc);

    Timing peakTiming = gemmTiming(1024, 1024, 1024, seconds / 2);
    double peak = 2.0 * 1024 * 1024 * 1024 / (peakTiming.wallMs() * 1e6);
    double peakCpu = 2.0 * 1024 * 1024 * 1024 / (peakTiming.cpuMs() * 1e6);
    double conv2 = gemmGflops(BATCH * 14 * 14, 5 * 5 * 32, 64, seconds / 2);
    double dense1 = gemmGflops(BATCH, 7 * 7 * 64, 512, seconds / 2);

    System.out.println();
    System.out.println("| training step, batch 20, 1 thread | Cohort ms | PyTorch ms | Cohort / PyTorch "
        + "| Cohort CPU ms | PyTorch CPU ms | CPU ratio |");
    System.out.println("|---|---|---|---|---|---|---|");
    row("MLP 784-200-200-10", mlp, torchMs.get("mlp_ms"), torchMs.get("mlp_cpu_ms"));
    row("FedAvg CNN (TFF)", cnn, torchMs.get("cnn_ms"), torchMs.get("cnn_cpu_ms"));
    System.out.println();
    System.out.println("| sgemm, 1 thread | GFLOP/s | fraction of 1024^3 |");
    System.out.println("|---|---|---|");
    System.out.printf(Locale.ROOT, "| 1024 x 1024 x 1024 | %.1f | 1.00 |%n", peak);
    System.out.printf(Locale.ROOT, "| CNN conv2 im2col [3920 x 800] x [800 x 64] | %.1f | %.2f |%n", conv2, conv2 / peak);
    System.out.printf(Locale.ROOT, "| CNN dense1 [20 x 3136] x [3136 x 512] | %.1f | %.2f |%n", dense1, dense1 / peak);
    double cnnGflops = CNN_STEP_FLOP / (cnnMs * 1e6);
    System.out.printf(Locale.ROOT, "| CNN training step, %.2f GFLOP as direct convolution (im2col-equivalent), at %.3f ms | %.1f | %.2f |%n",
        CNN_STEP_FLOP / 1e9, cnnMs, cnnGflops, cnnGflops / peak);
    double cnnCpuGflops = CNN_STEP_FLOP / (cnn.cpuMs() * 1e6);
    System.out.printf(Locale.ROOT, "| the same on CPU time: step %.3f ms, 1024^3 sgemm %.1f GFLOP/s | %.1f | %.2f |%n",
        cnn.cpuMs(), peakCpu, cnnCpuGflops, cnnCpuGflops / peakCpu);
    System.out.println();
    System.out.println("| clients in parallel, CNN, one model per thread | client steps / s | speed-up |");
    System.out.println("|---|---|---|");
    System.out.printf(Locale.ROOT, "| 1 thread | %.1f | 1.00 |%n", oneThread);
    System.out.printf(Locale.ROOT, "| 2 threads | %.1f | %.2f |%n", twoThreads, twoThreads / oneThread);
    if (check != null) {
      System.out.println();
      System.out.println("Numerics, same weights and batch, every parameter's gradient "
          + "(max |Cohort - PyTorch| / max |PyTorch|; the run fails above 1e-4): " + check);
    }
  }

  /**
   * Multiply-adds x 2 of one CNN step as a direct convolution would count them (the work PyTorch's kernels do):
   * forward, input gradient (not for conv1, whose input is data) and filter gradient of each layer.
   */
  static final double CNN_STEP_FLOP = 2.0 * BATCH * (
      2 * (28 * 28 * 25 * 32.0)            // conv1: forward, filter gradient
      + 3 * (14 * 14 * 25 * 32 * 64.0)     // conv2: forward, input and filter gradients
      + 3 * (3136 * 512.0)                 // dense1
      + 3 * (512 * 62.0));                 // dense2

  /**
   * Training steps per second of {@code threads} clients at once, each thread training its own copy of the CNN
   * (as Cohort's runtime runs clients): no shared model, buffers or locks.
   */
  static double clientStepsPerSecond(int threads, double seconds, Tensor x, Tensor y) throws InterruptedException {
    Sequential[] models = new Sequential[threads];
    Workspace[] workspaces = new Workspace[threads];
    for (int t = 0; t < threads; t++) {
      models[t] = Models.emnistCnn(false, 1);
      workspaces[t] = new Workspace();
    }
    long[] steps = new long[threads];
    java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(threads);
    long[] window = new long[2];
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int id = t;
      workers[t] = new Thread(() -> {
        try {
          long warm = System.nanoTime() + (long) (seconds / 3 * 1e9);
          while (System.nanoTime() < warm) {
            step(models[id], workspaces[id], x, y, 0.01f);
          }
          barrier.await();
          long start = System.nanoTime();
          long end = start + (long) (seconds * 1e9);
          long n = 0;
          while (System.nanoTime() < end) {
            step(models[id], workspaces[id], x, y, 0.01f);
            n++;
          }
          steps[id] = n;
          if (id == 0) {
            window[0] = start;
          }
          barrier.await();
          if (id == 0) {
            window[1] = System.nanoTime();
          }
        } catch (InterruptedException | java.util.concurrent.BrokenBarrierException e) {
          throw new IllegalStateException(e);
        }
      });
      workers[t].start();
    }
    for (Thread w : workers) {
      w.join();
    }
    long total = 0;
    for (long n : steps) {
      total += n;
    }
    return total / ((window[1] - window[0]) / 1e9);
  }

  private static Tensor labels(RandomStream rng, int classes) {
    int[] y = new int[BATCH];
    for (int i = 0; i < BATCH; i++) {
      y[i] = rng.nextInt(classes);
    }
    return Tensor.ofInts(y, BATCH);
  }

  private static void row(String name, Timing ours, Double theirs, Double theirsCpu) {
    System.out.printf(Locale.ROOT, "| %s | %.3f | %s | %s | %.3f | %s | %s |%n", name, ours.wallMs(), ms(theirs),
        ratio(ours.wallMs(), theirs), ours.cpuMs(), ms(theirsCpu), ratio(ours.cpuMs(), theirsCpu));
  }

  private static String ms(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.3f", v);
  }

  private static String ratio(double ours, Double theirs) {
    return theirs == null ? "-" : String.format(Locale.ROOT, "%.2fx", ours / theirs);
  }

  private static String python(String... args) throws IOException, InterruptedException {
    return Peer.lastLine("PyTorch baseline", "bench/torch_train_step.py", args);
  }

  private static Map<String, Double> torchTiming(double seconds) throws IOException, InterruptedException {
    String json = python("time", "--seconds", Double.toString(seconds));
    Map<String, Double> m = new LinkedHashMap<>();
    Matcher mt = Pattern.compile("\"(\\w+_ms)\": ([0-9.eE+-]+)").matcher(json);
    while (mt.find()) {
      m.put(mt.group(1), Double.parseDouble(mt.group(2)));
    }
    System.out.println("PyTorch: " + json);
    return m;
  }

  /** Writes weights, a batch and Cohort's gradients for both models; PyTorch recomputes and compares. */
  private static String torchCheck(Tensor xm, Tensor ym, Tensor xc, Tensor yc) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("cohort-bench-check");
    try {
      dump(dir, "mlp", mlp(7), xm, ym);
      dump(dir, "cnn", Models.emnistCnn(false, 7), xc, yc);
      return python("check", dir.toString());
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private static void dump(Path dir, String name, Sequential model, Tensor x, Tensor y) throws IOException {
    model.saveWeights(dir.resolve(name + "_weights.npz"));
    Tape tape = new Tape();
    Variable loss = Losses.sparseSoftmaxCrossEntropy(model.call(tape.constant(x), new ForwardPass(tape, true, null)), y);
    tape.backward(loss);
    Map<String, Tensor> grads = new LinkedHashMap<>();
    for (Parameter p : model.trainableParameters()) {
      grads.put(p.name(), p.grad().copy());
    }
    Npz.write(dir.resolve(name + "_grads.npz"), grads);
    Npz.write(dir.resolve(name + "_batch.npz"), Map.of("x", x, "y", y, "loss", loss.value()));
  }
}
