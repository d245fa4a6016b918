package dev.agon.transport;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A delivered message: its header fields and its payload in the subscriber's assembly buffer. A
 * reused view, valid only inside {@link TensorHandler#onTensor}.
 */
public final class ReceivedTensor {
  private Assembly a;

  void wrap(Assembly assembly) {
    this.a = assembly;
  }

  public FrameKind kind() {
    return a.kind;
  }

  public Dtype dtype() {
    return a.dtype;
  }

  public long step() {
    return a.step;
  }

  public long version() {
    return a.version;
  }

  public long messageId() {
    return a.messageId;
  }

  /** When the sender offered its first chunk: epoch microseconds of the sender's clock. */
  public long sendMicros() {
    return a.sendMicros;
  }

  /** The Aeron session of the publisher that sent it. */
  public int sessionId() {
    return a.sessionId;
  }

  /** A copy of the shape. */
  public long[] shape() {
    return java.util.Arrays.copyOf(a.dims, a.rank);
  }

  public long payloadBytes() {
    return a.totalBytes;
  }

  /** The payload (little-endian c-order elements) at offset 0, {@link #payloadBytes} long. */
  public DirectBuffer payload() {
    return a.buffer;
  }

  /** A new c-order INDArray with the payload copied in (one memcpy of the payload). */
  public INDArray toArray() {
    INDArray out = Nd4j.create(a.dtype.nd4j(), shape(), 'c');
    if (a.totalBytes > 0) {
      BytePointer p = new BytePointer(out.data().addressPointer());
      new UnsafeBuffer(p.address(), (int) a.totalBytes)
          .putBytes(0, a.buffer, 0, (int) a.totalBytes);
    }
    return out;
  }
}
