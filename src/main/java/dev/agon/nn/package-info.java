/**
 * Fully connected networks with hand-written forward/backward passes ({@link dev.agon.nn.Mlp}) and
 * in-place optimizers with PyTorch semantics ({@link dev.agon.nn.Adam}, {@link
 * dev.agon.nn.SgdMomentum}). Arrays are 2-D row-major {@code [batch, features]}, FLOAT by default
 * (DOUBLE for precise checks). Depends on ND4J and the JDK only; objects are single-threaded but
 * may be used from a thread other than the one that created them.
 */
package dev.agon.nn;
