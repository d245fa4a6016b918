package dev.agon.engine;

/**
 * The names of the Aeron streams a run across nodes uses, as a node's {@code /metrics} labels them
 * ({@code stream}): "ROLE-out" from the role's node to the coordinator node, "ROLE-in" the other
 * way, e.g. {@code generator-out} for fakes, G's state and evaluation snapshots.
 */
public final class TensorStreams {
  private TensorStreams() {}

  /** The stream's name, or {@code stream-ID} for an id no stand-in uses. */
  public static String name(int streamId) {
    if (streamId == RemoteGenerator.TO_COORDINATOR) {
      return "generator-out";
    } else if (streamId == RemoteGenerator.TO_GENERATOR) {
      return "generator-in";
    } else if (streamId == RemoteDiscriminator.TO_COORDINATOR) {
      return "discriminator-out";
    } else if (streamId == RemoteDiscriminator.TO_DISCRIMINATOR) {
      return "discriminator-in";
    } else if (streamId == RemoteService.DATA_LOADER.from()) {
      return "data-loader-out";
    } else if (streamId == RemoteService.DATA_LOADER.to()) {
      return "data-loader-in";
    } else if (streamId == RemoteService.EVALUATOR.from()) {
      return "evaluator-out";
    } else if (streamId == RemoteService.EVALUATOR.to()) {
      return "evaluator-in";
    }
    return "stream-" + streamId;
  }
}
