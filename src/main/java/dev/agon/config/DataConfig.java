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
        int prefetch)
    implements CrossFieldCheck {

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
  }

  /** Whether the data are images (as opposed to the 2-D mixtures). */
  public boolean images() {
    return kind != DataKind.RING && kind != DataKind.GRID;
  }
}
