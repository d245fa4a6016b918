package dev.agon.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * The loss curve for the status page: at most {@link #CAPACITY} points (G step, loss D, loss G),
 * thinned by halving when full, so memory stays constant for a run of any length and the curve
 * still spans the whole run. Written by the Metrics actor, read by HTTP threads; both under the
 * object's lock, held for microseconds.
 */
public final class LossHistory {
  public static final int CAPACITY = 512;

  public record Point(long step, double lossD, double lossG) {}

  private final List<Point> points = new ArrayList<>(CAPACITY);
  private long stride = 1;

  public synchronized void add(long step, double lossD, double lossG) {
    if (step % stride != 0) {
      return;
    }
    points.add(new Point(step, lossD, lossG));
    if (points.size() >= CAPACITY) {
      List<Point> kept = new ArrayList<>(CAPACITY);
      stride *= 2;
      for (Point p : points) {
        if (p.step() % stride == 0) {
          kept.add(p);
        }
      }
      points.clear();
      points.addAll(kept);
    }
  }

  public synchronized List<Point> points() {
    return List.copyOf(points);
  }
}
