package dev.agon.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One of the two networks of a GAN. {@link #label()} is its name in every wire format (metrics
 * labels, {@code metrics.jsonl}, checkpoint manifests, the HTTP API, CLI flags); those strings
 * never change, so code names a player by this enum and spells it only through {@code label()}.
 * Lives in {@code config} because every package that names a player may import it there ({@code
 * metrics}, which may not, takes the label from its callers).
 */
public enum Player {
  /** G: maps latent noise to samples. */
  GENERATOR,
  /** D: scores samples as real or fake (a critic for WGAN-GP). */
  DISCRIMINATOR;

  /** The wire name: "generator" or "discriminator". */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Every player's {@link #label()}, G first. */
  public static List<String> labels() {
    return Arrays.stream(values()).map(Player::label).toList();
  }

  /** The other player. */
  public Player other() {
    return this == GENERATOR ? DISCRIMINATOR : GENERATOR;
  }

  /**
   * The player whose {@link #label()} is {@code s} (exact, lower case, as the wire formats spell
   * it).
   *
   * @throws IllegalArgumentException naming the accepted spellings when {@code s} is neither
   */
  public static Player parse(String s) {
    for (Player p : values()) {
      if (p.label().equals(s)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "must be " + GENERATOR.label() + " or " + DISCRIMINATOR.label() + ", not " + s);
  }
}
