package dev.agon.transport;

/** A transport operation failed for {@link #reason}; the message says what and where. */
public final class TransportException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Failure reason;

  public TransportException(Failure reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public TransportException(Failure reason, String message) {
    this(reason, message, null);
  }

  public Failure reason() {
    return reason;
  }
}
