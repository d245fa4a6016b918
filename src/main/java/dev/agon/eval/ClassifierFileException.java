package dev.agon.eval;

/** A classifier directory that cannot be read: missing, corrupt, or of another format. */
public final class ClassifierFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ClassifierFileException(String message) {
    super(message);
  }
}
