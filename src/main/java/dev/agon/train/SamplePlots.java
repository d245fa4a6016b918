package dev.agon.train;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Sample plots of a run: {@code samples/step-NNNNNNN.png} (7-digit G step; {@code -ema} before the
 * extension for G-EMA) and a copy as {@code samples/latest.png} ({@code latest-ema.png}). Each PNG
 * is written to a {@code .tmp-*} file beside it and then moved into place, so readers (a web page)
 * never see a partial file, and a failed write leaves no temp file behind.
 */
final class SamplePlots {
  private static final String TMP_PREFIX = ".tmp-";

  private SamplePlots() {}

  /** Draws one PNG into the given file. */
  @FunctionalInterface
  interface Drawing {
    void writePng(Path file) throws IOException;
  }

  /** The plot of G step {@code step}: {@code step-NNNNNNN.png}, or {@code step-NNNNNNN-ema.png}. */
  static String name(long step, boolean ema) {
    return String.format(Locale.ROOT, "step-%07d%s.png", step, ema ? "-ema" : "");
  }

  /** Writes the plot of {@code step} and its latest copy into {@code dir}; returns the former. */
  static Path write(Path dir, long step, boolean ema, Drawing drawing) throws IOException {
    Path target = dir.resolve(name(step, ema));
    Path latest = dir.resolve(ema ? "latest-ema.png" : "latest.png");
    Path tmp = Files.createTempFile(dir, TMP_PREFIX, ".png");
    Path tmpLatest = null;
    try {
      drawing.writePng(tmp);
      tmpLatest = Files.createTempFile(dir, TMP_PREFIX, ".png");
      Files.copy(tmp, tmpLatest, StandardCopyOption.REPLACE_EXISTING);
      moveAtomically(tmp, target);
      moveAtomically(tmpLatest, latest);
      return target;
    } finally {
      Files.deleteIfExists(tmp);
      if (tmpLatest != null) {
        Files.deleteIfExists(tmpLatest);
      }
    }
  }

  /** Renames {@code from} over {@code to} in one step where the file system can. */
  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
