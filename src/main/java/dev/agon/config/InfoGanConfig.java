package dev.agon.config;

/**
 * InfoGAN (Chen et al. 2016): latent codes fed to G beside z, a Q head on D's features that
 * predicts them back, and the mutual-information lower bound L_I = E[log Q(c | G(z, c))] weighted
 * by {@code weight} and subtracted from both players' losses. Off when both code counts are 0.
 */
public record InfoGanConfig(
    @Doc(
            "Values of the categorical code (one-hot, uniform over the values); 0: no categorical"
                + " code; 1 is refused (a code with one value carries no information).")
        @Min(0)
        @Max(1024)
        int categorical,
    @Doc("Continuous codes, each uniform in [-1, 1]; 0: none.") @Min(0) @Max(1024) int continuous,
    @Doc(
            "Weight lambda of the mutual-information term in G's and D/Q's losses (the paper uses 1"
                + " for categorical codes); used only when a code is on.")
        @Min(0)
        @Max(1000)
        double weight)
    implements CrossFieldCheck {

  /** Whether any code is on. */
  public boolean enabled() {
    return categorical > 0 || continuous > 0;
  }

  /** Code columns appended to G's input and Q columns appended to D's output: K + C. */
  public int codeWidth() {
    return categorical + continuous;
  }

  @Override
  public void crossCheck(Violations violations) {
    if (categorical == 1) {
      violations.reject(
          "categorical", "must be 0 (off) or at least 2: a code with one value is constant");
    }
  }
}
