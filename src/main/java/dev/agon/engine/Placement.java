package dev.agon.engine;

import dev.agon.config.DevicesConfig;
import java.util.function.IntConsumer;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which backend device each tensor-owning actor computes on ({@code devices.*}). Each of them runs
 * on its own pinned thread ({@link Coordinator#TENSOR_DISPATCHER}), and ND4J binds a device per
 * thread, so the actor binds its device once, first thing on that thread, before it builds any
 * array. The DataLoader shares the Discriminator's device: its real batches are born where D reads
 * them. Costs one affinity call per actor start.
 *
 * @param bind binds the calling thread to a device index: ND4J's affinity manager, or a recorder in
 *     tests (on the CPU backend, with its single device 0, ND4J's call changes nothing)
 */
public record Placement(int generator, int discriminator, int evaluator, IntConsumer bind) {
  /** Binds through ND4J's affinity manager ({@code unsafeSetDevice}, as ND4J's own workers do). */
  public static final IntConsumer ND4J = d -> Nd4j.getAffinityManager().unsafeSetDevice(d);

  /** Every actor on device 0: the CPU, or the first GPU. */
  public static final Placement DEFAULT = new Placement(0, 0, 0, ND4J);

  public static Placement of(DevicesConfig d) {
    return new Placement(d.generator(), d.discriminator(), d.evaluator(), ND4J);
  }

  /**
   * {@code behavior}, started on a thread first bound to {@code device}; spawn it on the pinned
   * tensor dispatcher so that the binding holds for the actor's whole life.
   */
  <T> Behavior<T> on(int device, Behavior<T> behavior) {
    return Behaviors.setup(
        ctx -> {
          bind.accept(device);
          return behavior;
        });
  }
}
