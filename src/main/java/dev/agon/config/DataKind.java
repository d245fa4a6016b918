package dev.agon.config;

/**
 * Which data set to train on. HOCON spelling: {@code ring}, {@code grid}, {@code fashion-mnist},
 * {@code mnist}, {@code idx}, {@code image-folder}, {@code npy}.
 */
public enum DataKind {
  /** Mixture of Gaussians with centres evenly spaced on a circle ({@code data.ring}). */
  RING,
  /** Mixture of Gaussians with centres on a square lattice ({@code data.grid}). */
  GRID,
  /**
   * Fashion-MNIST: the test split ships with the project; the train split is found where Debian's
   * {@code dataset-fashion-mnist} installs it, under {@code data.path}, or downloaded.
   */
  FASHION_MNIST,
  /** MNIST from the four standard IDX files in {@code data.path} (raw or gzip). */
  MNIST,
  /** Any IDX image set (with optional labels) in {@code data.path}. */
  IDX,
  /** PNG/JPEG files under {@code data.path}, optionally one subfolder per class. */
  IMAGE_FOLDER,
  /** An NPY array of images in the file {@code data.path}. */
  NPY
}
