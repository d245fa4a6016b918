package dev.agon.transport;

/** Why a transport operation failed: the reason a Coordinator's failure report names. */
public enum Failure {
  /** No subscriber connected within the connect timeout, or it went away during a message. */
  NOT_CONNECTED,
  /** The publication was closed. */
  CLOSED,
  /** The publication reached its maximum position (term ids exhausted): open a new one. */
  MAX_POSITION_EXCEEDED,
  /** The message was not fully offered within the send timeout (a stalled or dead subscriber). */
  SEND_TIMEOUT,
  /** A UDP endpoint's port is already bound by another socket. */
  PORT_IN_USE,
  /** The media driver refused to add a publication or subscription for another reason. */
  REGISTRATION_FAILED,
  /** The media driver could not be started or reached. */
  DRIVER_UNAVAILABLE
}
