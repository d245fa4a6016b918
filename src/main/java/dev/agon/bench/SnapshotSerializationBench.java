package dev.agon.bench;

import dev.agon.config.Player;
import dev.agon.engine.Messages;
import dev.agon.engine.TrainRun;
import dev.agon.nn.Dcgan;
import java.util.Arrays;
import java.util.Locale;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Serialized size and round-trip time of a parameter snapshot of the 28x28 DCGAN generator ({@link
 * Dcgan#generator}{@code (100, 1, 28, 64)}, FLOAT) through the engine's serialization bindings (the
 * run's pekko.conf: {@code TensorMessageSerializer}): the cost of one {@link Messages.Snapshot}
 * crossing a process, before any network. Prints the median of serialize, deserialize and both over
 * the iterations after warm-up; the round trip is checked bit for bit once.
 *
 * <pre>
 * java -cp target/agon.jar dev.agon.bench.SnapshotSerializationBench [warmup] [iterations]
 * </pre>
 */
public final class SnapshotSerializationBench {
  private SnapshotSerializationBench() {}

  public static void main(String[] args) {
    int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    INDArray params =
        Dcgan.generator(100, 1, 28, Dcgan.DEFAULT_WIDTH).build(DataType.FLOAT, 1).params().dup();
    Messages.Snapshot snapshot = new Messages.Snapshot(Player.GENERATOR, 1, params);
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), "agon-bench", TrainRun.pekkoConfig());
    try {
      Serialization serialization = SerializationExtension.get(Adapter.toClassic(system));
      long[] ser = new long[iterations];
      long[] de = new long[iterations];
      byte[] bytes = null;
      for (int i = 0; i < warmup + iterations; i++) {
        long t0 = System.nanoTime();
        bytes = serialization.serialize(snapshot).get();
        long t1 = System.nanoTime();
        Messages.Snapshot back =
            (Messages.Snapshot) serialization.deserialize(bytes, Messages.Snapshot.class).get();
        long t2 = System.nanoTime();
        if (i == 0 && !Arrays.equals(back.params().toFloatVector(), params.toFloatVector())) {
          throw new IllegalStateException("the snapshot did not come back bit for bit");
        }
        if (i >= warmup) {
          ser[i - warmup] = t1 - t0;
          de[i - warmup] = t2 - t1;
        }
      }
      long[] both = new long[iterations];
      Arrays.setAll(both, i -> ser[i] + de[i]);
      System.out.printf(
          Locale.ROOT,
          "generator snapshot: %d parameters, %d bytes serialized (%.1f MiB, %.4f bytes/param);"
              + " median serialize %.2f ms, deserialize %.2f ms, round trip %.2f ms"
              + " (%d iterations after %d warm-up)%n",
          params.length(),
          bytes.length,
          bytes.length / 1048576.0,
          (double) bytes.length / params.length(),
          median(ser) / 1e6,
          median(de) / 1e6,
          median(both) / 1e6,
          iterations,
          warmup);
    } finally {
      system.terminate();
    }
  }

  private static double median(long[] ns) {
    long[] s = ns.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
  }
}
