package dev.agon.engine.serialization;

/**
 * Marks an engine message that carries tensors (minibatches, parameter snapshots, player state):
 * serialized by {@link TensorMessageSerializer}, which writes each {@code INDArray} as raw
 * little-endian data instead of a list of numbers. Extends {@link CborSerializable} so that Pekko
 * picks this, the more specific binding, without an ambiguity warning.
 */
public interface TensorMessage extends CborSerializable {}
