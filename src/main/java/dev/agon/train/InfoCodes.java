package dev.agon.train;

import dev.agon.tensor.DenseAccess;
import dev.agon.tensor.Noise;
import dev.agon.tensor.Seeds;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * InfoGAN's codes (Chen et al. 2016): per row a one-hot categorical value out of {@code K}
 * (uniform) then {@code C} continuous values uniform in [-1, 1]. They are a pure function of (run
 * seed, noise stream, index, row): the codes beside the noise of stream {@code s}, index {@code i}
 * come from {@link Noise#uniform} keyed by ({@code seed}, {@link Seeds#CODES} {@code + s}, {@code
 * i}), so D recomputes the codes of fake batch {@code n} instead of receiving them, and a resumed
 * run draws the same ones. Row {@code r} draws {@code 1 + C} uniforms (category first), so its
 * codes do not depend on the batch size. Cost: O(B (1 + C)) on the host.
 */
public final class InfoCodes {
  private final int categorical;
  private final int continuous;

  public InfoCodes(int categorical, int continuous) {
    if (categorical < 0 || categorical == 1 || continuous < 0) {
      throw new IllegalArgumentException(
          "K = 0 or >= 2, C >= 0: " + categorical + ", " + continuous);
    }
    this.categorical = categorical;
    this.continuous = continuous;
  }

  /** Columns of a code row: K + C. */
  public int width() {
    return categorical + continuous;
  }

  public int categorical() {
    return categorical;
  }

  public int continuous() {
    return continuous;
  }

  /**
   * Writes the codes of rows {@code 0 .. B-1} beside the noise ({@code seed}, {@code stream},
   * {@code index}) into {@code out} {@code [B, K + C]} (views allowed); returns each row's
   * categorical value ({@code -1} per row when K = 0).
   */
  public int[] fill(INDArray out, long seed, long stream, long index) {
    int b = (int) out.size(0);
    int perRow = 1 + continuous;
    INDArray u = Nd4j.create(DataType.DOUBLE, b, perRow);
    Noise.uniform(u, seed, Seeds.CODES + stream, index);
    double[] uv = new double[b * perRow];
    DenseAccess.read(u, uv);
    int w = width();
    double[] c = new double[b * w];
    int[] category = new int[b];
    for (int r = 0; r < b; r++) {
      category[r] =
          categorical == 0 ? -1 : Math.min(categorical - 1, (int) (uv[r * perRow] * categorical));
      if (categorical > 0) {
        c[r * w + category[r]] = 1;
      }
      for (int j = 0; j < continuous; j++) {
        c[r * w + categorical + j] = 2 * uv[r * perRow + 1 + j] - 1;
      }
    }
    DenseAccess.write(out, c);
    return category;
  }

  /** Sets every row's categorical value of {@code codes} {@code [B, K + C]} to {@code value}. */
  public void forceCategory(INDArray codes, int value) {
    if (value < 0 || value >= categorical) {
      throw new IllegalArgumentException(
          "categorical value " + value + " outside [0, " + categorical + ")");
    }
    for (int j = 0; j < categorical; j++) {
      codes.getColumn(j).assign(j == value ? 1 : 0);
    }
  }
}
