package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.checkpoint.CheckpointException;
import dev.agon.data.ImageDataset;
import dev.agon.data.ImageSource;
import dev.agon.data.LabelledSet;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelledSetRecordTest {
  @TempDir Path run;

  private static ImageSource source(int shift, int perClass, long labelSeed) {
    int[] labels = new int[50];
    for (int i = 0; i < 50; i++) {
      labels[i] = (i + shift) % 5;
    }
    ImageDataset d = ImageDataset.ofUint8("fifty", new byte[50], 50, 1, 1, 1, labels);
    return new ImageSource(d, 1, true, true, LabelledSet.draw(d, perClass, labelSeed));
  }

  @Test
  void theRecordNamesTheChosenExamplesAndAResumeDrawingTheSameOnesGoesOn() throws Exception {
    ImageSource s = source(0, 3, 4);
    LabelledSetRecord.write(run, s);
    assertThat(LabelledSetRecord.read(run))
        .hasValueSatisfying(idx -> assertThat(idx).isEqualTo(s.labelledSet().indices()));
    String text = Files.readString(run.resolve(LabelledSetRecord.FILE));
    assertThat(text)
        .contains("\"data\":\"fifty\"", "\"labels\":\"3\"", "\"label_seed\":4", "\"count\":15");
    LabelledSetRecord.checkResume(run, source(0, 3, 4)); // the same draw: no exception
    assertThat(run.resolve("." + LabelledSetRecord.FILE + ".tmp")).doesNotExist();
  }

  @Test
  void aResumeThatWouldDrawOtherExamplesIsRefusedNamingTheKeyAndTheFile() throws Exception {
    LabelledSetRecord.write(run, source(0, 3, 4));
    // The same settings on a data set whose labels changed draw other examples.
    assertThatThrownBy(() -> LabelledSetRecord.checkResume(run, source(1, 3, 4)))
        .isInstanceOf(CheckpointException.class)
        .hasMessageStartingWith("data.labels: the labelled set drawn now (15 examples) differs")
        .hasMessageContaining(run.resolve(LabelledSetRecord.FILE).toString());
  }

  @Test
  void withoutARecordOrALabelledSetThereIsNothingToCompareOrWrite() throws Exception {
    assertThat(LabelledSetRecord.read(run)).isEmpty();
    LabelledSetRecord.checkResume(run, source(1, 3, 4));
    ImageDataset d = ImageDataset.ofUint8("plain", new byte[4], 4, 1, 1, 1, null);
    LabelledSetRecord.write(run, new ImageSource(d, 1));
    assertThat(run.resolve(LabelledSetRecord.FILE)).doesNotExist();
  }

  @Test
  void aDamagedRecordIsACheckpointErrorNamingTheFile() throws Exception {
    Path f = run.resolve(LabelledSetRecord.FILE);
    for (String bad :
        new String[] {
          "", "{", "[]", "{\"format\":2,\"indices\":[]}", "{\"format\":1,\"indices\":[-1]}"
        }) {
      Files.writeString(f, bad);
      assertThatThrownBy(() -> LabelledSetRecord.read(run))
          .as(bad)
          .isInstanceOf(CheckpointException.class)
          .hasMessageStartingWith(f.toString());
    }
  }
}
