/**
 * Networks with hand-written forward/backward passes and in-place optimizers with PyTorch
 * semantics: the fully connected {@link dev.agon.nn.Mlp}, and {@link dev.agon.nn.Sequential} chains
 * of {@link dev.agon.nn.Layer}s (linear, 2-D convolution and transposed convolution as im2col +
 * GEMM, batch norm, activations, reshapes) with the {@link dev.agon.nn.Dcgan} architectures; {@link
 * dev.agon.nn.Adam}, {@link dev.agon.nn.SgdMomentum}. Arrays are row-major, {@code [batch,
 * features]} or NCHW images, FLOAT by default (DOUBLE for precise checks). Depends on ND4J and the
 * JDK only; objects are single-threaded but may be used from a thread other than the one that
 * created them (the convolution layers' plain-Java loops may split work over helper threads when
 * {@code OMP_NUM_THREADS > 1}, see {@code Parallel}).
 */
package dev.agon.nn;
