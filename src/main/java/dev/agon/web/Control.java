package dev.agon.web;

import dev.agon.config.Player;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;

/**
 * What the control API can ask of a running training run; the engine implements it (the web package
 * knows no actors). Every call answers a {@link Reply}: a request the run cannot take (stopping,
 * resumed when not paused) is a refused reply, a checkpoint that could not be written a failed one;
 * neither is a failed future (that means the run cannot answer now).
 */
public interface Control {
  /** How the run answered: 200, 409 and 500 over HTTP. */
  enum Outcome {
    ACCEPTED,
    REFUSED,
    FAILED
  }

  /**
   * The run's answer: {@code outcome}; {@code iteration}, the G iteration at whose end the request
   * takes or took effect (-1: none); {@code message} for people, never parsed.
   */
  record Reply(Outcome outcome, long iteration, String message) {
    public boolean accepted() {
      return outcome == Outcome.ACCEPTED;
    }
  }

  /** Stop admitting updates at the end of the last admitted iteration until resumed. */
  CompletionStage<Reply> pause();

  /** Admit updates again after a pause. */
  CompletionStage<Reply> resume();

  /** Write a checkpoint now; the reply comes once it is on disk (or failed). */
  CompletionStage<Reply> checkpoint();

  /** Finish the in-flight iteration, checkpoint and end the run. */
  CompletionStage<Reply> stop(String reason);

  /** Change k, the staleness bound and the learning rates; absent values stay. */
  CompletionStage<Reply> schedule(
      OptionalInt k,
      OptionalInt staleness,
      OptionalDouble generatorLr,
      OptionalDouble discriminatorLr);

  /**
   * Set {@code network}'s historical-averaging weight (0: off) and the G update its averages start
   * from; applies from that player's next update.
   */
  CompletionStage<Reply> averaging(Player network, double weight, long start);
}
