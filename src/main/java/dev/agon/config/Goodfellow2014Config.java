package dev.agon.config;

/** The MNIST networks of Goodfellow et al. 2014 (maxout discriminator with dropout). */
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
        double hiddenDropout) {}
