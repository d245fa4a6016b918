package dev.agon.engine.serialization;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.IOException;
import java.io.NotSerializableException;
import java.util.Optional;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * The serializer of tensor-carrying messages ({@link TensorMessage}, and the classes bound to
 * {@code agon-tensor} in the engine's {@code pekko.conf}): the message is CBOR, written by a mapper
 * configured like Pekko's {@code jackson-cbor} (so typed {@code ActorRef}s, optionals and records
 * work the same), in which every {@code INDArray} is one byte string of {@link TensorCodec}'s raw
 * little-endian data. The manifest is the message's class name; a class not bound to this
 * serializer is refused when reading, so bytes from elsewhere cannot instantiate arbitrary classes.
 * No Java serialization anywhere.
 */
public final class TensorMessageSerializer extends SerializerWithStringManifest {
  /** This serializer's id in Pekko's envelopes (user serializers take ids above 40). */
  public static final int IDENTIFIER = 7613;

  private final ExtendedActorSystem system;
  private final ObjectMapper mapper;

  public TensorMessageSerializer(ExtendedActorSystem system) {
    this.system = system;
    this.mapper =
        JacksonObjectMapperProvider.get(system)
            .create("jackson-cbor", Optional.of(new CBORFactory()))
            .registerModule(new TensorModule());
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    return o.getClass().getName();
  }

  @Override
  public byte[] toBinary(Object o) {
    try {
      return mapper.writeValueAsBytes(o);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "could not serialize " + o.getClass().getName() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    Class<?> type;
    try {
      type = Class.forName(manifest, false, system.dynamicAccess().classLoader());
    } catch (ClassNotFoundException e) {
      throw new NotSerializableException("unknown message class " + manifest);
    }
    if (SerializationExtension.get(system).serializerFor(type).identifier() != IDENTIFIER) {
      throw new NotSerializableException(manifest + " is not bound to the tensor serializer");
    }
    try {
      return mapper.readValue(bytes, type);
    } catch (IOException e) {
      throw new NotSerializableException("could not read " + manifest + ": " + e.getMessage());
    }
  }
}
