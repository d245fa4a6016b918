package dev.agon.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** When a paused run's lost role counts as back, as the membership book's placements show it. */
class RolesBackTest {
  private final RolesBack book = new RolesBack(line -> {});

  @Test
  void aRoleOnAnotherNodeIsBackAtOnce() {
    book.placement(Map.of("coordinator", "h:1", "discriminator", "h:3"));
    assertThat(book.back("discriminator", "h:2")).isDone();
  }

  @Test
  void aRoleGoneIsBackWhenANodeWithItJoins() {
    book.placement(Map.of("coordinator", "h:1"));
    CompletableFuture<Void> back = book.back("discriminator", "h:2");
    book.placement(Map.of("coordinator", "h:1", "generator", "h:4"));
    assertThat(back).isNotDone();
    book.placement(Map.of("coordinator", "h:1", "discriminator", "h:5"));
    assertThat(back).isDone();
  }

  @Test
  void theLostNodeStillShownCountsOnlyOnceTheBookDroppedIt() {
    book.placement(Map.of("discriminator", "h:2"));
    CompletableFuture<Void> back = book.back("discriminator", "h:2");
    assertThat(back).isNotDone(); // the book has not noticed the loss yet
    book.placement(Map.of());
    assertThat(back).isNotDone();
    book.placement(Map.of("discriminator", "h:2")); // restarted on the same port
    assertThat(back).isDone();
  }
}
