package dev.agon.engine;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Engine tests share this: one ActorTestKit per test class, with the run's Pekko settings. */
abstract class ActorKitTest {
  static ActorTestKit kit;

  @BeforeAll
  static void startKit() {
    kit = ActorTestKit.create(TrainRun.pekkoConfig());
  }

  @AfterAll
  static void stopKit() {
    kit.shutdownTestKit();
  }
}
