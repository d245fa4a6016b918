package dev.agon.cluster;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * A worker node's side of the handshake: waits for the coordinator to appear in the Receptionist,
 * says {@link Handshake.Hello} once, and on {@link Handshake.Welcome} registers its roles and
 * watches the coordinator; a {@link Handshake.Refused} or a coordinator that goes away ends the
 * node. Local messages only besides the handshake itself.
 */
final class Joiner {
  private interface Msg {}

  private record Found(Set<ActorRef<Handshake.Command>> coordinators) implements Msg {}

  private record Answer(Handshake.Reply reply) implements Msg {}

  private record CoordinatorGone() implements Msg {}

  /** A member the failure detector gave up on: the node ends if it is the coordinator's. */
  private record Unreachable(Address node) implements Msg {}

  private Joiner() {}

  static Behavior<?> create(
      NodeSettings settings,
      Consumer<String> say,
      CompletableFuture<String> welcomed,
      CompletableFuture<Ending> ending,
      Consumer<ActorContext<?>> hosts) {
    return Behaviors.<Msg>setup(
        ctx -> {
          ctx.getSystem()
              .receptionist()
              .tell(
                  Receptionist.subscribe(
                      Handshake.COORDINATOR,
                      ctx.messageAdapter(
                          Receptionist.Listing.class,
                          l -> new Found(l.getServiceInstances(Handshake.COORDINATOR)))));
          ActorRef<Handshake.Reply> replies =
              ctx.messageAdapter(Handshake.Reply.class, Answer::new);
          return waiting(ctx, settings, say, welcomed, ending, replies, hosts);
        });
  }

  private static Behavior<Msg> waiting(
      ActorContext<Msg> ctx,
      NodeSettings settings,
      Consumer<String> say,
      CompletableFuture<String> welcomed,
      CompletableFuture<Ending> ending,
      ActorRef<Handshake.Reply> replies,
      Consumer<ActorContext<?>> hosts) {
    return Behaviors.receive(Msg.class)
        .onMessage(
            Found.class,
            f -> {
              if (f.coordinators().isEmpty()) {
                return Behaviors.same();
              }
              ActorRef<Handshake.Command> c = f.coordinators().iterator().next();
              c.tell(
                  new Handshake.Hello(
                      settings.roles().stream().sorted().map(Role::label).toList(),
                      settings.version(),
                      settings.configHash(),
                      replies));
              return answering(ctx, settings, say, welcomed, ending, c, hosts);
            })
        .build();
  }

  private static Behavior<Msg> answering(
      ActorContext<Msg> ctx,
      NodeSettings settings,
      Consumer<String> say,
      CompletableFuture<String> welcomed,
      CompletableFuture<Ending> ending,
      ActorRef<Handshake.Command> coordinator,
      Consumer<ActorContext<?>> hosts) {
    Address coordinatorNode = coordinator.path().address();
    String at = Membership.node(coordinatorNode);
    // Only the coordinator downs members, so a dead coordinator is never removed and the death
    // watch below never fires: its node becoming unreachable ends this one (after about
    // cluster.acceptable-heartbeat-pause-ms), and a supervisor restarts it to rejoin.
    Cluster.get(ctx.getSystem())
        .subscriptions()
        .tell(
            Subscribe.create(
                ctx.messageAdapter(
                    ClusterEvent.UnreachableMember.class,
                    e -> new Unreachable(e.member().address())),
                ClusterEvent.UnreachableMember.class));
    return Behaviors.receive(Msg.class)
        .onMessage(Found.class, f -> Behaviors.same())
        .onMessage(
            Unreachable.class,
            u -> {
              if (u.node().equals(coordinatorNode)) {
                ending.complete(
                    new Ending(
                        1,
                        "the coordinator at " + at + " is gone; start this node again to rejoin"));
              }
              return Behaviors.same();
            })
        .onMessage(
            Answer.class,
            a -> {
              if (a.reply() instanceof Handshake.Refused r) {
                ending.complete(
                    Ending.refused(
                        "the coordinator at " + at + " refused this node: " + r.reason()));
                return Behaviors.stopped();
              }
              for (Role role : settings.roles()) {
                ActorRef<Handshake.RoleCommand> holder =
                    ctx.spawn(Behaviors.empty(), "role-" + role.label());
                ctx.getSystem()
                    .receptionist()
                    .tell(Receptionist.register(Handshake.roleKey(role), holder));
              }
              hosts.accept(ctx);
              ctx.watchWith(coordinator, new CoordinatorGone());
              say.accept(
                  "welcomed by the coordinator at "
                      + at
                      + ": hosting "
                      + Role.join(settings.roles()));
              welcomed.complete(at);
              return Behaviors.same();
            })
        .onMessage(
            CoordinatorGone.class,
            g -> {
              ending.complete(
                  new Ending(
                      1, "the coordinator at " + at + " is gone; start this node again to rejoin"));
              return Behaviors.same();
            })
        .build();
  }
}
