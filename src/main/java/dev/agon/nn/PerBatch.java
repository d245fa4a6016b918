package dev.agon.nn;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Work buffers keyed by batch size, least recently used evicted beyond {@value #MAX_BATCH_SIZES}
 * sizes (as in {@link Mlp}). Buffers are created on first use of a batch size and reused after.
 */
final class PerBatch<T> {
  /** How many batch sizes keep their buffers at the same time. */
  static final int MAX_BATCH_SIZES = 4;

  private final IntFunction<T> factory;
  private final Map<Integer, T> byBatch =
      new LinkedHashMap<>(8, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, T> eldest) {
          return size() > MAX_BATCH_SIZES;
        }
      };

  PerBatch(IntFunction<T> factory) {
    this.factory = factory;
  }

  /** Drops every batch size's buffers (e.g. after the layer's shapes or dtype changed). */
  void clear() {
    byBatch.clear();
  }

  T get(int batch) {
    T t = byBatch.get(batch);
    if (t == null) {
      t = factory.apply(batch);
      byBatch.put(batch, t);
    }
    return t;
  }
}
