package dev.agon.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The coordinator node's membership book: which node holds each role. It answers every {@link
 * Handshake.Hello} (refusing a different Agon version, a different config hash or a role already
 * held), reports when every role is up, notices through cluster membership events when a node
 * holding roles becomes unreachable or leaves (an unreachable one is downed, so a replacement can
 * join without waiting for it), and reports each role coming back. Until the cluster has been
 * complete once it gives up after {@code cluster.roles-timeout-seconds}, naming the missing roles.
 * State is confined to the actor; one map update per event, nothing on a training path.
 */
final class Membership {
  /** A member the failure detector gave up on, or one that left. */
  private record Lost(Address node, String why) implements Handshake.Command {}

  /** The roles deadline. */
  private record RolesDeadline() implements Handshake.Command {}

  private final ActorContext<Handshake.Command> ctx;
  private final Address self;
  private final NodeSettings settings;
  private final Consumer<String> say;
  private final CompletableFuture<Ending> ending;
  private final Consumer<Map<String, String>> onPlacement;
  private final CompletableFuture<Void> completeOnce;
  private final Map<Role, Address> holders = new EnumMap<>(Role.class);
  private final Set<Role> lost = EnumSet.noneOf(Role.class);
  private boolean complete;
  private boolean everComplete;

  private Membership(
      ActorContext<Handshake.Command> ctx,
      NodeSettings settings,
      Consumer<String> say,
      CompletableFuture<Ending> ending,
      Consumer<Map<String, String>> onPlacement,
      CompletableFuture<Void> completeOnce) {
    this.ctx = ctx;
    this.onPlacement = onPlacement;
    this.completeOnce = completeOnce;
    this.self = Cluster.get(ctx.getSystem()).selfMember().address();
    this.settings = settings;
    this.say = say;
    this.ending = ending;
    for (Role r : settings.roles()) {
      holders.put(r, self);
    }
  }

