package dev.agon.engine;

import dev.agon.data.BatchSource;
import dev.agon.engine.serialization.CborSerializable;
import java.util.ArrayDeque;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Owns the data source and its cursor and serves real minibatches on demand. Flow control is
 * pull-based: a consumer grants credits and receives at most that many batches; the loader prepares
 * at most {@code prefetch} batches ahead, one per message so requests interleave with preparation.
 * Neither side's mailbox can accumulate tensors beyond those bounds.
 */
public final class DataLoader extends AbstractBehavior<DataLoader.Command> {
  public sealed interface Command extends CborSerializable {}

  /** Grants {@code credits} more batches to {@code replyTo}. */
  public record Request(int credits, ActorRef<Messages.RealBatch> replyTo) implements Command {}

  /** Prepare the next batch (to self); a record, not an enum, so only the CBOR binding fits. */
  private record Fill() implements Command {
    static final Fill INSTANCE = new Fill();
  }

  private final BatchSource source;
  private final int batchSize;
  private final int prefetch;
  private final ArrayDeque<Messages.RealBatch> ready;
  private long nextIndex;
  private int credits;
  private boolean fillPending;
  private ActorRef<Messages.RealBatch> consumer;

  /** Serves batches {@code firstIndex, firstIndex+1, ...} of the source built on this thread. */
  public static Behavior<Command> create(
      Supplier<BatchSource> source, int batchSize, int prefetch, long firstIndex) {
    return Behaviors.setup(
        ctx -> new DataLoader(ctx, source.get(), batchSize, prefetch, firstIndex));
  }

  private DataLoader(
      ActorContext<Command> ctx, BatchSource source, int batchSize, int prefetch, long first) {
    super(ctx);
    this.source = source;
    this.batchSize = batchSize;
    this.prefetch = prefetch;
    this.ready = new ArrayDeque<>(prefetch);
    this.nextIndex = first;
    scheduleFill();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Request.class, this::onRequest)
        .onMessageEquals(Fill.INSTANCE, this::onFill)
        .build();
  }

  private Behavior<Command> onRequest(Request r) {
    credits += r.credits();
    consumer = r.replyTo();
    serve();
    scheduleFill();
    return this;
  }

  private Behavior<Command> onFill() {
    fillPending = false;
    if (ready.size() < prefetch) {
      ready.add(Messages.RealBatch.of(source.batch(nextIndex++, batchSize)));
    }
    serve();
    scheduleFill();
    return this;
  }

  private void serve() {
    while (credits > 0 && !ready.isEmpty()) {
      consumer.tell(ready.poll());
      credits--;
    }
  }

  private void scheduleFill() {
    if (!fillPending && ready.size() < prefetch) {
      fillPending = true;
      getContext().getSelf().tell(Fill.INSTANCE);
    }
  }
}
