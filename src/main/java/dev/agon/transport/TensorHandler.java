package dev.agon.transport;

/** Receives each complete, checked message of a subscriber, on the polling thread. */
@FunctionalInterface
public interface TensorHandler {
  /**
   * {@code tensor} is a view valid only during the call: copy what outlives it ({@link
   * ReceivedTensor#toArray}).
   */
  void onTensor(ReceivedTensor tensor);
}
