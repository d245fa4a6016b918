package dev.agon.web;

import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;

/**
 * What the control API can ask of a running training run; the engine implements it (the web package
 * knows no actors). Every call answers a {@link Reply}: a request the run cannot take (stopping,
 * paused twice, an invalid value) is a rejected reply, not a failure.
 */
public interface Control {
  /** The run's answer; {@code accepted} false with the reason in {@code message}. */
  record Reply(boolean accepted, String message) {}

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
}