  /**
   * @param onPlacement receives the placement (role label to host:port) at start and after every
   *     change: the node's meters
   */
  static Behavior<Handshake.Command> create(
      NodeSettings settings,
      Consumer<String> say,
      CompletableFuture<Ending> ending,
      Consumer<Map<String, String>> onPlacement,
      CompletableFuture<Void> completeOnce) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  Membership m =
                      new Membership(ctx, settings, say, ending, onPlacement, completeOnce);
                  onPlacement.accept(m.placement());
                  var subscriptions = Cluster.get(ctx.getSystem()).subscriptions();
                  subscriptions.tell(
                      Subscribe.create(
                          ctx.messageAdapter(
                              ClusterEvent.UnreachableMember.class,
                              e -> new Lost(e.member().address(), "unreachable")),
                          ClusterEvent.UnreachableMember.class));
                  subscriptions.tell(
                      Subscribe.create(
                          ctx.messageAdapter(
                              ClusterEvent.MemberRemoved.class,
                              e -> new Lost(e.member().address(), "left the cluster")),
                          ClusterEvent.MemberRemoved.class));
                  timers.startSingleTimer(
                      new RolesDeadline(),
                      Duration.ofSeconds(settings.cluster().rolesTimeoutSeconds()));
                  m.checkComplete();
                  return m.behavior();
                }));
  }

  private Behavior<Handshake.Command> behavior() {
    return Behaviors.receive(Handshake.Command.class)
        .onMessage(Handshake.Hello.class, this::onHello)
        .onMessage(Lost.class, this::onLost)
        .onMessage(RolesDeadline.class, d -> onDeadline())
        .onMessage(
            Handshake.GetStatus.class,
            g -> {
              g.replyTo().tell(new Handshake.Status(complete, placement()));
              return Behaviors.same();
            })
        .build();
  }

  private Behavior<Handshake.Command> onHello(Handshake.Hello h) {
    Address from = h.replyTo().path().address();
    String refusal = refusal(h, from);
    if (refusal != null) {
      ctx.getLog().info("refused node {}: {}", node(from), refusal);
      h.replyTo().tell(new Handshake.Refused(refusal));
      return Behaviors.same();
    }
    List<Role> roles = h.roles().stream().map(Role::parse).toList();
    for (Role r : roles) {
      holders.put(r, from);
      say.accept(
          "role "
              + r.label()
              + (lost.remove(r) ? " is back" : " joined")
              + " (node "
              + node(from)
              + ")");
    }
    h.replyTo().tell(new Handshake.Welcome(node(self)));
    onPlacement.accept(placement());
    checkComplete();
    return Behaviors.same();
  }

  /** Why {@code h} is refused, naming the difference; null to welcome it. */
  private String refusal(Handshake.Hello h, Address from) {
    if (!h.version().equals(settings.version())) {
      return "Agon version "
          + h.version()
          + " differs from the coordinator's "
          + settings.version()
          + ": run the same build on every node";
    }
    if (!h.configHash().equals(settings.configHash())) {
      return "config hash "
          + abbreviated(h.configHash())
          + " differs from the coordinator's "
          + abbreviated(settings.configHash())
          + ": start every node with the same --config and --set";
    }
    if (h.roles().isEmpty()) {
      return "no role named";
    }
    for (String label : h.roles()) {
      Role r;
      try {
        r = Role.parse(label);
      } catch (IllegalArgumentException e) {
        return e.getMessage();
      }
      if (r == Role.COORDINATOR) {
        return "role coordinator is already taken by node " + node(self);
      }
      Address holder = holders.get(r);
      if (holder != null && !holder.equals(from)) {
        return "role " + r.label() + " is already taken by node " + node(holder);
      }
    }
    return null;
  }

  private Behavior<Handshake.Command> onLost(Lost l) {
    if (l.node().equals(self)) {
      return Behaviors.same(); // this node leaving: it is shutting down
    }
    List<Role> gone = new ArrayList<>();
    holders.forEach(
        (r, a) -> {
          if (a.equals(l.node())) {
            gone.add(r);
          }
        });
    for (Role r : gone) {
      holders.remove(r);
      lost.add(r);
      say.accept("role " + r.label() + " is gone (node " + node(l.node()) + " " + l.why() + ")");
    }
    if (!gone.isEmpty()) {
      onPlacement.accept(placement());
    }
    if (l.why().equals("unreachable")) {
      // The coordinator decides membership: a silent node is removed, so that the cluster
      // converges again and a replacement node can join without waiting for the old one.
      Cluster.get(ctx.getSystem()).manager().tell(new Down(l.node()));
    }
    if (!gone.isEmpty() && complete) {
      complete = false;
      say.accept("cluster incomplete: waiting for " + Role.join(missing()));
    }
    return Behaviors.same();
  }

  private Behavior<Handshake.Command> onDeadline() {
    if (!everComplete) {
      Set<Role> missing = missing();
      ending.complete(
          Ending.refused(
              (missing.size() == 1 ? "role " : "roles ")
                  + Role.join(missing)
                  + " missing from every node after "
                  + settings.cluster().rolesTimeoutSeconds()
                  + " s (cluster.roles-timeout-seconds): start an agon node with --role "
                  + String.join(",", missing.stream().map(Role::label).toList())));
    }
    return Behaviors.same();
  }

  private void checkComplete() {
    if (complete || !missing().isEmpty()) {
      return;
    }
    complete = true;
    List<String> where = new ArrayList<>();
    placement().forEach((r, a) -> where.add(r + "@" + a));
    say.accept("cluster complete: " + String.join(", ", where));
    if (!everComplete) {
      everComplete = true;
      completeOnce.complete(null);
      if (settings.exitWhenComplete()) {
        ending.complete(Ending.done());
      }
    }
  }

  private Set<Role> missing() {
    EnumSet<Role> m = EnumSet.allOf(Role.class);
    m.removeAll(holders.keySet());
    return m;
  }

  private Map<String, String> placement() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Role r : Role.values()) {
      Address a = holders.get(r);
      if (a != null) {
        out.put(r.label(), node(a));
      }
    }
    return out;
  }

  /** {@code host:port} of a node. */
  static String node(Address a) {
    return a.getHost().orElse("?") + ":" + a.getPort().map(String::valueOf).orElse("?");
  }

  private static String abbreviated(String hash) {
    return hash.length() > 12 ? hash.substring(0, 12) + "..." : hash;
  }
}
