package dev.cohort.privacy;

import java.util.Arrays;
import java.util.List;

/**
 * The Rényi orders α at which an RDP accountant tracks the privacy loss; an (ε, δ) guarantee is the minimum over
 * them, so the grid changes the answer and should be stated with it. Immutable; orders are sorted and distinct.
 */
public final class OrderGrid {
  private final String name;
  private final double[] orders;

  private OrderGrid(String name, double[] orders) {
    this.name = name;
    this.orders = orders;
  }

  /**
   * dp_accounting's {@code DEFAULT_RDP_ORDERS}: 1.1, 1.2, …, 10.9 (99 values), 11, 12, …, 63, 128, 256, 512, 1024.
   * The default.
   */
  public static OrderGrid dpAccounting() {
    double[] o = new double[99 + 53 + 4];
    int k = 0;
    for (int x = 1; x < 100; x++) {
      o[k++] = 1 + x / 10.0;
    }
    for (int a = 11; a < 64; a++) {
      o[k++] = a;
    }
    for (int a : new int[] {128, 256, 512, 1024}) {
      o[k++] = a;
    }
    return new OrderGrid("dp-accounting", o);
  }

  /**
   * TF-Privacy's {@code compute_dp_sgd_privacy} and {@code compute_noise} grid: 1.25, 1.5, 1.75, 2, 2.25, 2.5, 3,
   * 3.5, 4, 4.5, 5, 6, …, 63, 128, 256, 512.
   */
  public static OrderGrid tfPrivacy() {
    double[] o = new double[10 + 59 + 3];
    int k = 0;
    for (double a : new double[] {1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 3.0, 3.5, 4.0, 4.5}) {
      o[k++] = a;
    }
    for (int a = 5; a < 64; a++) {
      o[k++] = a;
    }
    for (int a : new int[] {128, 256, 512}) {
      o[k++] = a;
    }
    return new OrderGrid("tf-privacy", o);
  }

  /** Opacus's {@code RDPAccountant.DEFAULT_ALPHAS}: 1.1, …, 10.9, 12, …, 63 (11 is missing there, and here). */
  public static OrderGrid opacus() {
    double[] o = new double[99 + 52];
    int k = 0;
    for (int x = 1; x < 100; x++) {
      o[k++] = 1 + x / 10.0;
    }
    for (int a = 12; a < 64; a++) {
      o[k++] = a;
    }
    return new OrderGrid("opacus", o);
  }

  /**
   * A custom grid. Every order must be a finite number &gt; 1; duplicates are dropped and the orders sorted.
   *
   * @throws IllegalArgumentException if {@code orders} is empty or holds an order that is not finite and &gt; 1
   */
  public static OrderGrid of(double... orders) {
    Checks.notNull("orders", orders);
    if (orders.length == 0) {
      throw Checks.invalid("orders", "[]", "must not be empty");
    }
    for (double a : orders) {
      if (!(a > 1) || Double.isInfinite(a)) {
        throw Checks.invalid("order", a, "must be a finite number > 1");
      }
    }
    double[] sorted = Arrays.stream(orders).sorted().distinct().toArray();
    return new OrderGrid("custom", sorted);
  }

  /** The names {@link #named} accepts: {@code dp-accounting}, {@code tf-privacy}, {@code opacus}. */
  public static List<String> names() {
    return List.of("dp-accounting", "tf-privacy", "opacus");
  }

  /**
   * The grid named as on the command line: one of {@link #names()}.
   *
   * @throws IllegalArgumentException for any other name
   */
  public static OrderGrid named(String name) {
    switch (Checks.notNull("name", name)) {
      case "dp-accounting":
        return dpAccounting();
      case "tf-privacy":
        return tfPrivacy();
      case "opacus":
        return opacus();
      default:
        throw new IllegalArgumentException(
            "order grid (" + name + ") must be one of " + String.join(", ", names()));
    }
  }

  /** {@code dp-accounting}, {@code tf-privacy}, {@code opacus} or {@code custom}. */
  public String name() {
    return name;
  }

  /** The number of orders. */
  public int size() {
    return orders.length;
  }

  /** The i-th smallest order. */
  public double order(int i) {
    return orders[i];
  }

  /** A copy of the orders, ascending. */
  public double[] orders() {
    return orders.clone();
  }

  double[] raw() {
    return orders;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OrderGrid g && Arrays.equals(orders, g.orders);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(orders);
  }

  @Override
  public String toString() {
    return name + " (" + orders.length + " orders, " + orders[0] + " to " + orders[orders.length - 1] + ")";
  }
}
