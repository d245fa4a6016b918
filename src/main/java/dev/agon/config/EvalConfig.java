package dev.agon.config;

import java.util.List;

/** Evaluation of generator snapshots during the run (by the Evaluator actor) and at its end. */
public record EvalConfig(
    @Doc("Number of generator samples scored per evaluation (samples).") @Min(1) int samples,
    @Doc("Evaluate a generator snapshot every this many G updates; 0: only at the end (updates).")
        @Min(0)
        long everySteps,
    @Doc("Also evaluate when this much time has passed since the last one; 0: off (seconds).")
        @Min(0)
        long everySeconds,
    @Doc("Write a sample plot for each evaluation to samples/step-NNNNNNN.png.") boolean plots,
    @Doc(
            "Image runs: classifier metrics of each evaluation, any of is, fid, kid, pr, dc,"
                + " classes (see agon eval); empty: sample grids only. 2-D runs always get the"
                + " mode metrics.")
        List<String> metrics,
    @Doc(
            "Also report the discriminator's JSD lower bound (V + log 4)/2 (Goodfellow et al. 2014,"
                + " eq. 6) on held-out real samples and the evaluation's fakes: with"
                + " objective.kind = gan, model.pack = 1 and a held-out split (2-D mixtures,"
                + " Fashion-MNIST), else skipped, as the log says.")
        boolean jsd,
    @Doc(
            "Classifier directory for the image metrics; empty: the shipped Fashion-MNIST"
                + " classifier when data.kind = fashion-mnist, else no image metrics.")
        String classifier,
    @Doc(
            "Directory caching the real data's classifier features, keyed by classifier and data"
                + " content; empty: ~/.cache/agon/reference.")
        String referenceCache)
    implements CrossFieldCheck {

  /** The metric names {@link #metrics} accepts (those of the eval package's image metrics). */
  public static final List<String> IMAGE_METRICS =
      List.of("is", "fid", "kid", "pr", "dc", "classes");

  public EvalConfig {
    metrics = List.copyOf(metrics);
  }

  @Override
  public void crossCheck(Violations violations) {
    for (String m : metrics) {
      if (!IMAGE_METRICS.contains(m)) {
        violations.reject(
            "metrics", "unknown metric '" + m + "'; known: " + String.join(", ", IMAGE_METRICS));
      }
    }
  }
}
