package dev.agon.config;

/** The adversarial objective the two players optimise. */
public record ObjectiveConfig(
    @Doc("Objective family; only gan (Goodfellow et al. 2014) for now.") ObjectiveKind kind,
    @Doc("Generator loss: minimax, log(1 - D(G(z))), or non-saturating, -log D(G(z)).")
        GeneratorLoss generator) {}
