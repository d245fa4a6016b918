package dev.agon.objective;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Shape checks shared by the objectives. */
final class Outputs {
  private Outputs() {}

  /**
   * Checks that {@code outputs} is a non-empty column {@code [B,1]} and {@code grad} has its shape;
   * returns {@code B}. {@code what} names the batch in the message ("real", "fake").
   */
  static int checkColumn(INDArray outputs, INDArray grad, String what) {
    if (outputs.rank() != 2 || outputs.columns() != 1 || outputs.rows() < 1) {
      throw new IllegalArgumentException(
          what + " logits must be [B,1], got " + Arrays.toString(outputs.shape()));
    }
    if (!Arrays.equals(outputs.shape(), grad.shape())) {
      throw new IllegalArgumentException(
          what
              + " gradient shape "
              + Arrays.toString(grad.shape())
              + " differs from logits "
              + Arrays.toString(outputs.shape()));
    }
    return outputs.rows();
  }
}
