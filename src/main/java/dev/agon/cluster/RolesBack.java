package dev.agon.cluster;

import dev.agon.engine.TrainRun;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The coordinator node's answer to a paused run ({@link TrainRun.Nodes}): follows the membership
 * book's placement (role label to {@code host:port}, fed on every change) and completes each wait
 * once a node holds the lost role again. A role still shown on the lost node counts as back only
 * after the book has dropped it (the replacement may reuse the lost node's address, as a restarted
 * systemd unit does). Synchronized: placements come on the book's actor, waits from the run.
 */
public final class RolesBack implements TrainRun.Nodes {
  private record Wait(String role, String lost, CompletableFuture<Void> done, boolean[] dropped) {}

  private final Consumer<String> say;
  private Map<String, String> placement = Map.of();
  private final List<Wait> waits = new ArrayList<>();

  public RolesBack(Consumer<String> say) {
    this.say = say;
  }

  /** The book's placement after a change: completes the waits it satisfies. */
  public synchronized void placement(Map<String, String> p) {
    placement = new HashMap<>(p);
    waits.removeIf(w -> settle(w) || w.done().isDone());
  }

  @Override
  public synchronized CompletableFuture<Void> back(String role, String lostNode) {
    Wait w = new Wait(role, lostNode, new CompletableFuture<>(), new boolean[1]);
    if (!settle(w)) {
      waits.add(w);
    }
    return w.done();
  }

  /** Whether {@code w} is satisfied now (then completed); notes the role being dropped. */
  private boolean settle(Wait w) {
    String at = placement.get(w.role());
    if (at == null) {
      w.dropped()[0] = true;
      return false;
    }
    if (at.equals(w.lost()) && !w.dropped()[0]) {
      return false; // the book has not noticed the loss yet
    }
    w.done().complete(null);
    return true;
  }

  @Override
  public void say(String line) {
    say.accept(line);
  }
}
