package dev.agon.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a node of a distributed run hosts. {@link #label()} is the role's name on the command line
 * ({@code agon node --role}), in the join handshake, in service keys and in log lines; those
 * strings never change, so code spells a role only through {@code label()}.
 */
public enum Role {
  /** The Coordinator, with the Recorder, checkpoints, web and control API; the membership book. */
  COORDINATOR,
  /** The DataLoader: the data set and its cursor. */
  DATA_LOADER,
  /** The Generator: G's parameters and optimizer. */
  GENERATOR,
  /** The Discriminator: D's parameters and optimizer. */
  DISCRIMINATOR,
  /** The Evaluator: scores generator snapshots off the training path. */
  EVALUATOR;

  /** The wire name: "coordinator", "data-loader", "generator", "discriminator", "evaluator". */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Every role's {@link #label()}, in declaration order. */
  public static List<String> labels() {
    return Arrays.stream(values()).map(Role::label).toList();
  }

  /**
   * The role whose {@link #label()} is {@code s} (exact, lower case).
   *
   * @throws IllegalArgumentException naming the accepted spellings when {@code s} is none
   */
  public static Role parse(String s) {
    for (Role r : values()) {
      if (r.label().equals(s)) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "unknown role '" + s + "' (one of " + String.join(", ", labels()) + ")");
  }

  /**
   * The roles of a comma-separated list such as {@code coordinator,data-loader}, in declaration
   * order.
   *
   * @throws IllegalArgumentException for an empty list, an unknown role or one named twice
   */
  public static Set<Role> parseList(String list) {
    EnumSet<Role> out = EnumSet.noneOf(Role.class);
    List<String> parts = new ArrayList<>(Arrays.asList(list.split(",", -1)));
    for (String p : parts) {
      Role r = parse(p.trim());
      if (!out.add(r)) {
        throw new IllegalArgumentException("role " + r.label() + " is named twice");
      }
    }
    return out;
  }

  /** The labels of {@code roles}, comma-separated, in declaration order. */
  public static String join(Set<Role> roles) {
    return roles.stream().sorted().map(Role::label).collect(Collectors.joining(", "));
  }
}
