package dev.agon.config;

/**
 * Hook for checks that involve several components of one configuration record. The binder calls
 * {@link #crossCheck} on a record implementing this interface once all its components were read and
 * passed their own range checks; each rejection becomes a {@link Problem} located at the key of the
 * named component.
 */
public interface CrossFieldCheck {
  /** Reports every cross-field problem of this record to {@code violations}. */
  void crossCheck(Violations violations);

  /** Receiver of cross-field problems. */
  @FunctionalInterface
  interface Violations {
    /**
     * Reports a problem.
     *
     * @param component the Java name of the record component the problem is located at
     * @param message short message, e.g. {@code "only applies to type = sgd"}
     */
    void reject(String component, String message);
  }
}
