package dev.cohort.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/** The benchmarks' heap measurements: the heap pools' peak usage and the live heap seen by the collectors. */
final class Heap {
  private static final List<MemoryPoolMXBean> POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(b -> b.getType() == MemoryType.HEAP).toList();

  private Heap() {}

  /** Runs a garbage collection, then resets the heap pools' peaks, so that {@link #peak} measures what follows. */
  static void collectAndResetPeak() {
    System.gc();
    POOLS.forEach(MemoryPoolMXBean::resetPeakUsage);
  }

  /** The sum of the heap pools' peak usage since {@link #collectAndResetPeak}: garbage included, an upper bound. */
  static long peak() {
    return POOLS.stream().mapToLong(b -> b.getPeakUsage().getUsed()).sum();
  }

  /**
   * The largest heap in use right after a collection while it is open: the live set (plus what a young collection
   * left in the old generation), from the garbage collectors' notifications.
   */
  static final class Live implements AutoCloseable {
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onCollection;
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong collections = new AtomicLong();

    Live() {
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof NotificationEmitter e) {
          e.addNotificationListener(listener, null, null);
          emitters.add(e);
        }
      }
    }

    private void onCollection(Notification notification, Object handback) {
      if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
        return;
      }
      GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
          (CompositeData) notification.getUserData());
      long used = info.getGcInfo().getMemoryUsageAfterGc().values().stream().mapToLong(MemoryUsage::getUsed).sum();
      peak.accumulateAndGet(used, Math::max);
      collections.incrementAndGet();
    }

    /** Forgets the collections seen so far. */
    void reset() {
      peak.set(0);
      collections.set(0);
    }

    long peak() {
      return peak.get();
    }

    long collections() {
      return collections.get();
    }

    @Override
    public void close() {
      for (NotificationEmitter e : emitters) {
        try {
          e.removeNotificationListener(listener);
        } catch (ListenerNotFoundException ex) {
          throw new IllegalStateException(ex);
        }
      }
    }
  }
}
