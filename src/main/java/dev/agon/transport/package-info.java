/**
 * The data plane of distributed runs: tensors (batches, parameter and evaluation snapshots) between
 * processes over Aeron, IPC on one host and UDP between hosts, in checked, chunked frames ({@link
 * dev.agon.transport.FrameHeader}). Imports ND4J, Aeron and Agrona only: no actors, no meters, no
 * config (the engine adapts config to {@link dev.agon.transport.TransportSettings} and binds {@link
 * dev.agon.transport.TransportCounters} to meters).
 */
package dev.agon.transport;
