package dev.agon.engine;

import dev.agon.train.PlayerState;
import dev.agon.train.Schedule;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The commands both players accept, one vocabulary for G and D: each record is a {@link
 * Generator.Command} and a {@link Discriminator.Command}, so the Coordinator, its captures and run
 * controls send the same message to either player. {@link PlayerCore} handles them. Plain data,
 * serialized as Jackson CBOR like every command.
 */
public sealed interface PlayerControl extends Generator.Command, Discriminator.Command {

  /** The Coordinator admits updates up to and including {@code upToStep}. */
  record Admit(long upToStep) implements PlayerControl {}

  /**
   * A new schedule segment from the barrier the player is at. The Coordinator sends it to D, which
   * passes it on to G once it has dropped its fakes of the old segment.
   */
  record Reschedule(Schedule schedule, int segment) implements PlayerControl {}

  /** Use {@code lr} from the next update on. */
  record SetLearningRate(double lr) implements PlayerControl {}

  /**
   * Use historical-averaging weight {@code weight} and start {@code start} from the next update.
   */
  record SetAveraging(double weight, long start) implements PlayerControl {}

  /**
   * A detached copy of the complete training state (parameters, optimizer, averages); asked for
   * only when the player is idle at a checkpoint barrier.
   */
  record GetState(ActorRef<PlayerState> replyTo) implements PlayerControl {}
}
