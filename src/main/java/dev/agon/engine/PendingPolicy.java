package dev.agon.engine;

import dev.agon.config.Player;
import dev.agon.nn.Optimizer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The policy changes a trainer actor has received (learning rate, historical averaging), held until
 * its next update, applied just before it and reported to the Coordinator with that update's
 * number. Owned by one actor; not thread-safe.
 */
final class PendingPolicy {
  /** Sets a network's historical-averaging weight and start (the trainers' method). */
  @FunctionalInterface
  interface AveragingSetter {
    void set(double weight, long start);
  }

  private final Player model;
  private final ActorRef<Coordinator.Command> coordinator;
  private double lr = Double.NaN;
  private double weight = Double.NaN;
  private long start;

  PendingPolicy(Player model, ActorRef<Coordinator.Command> coordinator) {
    this.model = model;
    this.coordinator = coordinator;
  }

  void learningRate(double lr) {
    this.lr = lr;
  }

  void averaging(double weight, long start) {
    this.weight = weight;
    this.start = start;
  }

  /** Applies whatever is pending before update {@code step} and reports each change. */
  void applyBefore(long step, Optimizer optimizer, AveragingSetter averaging) {
    if (!Double.isNaN(lr)) {
      optimizer.learningRate(lr);
      coordinator.tell(new Coordinator.LearningRateApplied(model, step, lr));
      lr = Double.NaN;
    }
    if (!Double.isNaN(weight)) {
      averaging.set(weight, start);
      coordinator.tell(new Coordinator.AveragingApplied(model, step, weight, start));
      weight = Double.NaN;
    }
  }
}
