package dev.agon.cluster;

/**
 * How a node ends: an exit status for the command line and, unless it is 0, one line saying why.
 *
 * @param status 0 done, 1 failure, 2 bad input (a refused join, a missing role, an unreachable
 *     seed)
 * @param error the reason, without an {@code error:} prefix; empty when {@code status} is 0
 */
public record Ending(int status, String error) {
  /** A clean end. */
  public static Ending done() {
    return new Ending(0, "");
  }

  /** Bad input the user can fix: exit status 2. */
  public static Ending refused(String why) {
    return new Ending(2, why);
  }
}
