package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.data.ImageDataset;
import dev.agon.data.ImageSource;
import dev.agon.data.LabelledSet;
import dev.agon.engine.serialization.TensorMessage;
import dev.agon.engine.serialization.TensorMessageSerializer;
import dev.agon.tensor.Tensors;
import dev.agon.transport.Endpoint;
import dev.agon.transport.FrameHeader;
import dev.agon.transport.FrameKind;
import dev.agon.transport.TensorPublisher;
import dev.agon.transport.TensorSubscriber;
import dev.agon.transport.Transport;
import dev.agon.transport.TransportSettings;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Real batches with labels (data.labels) between actors and JVMs: the DataLoader serves them, the
 * actor system's serialization and the tensor wire of the UDP/IPC data plane carry them whole, and
 * the added fields keep messages of a build without them readable both ways.
 */
class LabelledBatchWireTest extends ActorKitTest {
  /** A RealBatch as a build before labels wrote and read it. */
  public record OldRealBatch(long index, long epoch, INDArray x) implements TensorMessage {}

  /** 60 images of 1x2x2 whose first pixel is their index, of class index % 3. */
  private static ImageDataset numbered() {
    byte[] px = new byte[60 * 4];
    int[] labels = new int[60];
    for (int i = 0; i < 60; i++) {
      px[4 * i] = (byte) i;
      labels[i] = i % 3;
    }
    return ImageDataset.ofUint8("numbered", px, 60, 1, 2, 2, labels);
  }

  private static Messages.RealBatch labelledBatch() {
    ImageDataset d = numbered();
    return Messages.RealBatch.of(
        new ImageSource(d, 7, false, true, LabelledSet.draw(d, 2, 5)).batch(4, 8));
  }

  private static TensorMessageSerializer wireSerializer() {
    return new TensorMessageSerializer(
        (ExtendedActorSystem) Adapter.toClassic(kit.system()).classicSystem());
  }

  private static void assertSameBatch(Messages.RealBatch got, Messages.RealBatch sent) {
    assertThat(got.index()).isEqualTo(sent.index());
    assertThat(got.epoch()).isEqualTo(sent.epoch());
    assertThat(Tensors.toFloats(got.x())).isEqualTo(Tensors.toFloats(sent.x()));
    assertThat(got.x().shape()).isEqualTo(sent.x().shape());
    assertThat(got.labels()).isEqualTo(sent.labels());
    if (sent.labelled() == null) {
      assertThat(got.labelled()).isNull();
    } else {
      assertThat(Tensors.toFloats(got.labelled().x()))
          .isEqualTo(Tensors.toFloats(sent.labelled().x()));
      assertThat(got.labelled().x().shape()).isEqualTo(sent.labelled().x().shape());
      assertThat(got.labelled().labels()).isEqualTo(sent.labelled().labels());
    }
  }

  @Test
  void aLabelledRealBatchRoundTripsThroughTheActorSystemsSerialization() {
    Serialization s = SerializationExtension.get(Adapter.toClassic(kit.system()));
    Messages.RealBatch sent = labelledBatch();
    assertThat(sent.labels()).hasSize(8);
    assertThat(sent.labelled().labels()).hasSize(8);
    assertThat(s.findSerializerFor(sent)).isInstanceOf(TensorMessageSerializer.class);
    Messages.RealBatch back =
        (Messages.RealBatch) s.deserialize(s.serialize(sent).get(), Messages.RealBatch.class).get();
    assertSameBatch(back, sent);
    // And without labels, nulls stay nulls.
    Messages.RealBatch plain = new Messages.RealBatch(2, 0, Nd4j.rand(DataType.FLOAT, 4, 3));
    assertSameBatch(
        (Messages.RealBatch)
            s.deserialize(s.serialize(plain).get(), Messages.RealBatch.class).get(),
        plain);
  }

  @Test
  void labelsSurviveTheTensorWireOfTheDataLoaderNode() throws Exception {
    // What TensorWire.send writes and its inbound handler reads for a REAL_BATCH frame (the
    // data-loader node's batches over UDP or IPC).
    TensorMessageSerializer ser = wireSerializer();
    Messages.RealBatch sent = labelledBatch();
    Object back = ser.fromBinary(ser.toBinary(sent), TensorWire.manifest(FrameKind.REAL_BATCH));
    assertSameBatch((Messages.RealBatch) back, sent);
  }

