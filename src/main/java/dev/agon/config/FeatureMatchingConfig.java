package dev.agon.config;

/**
 * Feature matching (Salimans et al. 2016, Sec. 3.1): G minimises ||E f(x) - E f(G(z))||^2 over the
 * features f of one discriminator layer instead of the adversarial loss.
 */
public record FeatureMatchingConfig(
    @Doc("Train G by feature matching.") boolean enabled,
    @Doc(
            "Discriminator layer whose output is f: 0-based index, negative counts from the"
                + " output (-2: the features that enter the final linear layer).")
        int layer) {}
