package dev.agon.engine;

import dev.agon.config.AgonConfig;
import dev.agon.config.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Configurations for tests: the ring experiment ({@code config/ring.conf}) with overrides. */
public final class TestConfigs {
  /** The ring experiment; tests run in the project root. */
  public static final Path RING = Path.of("config/ring.conf");

  private TestConfigs() {}

  public static AgonConfig ring(String... overrides) {
    return ConfigLoader.load(Optional.of(RING), List.of(overrides)).config();
  }

  /** A small, fast ring run: batch 64, narrower nets. */
  public static AgonConfig smallRing(String... overrides) {
    List<String> o = new ArrayList<>();
    o.add("schedule.batch-size=64");
    o.add("model.latent-dim=16");
    o.add("model.generator.hidden=[32,32]");
    o.add("model.discriminator.hidden=[32,32]");
    o.addAll(Arrays.asList(overrides));
    return ConfigLoader.load(Optional.of(RING), o).config();
  }
}