  @Test
  void labelsArriveWholeOverUdpAsTheDataLoaderNodeSendsThem(@TempDir Path driverDir)
      throws Exception {
    // The data-loader node's path: TensorWire.send on a REAL_BATCH frame, Aeron over UDP
    // (loopback), TensorWire.inbound rebuilding the message on the other side.
    TensorMessageSerializer ser = wireSerializer();
    Messages.RealBatch sent = labelledBatch();
    AtomicReference<Object> got = new AtomicReference<>();
    TestProbe<Object> failures = kit.createTestProbe();
    byte[] token = new byte[FrameHeader.TOKEN_BYTES];
    new java.util.Random(16).nextBytes(token);
    Endpoint at = Endpoint.loopback(freeUdpPort());
    try (Transport transport =
            Transport.start(
                TransportSettings.defaults()
                    .withDriver(TransportSettings.DriverMode.EMBEDDED, driverDir));
        TensorSubscriber sub =
            transport.subscriber(
                at, 21, 7, token, TensorWire.inbound(ser, got::set, failures.ref()));
        TensorPublisher pub = transport.publisher(at, 21, 7, token)) {
      IdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 1_000_000);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      CompletableFuture<Void> send =
          CompletableFuture.runAsync(
              () -> TensorWire.send(ser, pub, FrameKind.REAL_BATCH, 4, 0, sent));
      while (got.get() == null && System.nanoTime() - deadline < 0) {
        idle.idle(sub.poll(16));
      }
      send.get(30, TimeUnit.SECONDS);
    }
    failures.expectNoMessage(Duration.ofMillis(100));
    assertThat(got.get()).as("a batch within 30 s").isInstanceOf(Messages.RealBatch.class);
    assertSameBatch((Messages.RealBatch) got.get(), sent);
  }

  private static int freeUdpPort() throws Exception {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void messagesOfABuildWithoutLabelsStayReadableBothWays() throws Exception {
    TensorMessageSerializer ser = wireSerializer();
    INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3);
    Messages.RealBatch fromOld =
        (Messages.RealBatch)
            ser.fromBinary(
                ser.toBinary(new OldRealBatch(9, 1, x)), Messages.RealBatch.class.getName());
    assertSameBatch(fromOld, new Messages.RealBatch(9, 1, x));
    Messages.RealBatch sent = labelledBatch();
    OldRealBatch toOld =
        (OldRealBatch) ser.fromBinary(ser.toBinary(sent), OldRealBatch.class.getName());
    assertThat(toOld.index()).isEqualTo(sent.index());
    assertThat(Tensors.toFloats(toOld.x())).isEqualTo(Tensors.toFloats(sent.x()));
  }

  @Test
  void theDataLoaderServesEachBatchWithTheLabelsOfItsImages() {
    ImageDataset d = numbered();
    LabelledSet set = LabelledSet.draw(d, 2, 5);
    ImageSource direct = new ImageSource(d, 7, false, true, set);
    var loader =
        kit.spawn(
            DataLoader.create(() -> new ImageSource(d, 7, false, true, set), 8, 2, 5),
            "labelled-loader");
    TestProbe<Messages.RealBatch> probe = kit.createTestProbe();
    loader.tell(new DataLoader.Request(3, probe.ref()));
    for (long i = 5; i < 8; i++) {
      Messages.RealBatch got = probe.receiveMessage(Duration.ofSeconds(20));
      assertSameBatch(got, Messages.RealBatch.of(direct.batch(i, 8)));
      // An image's label in the batch is the data set's label of that image (pixel 0 = index).
      float[] px = Tensors.toFloats(got.x());
      for (int k = 0; k < 8; k++) {
        int image = Math.round((px[4 * k] + 1) * 127.5f);
        assertThat(got.labels()[k]).isEqualTo(d.label(image));
      }
    }
    kit.stop(loader);
  }
}
