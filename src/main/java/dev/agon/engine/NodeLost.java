package dev.agon.engine;

import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * A player's stand-in lost the node that ran its player: the node died or dropped off the network
 * (cluster membership no longer has it up). Not a failure of the training: the run pauses until a
 * node with that role joins again ({@link Recovery}), and no restart is counted against {@code
 * guard.max-restarts}. A player that crashes on a node that stays up is an ordinary failure.
 */
final class NodeLost extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The role gone ("generator", "discriminator"). */
  final String role;

  /** The lost node's {@code host:port}, as the membership book names it. */
  final String node;

  NodeLost(String role, String node, String message) {
    super(message);
    this.role = role;
    this.node = node;
  }

  /**
   * A NodeLost for {@code role} when the node at {@code at} is no longer an up, reachable member of
   * {@code system}'s cluster (it died or dropped off the network: a pause), else the failure {@code
   * why} (a crashed player or a corrupt stream on a live node: a restart). One read of the cluster
   * state's snapshot; a remote death watch fires only once its node is removed, so the snapshot
   * already shows a dead node as gone.
   *
   * @param what the node's description for the message ("discriminator node")
   */
  static RuntimeException orFailure(
      ActorSystem<?> system, Address at, String role, String what, String why) {
    if (at.getHost().isEmpty()) {
      return new IllegalStateException(why); // a local actor: no node to lose
    }
    CurrentClusterState state = Cluster.get(system).state();
    boolean up = false;
    for (Member m : state.getMembers()) {
      if (m.address().equals(at)
          && (m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp())) {
        up = true;
      }
    }
    for (Member m : state.getUnreachable()) {
      if (m.address().equals(at)) {
        up = false;
      }
    }
    if (up) {
      return new IllegalStateException(why);
    }
    String where = at.getHost().get() + ":" + at.getPort().map(String::valueOf).orElse("?");
    return new NodeLost(role, where, "the " + what + " " + where + " is gone: " + why);
  }
}
