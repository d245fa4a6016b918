package dev.agon.engine.serialization;

/**
 * Marks an engine message (command, reply or report) that crosses a process boundary as Jackson
 * CBOR ({@code pekko-serialization-jackson}'s {@code jackson-cbor}, bound in the engine's {@code
 * pekko.conf}). Its fields must be data: numbers, strings, records, enums, paths, optionals and
 * typed {@code ActorRef}s (written as their path by Pekko's Jackson module). Messages with tensors
 * implement {@link TensorMessage} instead.
 */
public interface CborSerializable {}
