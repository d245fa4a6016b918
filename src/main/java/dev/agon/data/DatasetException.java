package dev.agon.data;

/**
 * A data set that cannot be found, read or used. The message names the file (or the places looked
 * in) and what is wrong, and where useful how to get the data; it is meant to be shown to the user
 * as it is, without a stack trace.
 */
public final class DatasetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
