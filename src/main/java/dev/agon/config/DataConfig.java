package dev.agon.config;

/** Training data: which set, where it is, its parameters, and how far ahead it is prepared. */
public record DataConfig(
    @Doc(
            "Data set: ring or grid (2-D mixtures), fashion-mnist, mnist, idx, image-folder or"
                + " npy.")
        DataKind kind,
    @Doc(
            "Where the data lives: a directory of IDX files (fashion-mnist, mnist, idx), an image"
                + " folder, or an .npy file; empty: the default location of the kind (the"
                + " embedded Fashion-MNIST test split, Debian's dataset-fashion-mnist).")
        String path,
    @Doc("Split of an IDX data set: train or test (the embedded Fashion-MNIST is the test split).")
        DataSplit split,
    @Doc("Download fashion-mnist into the user cache if it is not found (verified by SHA-256).")
        boolean download,
    @Doc(
            "image-folder only: images are resized and centre-cropped to this size (pixels); dcgan"
                + " takes 28 or 4 * 2^n (8, 16, 32, ...).")
        @Min(4)
        @Max(1024)
        int imageSize,
    @Doc("image-folder only: 1 (grayscale) or 3 (RGB) channels.") @Min(1) @Max(3) int channels,
    @Doc("Ring of Gaussians, used when kind = ring.") RingConfig ring,
    @Doc("Grid of Gaussians, used when kind = grid.") GridConfig grid,
    @Doc("Number of batches the data loader prepares ahead of the trainer (batches).")
        @Min(1)
        @Max(64)
        int prefetch,
    @Doc(
            "Labelled examples the trainer may use: none (labels ignored), all, or a whole number N"
                + " >= 1 of labelled examples per class, drawn by data.label-seed and recorded in"
                + " the run directory (labelled-set.json); the rest count as unlabelled. Needs a"
                + " data set with labels: IDX with its labels file, or an image folder with class"
                + " subfolders (not ring, grid or npy).")
        String labels,
    @Doc(
            "Seed of the draw of data.labels = N examples per class (one seed, one label draw);"
                + " independent of the run's seed, so draws and runs can vary separately.")
        long labelSeed)
    implements CrossFieldCheck {

  /** {@link #labelsPerClass()} of {@code labels = none}. */
  public static final int NO_LABELS = -1;

  /** {@link #labelsPerClass()} of {@code labels = all}. */
  public static final int ALL_LABELS = 0;

  /** The largest N of {@code labels = N}: far above any class of an in-memory data set. */
  public static final int MAX_LABELS_PER_CLASS = 1 << 30;

  @Override
  public void crossCheck(Violations violations) {
    if (channels == 2) {
      violations.reject("channels", "must be 1 (grayscale) or 3 (RGB)");
    }
    boolean needsPath =
        kind == DataKind.MNIST
            || kind == DataKind.IDX
            || kind == DataKind.IMAGE_FOLDER
            || kind == DataKind.NPY;
    if (needsPath && path.isBlank()) {
      violations.reject("path", "kind " + Names.enumName(kind) + " needs data.path");
    }
    if (download && kind != DataKind.FASHION_MNIST) {
      violations.reject("download", "only fashion-mnist can be downloaded");
    }
    int perClass = parseLabels(labels);
    if (perClass == Integer.MIN_VALUE) {
      violations.reject(
          "labels",
          "expected none, all or a whole number of labelled examples per class in [1, "
              + MAX_LABELS_PER_CLASS
              + "], got "
              + Names.quote(labels));
    } else if (perClass != NO_LABELS && !images()) {
      violations.reject(
          "labels",
          "data.kind = " + Names.enumName(kind) + " has no labels (use none, the default)");
    }
  }

  /**
   * {@code data.labels} as a number: {@link #NO_LABELS}, {@link #ALL_LABELS} or N per class (valid
   * after the config was checked).
   */
  public int labelsPerClass() {
    return parseLabels(labels);
  }

  /** none -1, all 0, N in [1, MAX] as is; Integer.MIN_VALUE for anything else. */
  private static int parseLabels(String s) {
    if (s.equals("none")) {
      return NO_LABELS;
    }
    if (s.equals("all")) {
      return ALL_LABELS;
    }
    if (!s.matches("[1-9][0-9]{0,9}")) {
      return Integer.MIN_VALUE;
    }
    long n = Long.parseLong(s);
    return n <= MAX_LABELS_PER_CLASS ? (int) n : Integer.MIN_VALUE;
  }

  /** Whether the data are images (as opposed to the 2-D mixtures). */
  public boolean images() {
    return kind != DataKind.RING && kind != DataKind.GRID;
  }
}
