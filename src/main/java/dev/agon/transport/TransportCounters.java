package dev.agon.transport;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thread-safe counts of one publisher or subscriber, for tests and for meters to read later. A
 * frame is one chunk; bytes count payload plus header. Increments are a LongAdder or an atomic add
 * each (tens of nanoseconds), once per chunk, wait or failure.
 */
public final class TransportCounters {
  private final LongAdder framesSent = new LongAdder();
  private final LongAdder bytesSent = new LongAdder();
  private final LongAdder messagesSent = new LongAdder();
  private final LongAdder framesReceived = new LongAdder();
  private final LongAdder bytesReceived = new LongAdder();
  private final LongAdder messagesReceived = new LongAdder();
  private final LongAdder backPressureWaits = new LongAdder();
  private final AtomicLongArray failures = new AtomicLongArray(Failure.values().length);
  private final AtomicLongArray drops = new AtomicLongArray(DropReason.values().length);
  private final LongAdder negativeLatencies = new LongAdder();
  private volatile LatencyListener latency = (kind, micros) -> {};

  /** Receives each delivered snapshot's latency (on the polling thread: keep it cheap). */
  @FunctionalInterface
  public interface LatencyListener {
    /**
     * {@code kind}: the snapshot's {@link FrameKind#label}; {@code micros}: receive-complete time
     * minus the frame's send time, epoch microseconds of two wall clocks (the sender's and this
     * host's), so only meaningful across hosts whose clocks are synchronised (NTP); never negative
     * (a negative difference is recorded as 0 and counted).
     */
    void snapshotDelivered(String kind, long micros);
  }

  /** Where a subscriber's snapshot latencies go from now on (meters bind here); one at a time. */
  public void onSnapshotLatency(LatencyListener listener) {
    this.latency = listener;
  }

  /** Records a delivered snapshot's latency, a negative one (clocks apart) as 0, counted. */
  void snapshotLatency(FrameKind kind, long micros) {
    if (micros < 0) {
      negativeLatencies.increment();
      micros = 0;
    }
    latency.snapshotDelivered(kind.label(), micros);
  }

  void sent(int frameBytes) {
    framesSent.increment();
    bytesSent.add(frameBytes);
  }

  void messageSent() {
    messagesSent.increment();
  }

  void received(int frameBytes) {
    framesReceived.increment();
    bytesReceived.add(frameBytes);
  }

  void messageReceived() {
    messagesReceived.increment();
  }

  void backPressureWait() {
    backPressureWaits.increment();
  }

  void failure(Failure f) {
    failures.incrementAndGet(f.ordinal());
  }

  void drop(DropReason r) {
    drops.incrementAndGet(r.ordinal());
  }

  public long framesSent() {
    return framesSent.sum();
  }

  public long bytesSent() {
    return bytesSent.sum();
  }

  public long messagesSent() {
    return messagesSent.sum();
  }

  public long framesReceived() {
    return framesReceived.sum();
  }

  public long bytesReceived() {
    return bytesReceived.sum();
  }

  public long messagesReceived() {
    return messagesReceived.sum();
  }

  /** Offers answered BACK_PRESSURED or ADMIN_ACTION, each followed by one idle-strategy wait. */
  public long backPressureWaits() {
    return backPressureWaits.sum();
  }

  public long failures(Failure f) {
    return failures.get(f.ordinal());
  }

  public long drops(DropReason r) {
    return drops.get(r.ordinal());
  }

  /**
   * Snapshots whose receive time was before their send time (the sender's clock ahead of this
   * host's), recorded as latency 0.
   */
  public long negativeLatencies() {
    return negativeLatencies.sum();
  }

  /** Drops of every reason. */
  public long dropsTotal() {
    long n = 0;
    for (int i = 0; i < drops.length(); i++) {
      n += drops.get(i);
    }
    return n;
  }
}
