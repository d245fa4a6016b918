package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agon.config.Player;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every message of the engine's protocol (each actor's commands, found from the sealed {@code
 * Command} interfaces so a new one is covered without editing this test; the replies named by their
 * {@code ActorRef<Reply>} fields; the step reports) round-trips through the actor system's
 * serialization (the bindings of the run's pekko.conf) to an equal message, tensors bit for bit
 * (NaN payloads and -0 included), and no message falls to Java serialization.
 */
class MessageSerializationTest extends ActorKitTest {
  /** The actors whose {@code Command} interfaces make up the protocol. */
  private static final List<Class<?>> ACTORS =
      List.of(
          Coordinator.class,
          Generator.class,
          Discriminator.class,
          DataLoader.class,
          Evaluator.class,
          Recorder.class,
          Checkpointer.class,
          Metrics.class);

  /** Replies sent to refs given at creation rather than in a message field. */
  private static final List<Class<?>> OTHER_REPLIES =
      List.of(Evaluator.Ready.class, Messages.Report.class);

  @Test
  void everyMessageRoundTripsToAnEqualOne() throws Exception {
    TestProbe<Object> probe = kit.createTestProbe();
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
    Set<Class<?>> messages = messageTypes();
    // Coverage: the commands of every actor, its private ones too, and the replies.
    assertThat(messages)
        .contains(
            Coordinator.Start.class,
            Checkpointer.Write.class,
            Checkpointer.Written.class,
            Coordinator.Finished.class,
            dev.agon.train.PlayerState.class,
            Messages.RealBatch.class,
            Messages.DStepReport.class,
            Metrics.Finishing.class,
            PlayerControl.Reschedule.class,
            PlayerControl.GetState.class)
        .hasSizeGreaterThan(50);
    List<String> failures = new ArrayList<>();
    for (Class<?> type : messages) {
      Object message = sample(type, type, probe.ref(), 0);
      try {
        Serializer serializer = serialization.findSerializerFor(message);
        assertThat(serializer.getClass().getName())
            .as("%s's serializer", type.getName())
            .isIn(
                "org.apache.pekko.serialization.jackson.JacksonCborSerializer",
                "dev.agon.engine.serialization.TensorMessageSerializer");
        byte[] bytes = serialization.serialize(message).get();
        Object back =
            serialization
                .deserialize(
                    bytes,
                    serializer.identifier(),
                    org.apache.pekko.serialization.Serializers.manifestFor(serializer, message))
                .get();
        assertThat(back).isNotSameAs(message);
        assertDeepEqual(type.getName(), message, back);
      } catch (Throwable e) {
        failures.add(type.getName() + ": " + e);
      }
    }
    assertThat(failures).as("messages that do not round-trip").isEmpty();
  }

  @Test
  void tensorsGoAsRawDataAndComeBackBitExact() throws Exception {
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
    INDArray x = Nd4j.rand(DataType.FLOAT, 64, 100);
    x.putScalar(0, Float.intBitsToFloat(0x7fc00123)); // a NaN with a payload
    x.putScalar(1, -0.0f);
    x.putScalar(2, Float.MIN_VALUE);
    Messages.Snapshot s = new Messages.Snapshot(Player.GENERATOR, 9, x);
    byte[] bytes = serialization.serialize(s).get();
    // 4 bytes per element plus a small header, not a list of decimal numbers.
    assertThat(bytes.length).isBetween(64 * 100 * 4, 64 * 100 * 4 + 200);
    Messages.Snapshot back =
        (Messages.Snapshot) serialization.deserialize(bytes, Messages.Snapshot.class).get();
    assertDeepEqual("snapshot", s, back);
    // A view (a column slice of an 'f' array) goes as its own elements, row-major.
    INDArray f = Nd4j.rand(DataType.DOUBLE, 5, 7).dup('f');
    INDArray view =
        f.get(
            org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 4),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 6));
    Messages.RealBatch b = new Messages.RealBatch(3, 1, view);
    Messages.RealBatch bb =
        (Messages.RealBatch)
            serialization
                .deserialize(serialization.serialize(b).get(), Messages.RealBatch.class)
                .get();
    assertDeepEqual("view", b, bb);
  }

  /**
   * Under {@code -Dpekko.actor.serialize-messages=on} (the engine-serialized Surefire execution)
   * every message told between actors is serialized and the copy delivered, so a message without a
   * binding never arrives and the test that sent it fails. This checks the setting took effect: the
   * probe gets a copy, not the instance sent.
   */
  @Test
  void underTheSerializedExecutionEveryTellDeliversACopy() {
    assumeTrue(
        kit.system().settings().config().getBoolean("pekko.actor.serialize-messages"),
        "serialize-messages is off in this execution");
    assertThat(kit.system().settings().config().getBoolean("pekko.actor.serialize-creators"))
        .isTrue();
    TestProbe<Messages.ControlReply> probe = kit.createTestProbe();
    Messages.ControlReply sent = Messages.ControlReply.accepted(7, "copied");
    probe.ref().tell(sent);
    Messages.ControlReply got = probe.receiveMessage(Duration.ofSeconds(10));
    assertThat(got).isEqualTo(sent).isNotSameAs(sent);
  }

  /** The commands of every actor (nested sealed hierarchies walked) and the replies they name. */
  private static Set<Class<?>> messageTypes() {
    Set<Class<?>> out = new LinkedHashSet<>();
    List<Class<?>> todo = new ArrayList<>(OTHER_REPLIES);
    for (Class<?> actor : ACTORS) {
      for (Class<?> nested : actor.getDeclaredClasses()) {
        if (nested.getSimpleName().equals("Command")) {
          todo.add(nested);
        }
      }
    }
    while (!todo.isEmpty()) {
      Class<?> c = todo.remove(todo.size() - 1);
      if (c.isSealed()) {
        todo.addAll(Arrays.asList(c.getPermittedSubclasses()));
        continue;
      }
      if (!out.add(c) || !c.isRecord()) {
        continue;
      }
      for (RecordComponent rc : c.getRecordComponents()) {
        if (rc.getType() == ActorRef.class
            && rc.getGenericType() instanceof ParameterizedType p
            && p.getActualTypeArguments()[0] instanceof Class<?> reply) {
          todo.add(reply);
        }
      }
    }
    return out;
  }

  /** A value of {@code type} with every field set (distinct, non-default values where it can). */
  private static Object sample(Class<?> type, Type generic, ActorRef<Object> ref, int depth)
      throws Exception {
    if (depth > 8) {
      return null;
    }
    if (type == long.class || type == Long.class) {
      return 7L + depth;
    } else if (type == int.class || type == Integer.class) {
      return 3 + depth;
    } else if (type == double.class || type == Double.class) {
      return 0.375 + depth;
    } else if (type == boolean.class || type == Boolean.class) {
      return true;
    } else if (type == String.class) {
      return "text " + depth;
    } else if (type == Path.class) {
      return Path.of("/runs/a/checkpoints/step-00000007");
    } else if (type == INDArray.class) {
      INDArray a = Nd4j.rand(DataType.FLOAT, 3, 4 + depth);
      a.putScalar(0, Float.NaN);
      a.putScalar(1, -0.0f);
      return a;
    } else if (type == ActorRef.class) {
      return ref;
    } else if (type == OptionalInt.class) {
      return OptionalInt.of(4);
    } else if (type == OptionalDouble.class) {
      return OptionalDouble.of(1e-4);
    } else if (type.isArray()) {
      Object arr = Array.newInstance(type.getComponentType(), 2);
      for (int i = 0; i < 2; i++) {
        Array.set(arr, i, sample(type.getComponentType(), type.getComponentType(), ref, depth + 1));
      }
      return arr;
    } else if (type.isEnum()) {
      Object[] values = type.getEnumConstants();
      return values[values.length - 1];
    } else if (type == Map.class) {
      Type[] kv = ((ParameterizedType) generic).getActualTypeArguments();
      Map<Object, Object> m = new LinkedHashMap<>();
      for (String key : List.of("generator", "generator_optimizer")) {
        m.put(key, sample((Class<?>) kv[1], kv[1], ref, depth + 1));
      }
      return m;
    } else if (type.isSealed()) {
      Class<?> first = type.getPermittedSubclasses()[0];
      return sample(first, first, ref, depth);
    } else if (type.isRecord()) {
      RecordComponent[] rcs = type.getRecordComponents();
      Class<?>[] types = Arrays.stream(rcs).map(RecordComponent::getType).toArray(Class<?>[]::new);
      Object[] args = new Object[rcs.length];
      for (int i = 0; i < rcs.length; i++) {
        args[i] = sample(rcs[i].getType(), rcs[i].getGenericType(), ref, depth + 1);
      }
      Constructor<?> canonical = type.getDeclaredConstructor(types);
      canonical.setAccessible(true);
      return canonical.newInstance(args);
    }
    throw new IllegalArgumentException("no sample for " + generic);
  }

  /** Equal field by field; tensors of the same type and shape, bit for bit. */
  private static void assertDeepEqual(String where, Object a, Object b) throws Exception {
    if (a == null || b == null) {
      assertThat(b).as(where).isEqualTo(a);
    } else if (a instanceof INDArray x) {
      INDArray y = (INDArray) b;
      assertThat(y.dataType()).as(where).isEqualTo(x.dataType());
      assertThat(y.shape()).as(where).isEqualTo(x.shape());
      assertThat(bits(y)).as(where).isEqualTo(bits(x));
    } else if (a.getClass().isArray()) {
      assertThat(Array.getLength(b)).as(where).isEqualTo(Array.getLength(a));
      for (int i = 0; i < Array.getLength(a); i++) {
        assertDeepEqual(where + "[" + i + "]", Array.get(a, i), Array.get(b, i));
      }
    } else if (a instanceof Map<?, ?> m) {
      Map<?, ?> n = (Map<?, ?>) b;
      assertThat(new ArrayList<>(n.keySet())).as(where).isEqualTo(new ArrayList<>(m.keySet()));
      for (Object k : m.keySet()) {
        assertDeepEqual(where + "." + k, m.get(k), n.get(k));
      }
    } else if (a.getClass().isRecord()) {
      assertThat(b.getClass()).as(where).isEqualTo(a.getClass());
      for (RecordComponent rc : a.getClass().getRecordComponents()) {
        var get = rc.getAccessor();
        get.setAccessible(true);
        assertDeepEqual(where + "." + rc.getName(), get.invoke(a), get.invoke(b));
      }
    } else {
      assertThat(b).as(where).isEqualTo(a);
    }
  }

  /** The raw bits of each element, row-major. */
  private static long[] bits(INDArray a) {
    INDArray c = a.dup('c').reshape(a.length());
    long[] out = new long[(int) a.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] =
          a.dataType() == DataType.FLOAT
              ? Float.floatToRawIntBits(c.getFloat(i))
              : Double.doubleToRawLongBits(c.getDouble(i));
    }
    return out;
  }
}
