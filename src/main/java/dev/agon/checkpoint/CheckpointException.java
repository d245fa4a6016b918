package dev.agon.checkpoint;

/** A checkpoint that cannot be used, with a message naming the file and what is wrong. */
public final class CheckpointException extends Exception {
  private static final long serialVersionUID = 1L;

  public CheckpointException(String message) {
    super(message);
  }
}
