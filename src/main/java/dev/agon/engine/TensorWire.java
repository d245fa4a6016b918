package dev.agon.engine;

import dev.agon.engine.serialization.TensorMessageSerializer;
import dev.agon.train.PlayerState;
import dev.agon.transport.Dtype;
import dev.agon.transport.Endpoint;
import dev.agon.transport.FrameKind;
import dev.agon.transport.ReceivedTensor;
import dev.agon.transport.TensorHandler;
import dev.agon.transport.TensorPublisher;
import dev.agon.transport.TensorSubscriber;
import dev.agon.transport.Transport;
import dev.agon.transport.TransportException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * How an engine tensor message crosses Aeron and back: one frame message of {@link Dtype#BYTES}
 * holding the engine's tensor serializer's bytes, so the receiving actor gets the same record the
 * sender made. Cost per message: one serialization copy and Aeron's copy out, one assembly copy and
 * one decode copy in. Shared by the proxies ({@link RemoteProxy}) and gates ({@link RemotePlayer}).
 */
final class TensorWire {
  private TensorWire() {}

  /** To the actor that owns a stream: it failed (a bad frame, an unexpected message). */
  record Broken(String why) {}

  static TensorMessageSerializer serializer(ActorContext<?> ctx) {
    return new TensorMessageSerializer((ExtendedActorSystem) ctx.getSystem().classicSystem());
  }

  /**
   * Sends {@code m} as one frame message; a transport failure (not connected, closed, the send
   * timeout) fails the calling actor with the reason.
   */
  static void send(
      TensorMessageSerializer ser,
      TensorPublisher pub,
      FrameKind kind,
      long step,
      long version,
      Object m) {
    byte[] bytes = ser.toBinary(m);
    try {
      pub.send(kind, step, version, Dtype.BYTES, new long[] {bytes.length}, ByteBuffer.wrap(bytes));
    } catch (TransportException e) {
      throw new IllegalStateException("cannot send " + kind + ": " + e.getMessage(), e);
    }
  }

  /** A subscriber's handler: rebuilds each message and hands it on; a bad one is a failure. */
  static TensorHandler inbound(
      TensorMessageSerializer ser, Consumer<Object> to, ActorRef<Object> failures) {
    return (ReceivedTensor t) -> {
      try {
        byte[] bytes = new byte[(int) t.payloadBytes()];
        t.payload().getBytes(0, bytes);
        to.accept(ser.fromBinary(bytes, manifest(t.kind())));
      } catch (Exception e) {
        failures.tell(new Broken("cannot read a " + t.kind() + " message: " + e.getMessage()));
      }
    };
  }

  static String manifest(FrameKind kind) {
    return switch (kind) {
      case FAKE_BATCH -> Discriminator.Fake.class.getName();
      case D_SNAPSHOT -> Generator.DiscriminatorSnapshot.class.getName();
      case PLAYER_STATE -> PlayerState.class.getName();
      case EVALUATION_SNAPSHOT -> Generator.EvaluationSnapshot.class.getName();
      case REAL_BATCH -> Messages.RealBatch.class.getName();
      // A G snapshot to score: the only G parameters that cross alone.
      case G_SNAPSHOT -> Evaluator.Evaluate.class.getName();
      default -> throw new IllegalArgumentException("no engine message is sent as " + kind);
    };
  }

  /**
   * Subscribes to {@code stream} of this launch (IPC) and polls it on a thread named {@code name},
   * handing each message to {@code to}; a bad one goes to {@code failures} as {@link Broken}.
   */
  static Poller poll(
      Transport transport,
      int stream,
      long runId,
      byte[] token,
      String name,
      TensorMessageSerializer ser,
      Consumer<Object> to,
      ActorRef<Object> failures) {
    return poll(transport, Endpoint.ipc(), stream, runId, token, name, ser, to, failures);
  }

  /** As the other poll, subscribing at {@code at} (IPC, or this node's UDP endpoint). */
  static Poller poll(
      Transport transport,
      Endpoint at,
      int stream,
      long runId,
      byte[] token,
      String name,
      TensorMessageSerializer ser,
      Consumer<Object> to,
      ActorRef<Object> failures) {
    TensorSubscriber sub =
        transport.subscriber(at, stream, runId, token, inbound(ser, to, failures));
    return new Poller(name, sub);
  }

  /**
   * Polls one subscriber on its own thread with a backoff idle strategy (spins a little, yields,
   * then parks up to 1 ms: never a busy spin on shared cores); closes it when done.
   */
  static final class Poller implements AutoCloseable {
    private final TensorSubscriber sub;
    private final Thread thread;
    private volatile boolean running = true;

    Poller(String name, TensorSubscriber sub) {
      this.sub = sub;
      this.thread =
          new Thread(
              () -> {
                IdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 1_000_000);
                while (running) {
                  idle.idle(sub.poll(16));
                }
              },
              name);
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() {
      running = false;
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      sub.close();
    }
  }
}
