package dev.agon.engine.serialization;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Jackson support for {@code INDArray} fields: each is one binary value holding {@link
 * TensorCodec}'s bytes (in CBOR a byte string, copied as is; no base64, no number list).
 */
public final class TensorModule extends SimpleModule {
  private static final long serialVersionUID = 1L;

  public TensorModule() {
    super("agon-tensor");
    addSerializer(INDArray.class, new Writer());
    addDeserializer(INDArray.class, new Reader());
  }

  private static final class Writer extends StdSerializer<INDArray> {
    private static final long serialVersionUID = 1L;

    Writer() {
      super(INDArray.class);
    }

    @Override
    public void serialize(INDArray value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeBinary(TensorCodec.encode(value));
    }
  }

  private static final class Reader extends StdDeserializer<INDArray> {
    private static final long serialVersionUID = 1L;

    Reader() {
      super(INDArray.class);
    }

    @Override
    public INDArray deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      try {
        return TensorCodec.decode(p.getBinaryValue());
      } catch (IllegalArgumentException e) {
        throw JsonMappingException.from(p, "bad tensor: " + e.getMessage(), e);
      }
    }
  }
}
