package dev.agon.config;

/**
 * The MNIST networks of Goodfellow et al. 2014 (maxout discriminator with dropout), and the parts
 * of the authors' released recipe ({@code mnist.yaml} of goodfeli/adversarial) that are network
 * choices: pixel range, initialisation, output bias. Its optimiser settings are {@code optim}'s.
 */
public record Goodfellow2014Config(
    @Doc("Units of each of the generator's two ReLU hidden layers (units).") @Min(1)
        int generatorHidden,
    @Doc("Maxout units of each of the discriminator's two hidden layers (units).") @Min(1)
        int maxoutUnits,
    @Doc("Linear pieces per maxout unit.") @Min(1) @Max(32) int maxoutPieces,
    @Doc("Dropout probability on the discriminator's input.")
        @Min(0)
        @Max(value = 1, exclusive = true)
        double inputDropout,
    @Doc("Dropout probability on the discriminator's hidden layers.")
        @Min(0)
        @Max(value = 1, exclusive = true)
        double hiddenDropout,
    @Doc(
            "true: the released code's pixel range: G ends in a sigmoid over pixels in [0, 1] and D"
                + " reads pixels in [0, 1]; between them the data stay Agon's [-1, 1] (G emits"
                + " 2 sigmoid(a) - 1, D first maps x to (x + 1) / 2), so both networks compute"
                + " what the released ones did. false: G ends in tanh and D reads [-1, 1].")
        boolean unitPixels,
    @Doc(
            "Generator weights from U(-r, r) with zero biases, the released code's irange (0.05);"
                + " 0: PyTorch's default U(-1/sqrt(fan-in), 1/sqrt(fan-in)) for weights and"
                + " biases.")
        @Min(0)
        @Max(10)
        double generatorInitRange,
    @Doc(
            "Discriminator weights from U(-r, r) with zero biases, the released code's irange"
                + " (0.005); 0: PyTorch's default.")
        @Min(0)
        @Max(10)
        double discriminatorInitRange,
    @Doc(
            "Initialise G's output biases to the logit of each pixel's mean over the training"
                + " data (clipped to [1e-7, 1 - 1e-7]), so G starts at the data's mean image, as"
                + " the released code's init_sigmoid_bias_from_marginals; needs unit-pixels and"
                + " an image data set.")
        boolean outputBiasFromData)
    implements CrossFieldCheck {

  @Override
  public void crossCheck(Violations violations) {
    if (outputBiasFromData && !unitPixels) {
      violations.reject(
          "output-bias-from-data",
          "needs unit-pixels = true (a sigmoid output to set the bias of)");
    }
  }
}
