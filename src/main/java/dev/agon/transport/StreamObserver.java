package dev.agon.transport;

/**
 * Hears of every publisher and subscriber this process's {@link Transport}s open, so that their
 * counters can be exported (an {@code agon node}'s {@code /metrics}). One per process, set with
 * {@link Transport#observe}: a process serves one registry, and the streams are opened deep inside
 * the actors that use them. Called on the opening thread, once per stream opened; keep it cheap.
 */
public interface StreamObserver {
  /** Observes nothing (the default: {@code agon train}, tests). */
  StreamObserver NONE =
      new StreamObserver() {
        @Override
        public void publisherOpened(int streamId, TransportCounters counters) {}

        @Override
        public void subscriberOpened(int streamId, TransportCounters counters) {}
      };

  /** A publisher of Aeron stream {@code streamId} opened; {@code counters} are its own. */
  void publisherOpened(int streamId, TransportCounters counters);

  /** A subscriber of Aeron stream {@code streamId} opened; {@code counters} are its own. */
  void subscriberOpened(int streamId, TransportCounters counters);
}
