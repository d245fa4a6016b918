package dev.agon.metrics;

import java.util.concurrent.atomic.AtomicLong;

/** A double written by one thread (the Metrics actor) and read by the scrape: a volatile's cost. */
public final class Cell {
  private final AtomicLong bits;

  public Cell(double initial) {
    bits = new AtomicLong(Double.doubleToRawLongBits(initial));
  }

  public double get() {
    return Double.longBitsToDouble(bits.get());
  }

  public void set(double v) {
    bits.set(Double.doubleToRawLongBits(v));
  }

  public void add(double v) {
    bits.accumulateAndGet(
        Double.doubleToRawLongBits(v),
        (a, b) ->
            Double.doubleToRawLongBits(Double.longBitsToDouble(a) + Double.longBitsToDouble(b)));
  }
}
