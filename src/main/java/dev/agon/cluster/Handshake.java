package dev.agon.cluster;

import dev.agon.engine.serialization.CborSerializable;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * The protocol between the nodes of a run: a worker node finds the coordinator node through the
 * Receptionist ({@link #COORDINATOR}), says {@link Hello} and is answered {@link Welcome} or {@link
 * Refused}; once welcomed it registers each of its roles under {@link #roleKey}. Every message
 * crosses JVMs and so is Jackson CBOR ({@link CborSerializable}), never Java serialization.
 */
public final class Handshake {
  private Handshake() {}

  /** Messages of the coordinator node's membership book. */
  public interface Command {}

  /** The coordinator node's membership book, one per cluster. */
  public static final ServiceKey<Command> COORDINATOR =
      ServiceKey.create(Command.class, "agon-coordinator");

  /** An actor that hosts a role on a node; it takes no message yet (training stays in one JVM). */
  public interface RoleCommand extends CborSerializable {}

  /** The service key under which a welcomed node registers {@code role}. */
  public static ServiceKey<RoleCommand> roleKey(Role role) {
    return ServiceKey.create(RoleCommand.class, "agon-role-" + role.label());
  }

  /**
   * A worker node asks to join the run.
   *
   * @param roles the node's roles as {@link Role#label()}s (strings, so an unknown one from another
   *     build is refused by name rather than failing to decode)
   * @param version the node's Agon version
   * @param configHash SHA-256 (hex) of the node's rendered config, as checkpoints record it
   * @param replyTo where the answer goes; its address names the node
   */
  public record Hello(
      List<String> roles, String version, String configHash, ActorRef<Reply> replyTo)
      implements Command, CborSerializable {}

  /** The coordinator's answer to a {@link Hello}. */
  public sealed interface Reply extends CborSerializable permits Welcome, Refused {}

  /** The node is a member of the run; {@code coordinator} is the coordinator node's address. */
  public record Welcome(String coordinator) implements Reply {}

  /** The node may not join; {@code reason} names the difference, for people. */
  public record Refused(String reason) implements Reply {}

  /** Asks the membership book for a {@link Status}. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command, CborSerializable {}

  /**
   * Where each role runs now.
   *
   * @param complete whether every role the run needs is held by a reachable node
   * @param placement role label to {@code host:port} of the node holding it, roles in declaration
   *     order; a missing role is absent
   */
  public record Status(boolean complete, Map<String, String> placement)
      implements CborSerializable {}
}
