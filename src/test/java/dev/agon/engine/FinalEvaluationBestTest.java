package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.checkpoint.BestCheckpoint;
import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.BestMetric;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The final evaluation's offer of the best checkpoint, after the Checkpointer has stopped: a run
 * with keep-last 1 holds its last checkpoint (G update 30) and the best so far (10).
 */
class FinalEvaluationBestTest {
  @TempDir Path run;

  private void checkpoint(long step) throws Exception {
    Path dir = CheckpointStore.dirOf(run, step);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(CheckpointStore.MANIFEST), "step = " + step + "\n");
  }

  private void setUp() throws Exception {
    checkpoint(10);
    checkpoint(30);
    new BestCheckpoint(10, BestMetric.FID.wire(), 50.0).write(run);
  }

  /**
   * A final checkpoint that beats the best takes best.json over, and the old best, which only its
   * being best kept beyond keep-last, goes: retention keeps keep-last checkpoints and the best.
   */
  @Test
  void aBetterFinalCheckpointReplacesTheBestAndTheOldBestIsDeleted() throws Exception {
    setUp();
    FinalEvaluation.offerBest(BestMetric.FID, 1, run, 30, 40.0);
    assertThat(BestCheckpoint.read(run)).contains(new BestCheckpoint(30, "fid", 40.0));
    assertThat(CheckpointStore.dirOf(run, 30)).isDirectory();
    assertThat(CheckpointStore.dirOf(run, 10)).doesNotExist();
  }

  @Test
  void aWorseFinalCheckpointLeavesTheBestAndItsCheckpoint() throws Exception {
    setUp();
    FinalEvaluation.offerBest(BestMetric.FID, 1, run, 30, 60.0);
    assertThat(BestCheckpoint.read(run)).contains(new BestCheckpoint(10, "fid", 50.0));
    assertThat(CheckpointStore.dirOf(run, 10)).isDirectory();
  }

  /** An old best that is still among the keep-last newest stays. */
  @Test
  void anOldBestWithinKeepLastStays() throws Exception {
    setUp();
    FinalEvaluation.offerBest(BestMetric.FID, 2, run, 30, 40.0);
    assertThat(BestCheckpoint.read(run)).contains(new BestCheckpoint(30, "fid", 40.0));
    assertThat(CheckpointStore.dirOf(run, 10)).isDirectory();
  }

  @Test
  void aNonFiniteScoreOrAMissingCheckpointChangesNothing() throws Exception {
    setUp();
    FinalEvaluation.offerBest(BestMetric.FID, 1, run, 30, Double.NaN);
    FinalEvaluation.offerBest(BestMetric.FID, 1, run, 40, 1.0);
    assertThat(BestCheckpoint.read(run)).contains(new BestCheckpoint(10, "fid", 50.0));
    assertThat(CheckpointStore.dirOf(run, 10)).isDirectory();
  }
}
