/**
 * Tensor utilities on ND4J {@code INDArray}s: deterministic noise ({@link dev.agon.tensor.Noise})
 * and bulk access to dense arrays. Depends on ND4J and the JDK only; no workspaces, no thread
 * affinity.
 */
package dev.agon.tensor;
