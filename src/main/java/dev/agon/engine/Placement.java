package dev.agon.engine;

import dev.agon.config.DevicesConfig;
import dev.agon.data.BatchSource;
import java.util.function.IntConsumer;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which backend device each tensor-owning actor computes on ({@code devices.*}). Each of them runs
 * on its own pinned thread ({@link Coordinator#TENSOR_DISPATCHER}), and ND4J binds a device per
 * thread, so the actor binds its device once, first thing on that thread, before it builds any
 * array. The DataLoader shares the Discriminator's device: its real batches are born where D reads
 * them. Costs one affinity call per actor start.
 *
 * <p>A tensor that reaches an actor from another one (a D snapshot at G, fakes and real batches at
 * D, G's weights at the Evaluator) may live on another device: the receiver passes it through
 * {@link #arrived} first, which copies it to the receiver's device when it lives elsewhere. The
 * copy is explicit, once per message, instead of ND4J relocating it lazily inside an op, so its
 * cost shows where it is paid. On one device (the CPU backend has only device 0) nothing is copied.
 *
 * @param bind binds the calling thread to a device index: ND4J's affinity manager, or a recorder in
 *     tests (on the CPU backend, with its single device 0, ND4J's call changes nothing)
 * @param relocate copies an array to a device when it lives elsewhere ({@link #ND4J_COPY}, or a
 *     recorder in tests)
 */
public record Placement(
    int generator, int discriminator, int evaluator, IntConsumer bind, Relocation relocate) {
  /** Binds through ND4J's affinity manager ({@code unsafeSetDevice}, as ND4J's own workers do). */
  public static final IntConsumer ND4J = d -> Nd4j.getAffinityManager().unsafeSetDevice(d);

  /** Moves an array to a device. */
  @FunctionalInterface
  public interface Relocation {
    /** {@code a} itself when it already lives on {@code device}, else a copy there. */
    INDArray to(int device, INDArray a);
  }

  /**
   * ND4J's explicit device copy ({@code replicateToDevice}), skipped when the backend has one
   * device or the array already lives on {@code device}.
   */
  public static final Relocation ND4J_COPY =
      (device, a) -> {
        AffinityManager am = Nd4j.getAffinityManager();
        if (am.getNumberOfDevices() <= 1 || am.getDeviceForArray(a) == device) {
          return a;
        }
        return am.replicateToDevice(device, a);
      };

  /** Every actor on device 0: the CPU, or the first GPU. */
  public static final Placement DEFAULT = new Placement(0, 0, 0, ND4J);

  /** The device and relocation of the actor on the calling thread (null: not placed). */
  private static final ThreadLocal<Placed> HERE = new ThreadLocal<>();

  private record Placed(int device, Relocation relocate) {}

  /** Binding through {@code bind}, copies through ND4J. */
  public Placement(int generator, int discriminator, int evaluator, IntConsumer bind) {
    this(generator, discriminator, evaluator, bind, ND4J_COPY);
  }

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
          int devices = Nd4j.getAffinityManager().getNumberOfDevices();
          if (devices <= 1) {
            ctx.getLog()
                .info(
                    "{}: the backend has one device, so devices.* place nothing",
                    ctx.getSelf().path().name());
          } else {
            ctx.getLog().info("{}: device {} of {}", ctx.getSelf().path().name(), device, devices);
          }
          // The tensor dispatcher pins one thread to the actor for its life, so the thread's
          // binding is the actor's.
          HERE.set(new Placed(device, relocate));
          return behavior;
        });
  }

  /**
   * {@code a}, which reached the actor on the calling thread from another actor, on that actor's
   * device: a copy when it lives elsewhere; {@code a} itself on an unplaced thread (one device).
   */
  static INDArray arrived(INDArray a) {
    Placed p = HERE.get();
    return p == null || a == null ? a : p.relocate().to(p.device(), a);
  }

  /** {@link #arrived(INDArray)} for a parameter snapshot. */
  static Messages.Snapshot arrived(Messages.Snapshot s) {
    INDArray params = arrived(s.params());
    return params == s.params() ? s : new Messages.Snapshot(s.model(), s.version(), params);
  }

  /** {@link #arrived(INDArray)} for a batch of fakes. */
  static Messages.FakeBatch arrived(Messages.FakeBatch b) {
    INDArray x = arrived(b.x());
    return x == b.x() ? b : new Messages.FakeBatch(b.dStep(), b.generatorVersion(), b.segment(), x);
  }

  /** {@link #arrived(INDArray)} for a real batch. */
  static Messages.RealBatch arrived(Messages.RealBatch b) {
    INDArray x = arrived(b.x());
    BatchSource.Labelled l = b.labelled();
    INDArray lx = l == null ? null : arrived(l.x());
    if (x == b.x() && (l == null || lx == l.x())) {
      return b;
    }
    return new Messages.RealBatch(
        b.index(),
        b.epoch(),
        x,
        b.labels(),
        l == null ? null : new BatchSource.Labelled(lx, l.labels()));
  }
}
