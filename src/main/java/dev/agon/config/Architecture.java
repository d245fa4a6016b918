package dev.agon.config;

/**
 * Network family of both players. HOCON spelling: {@code mlp}, {@code dcgan}, {@code
 * goodfellow2014}.
 */
public enum Architecture {
  /**
   * Fully connected networks as described by {@code model.generator}/{@code model.discriminator}.
   */
  MLP,
  /**
   * Radford et al. 2016 (DCGAN): transposed-convolution generator with batch norm and ReLU, tanh
   * output; strided-convolution discriminator with LeakyReLU ({@code model.dcgan}).
   */
  DCGAN,
  /**
   * Goodfellow et al. 2014, MNIST: ReLU generator; maxout discriminator with dropout ({@code
   * model.goodfellow2014}).
   */
  GOODFELLOW2014
}
