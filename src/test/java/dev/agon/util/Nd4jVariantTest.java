package dev.agon.util;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.metrics.Meters;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/** What the JVM checks at start: the loaded libnd4j is the build ./agon asked for. */
class Nd4jVariantTest {
  private static final String PLAIN = "GCC: \"7.5.0\"\nHAVE_FLATBUFFERS\nHAVE_OPENBLAS\n";
  private static final String ONEDNN =
      "GCC: \"7.5.0\"\nHAVE_FLATBUFFERS\nHAVE_ONEDNN\nHAVE_OPENBLAS\n";

  @Test
  void aOneDnnVariantThatFellBackToThePlainBuildIsNamedWithHowToChooseAnother() {
    assertThat(Nd4jVariant.problem("onednn-avx512", PLAIN))
        .contains("onednn-avx512")
        .contains("without oneDNN")
        .contains("AGON_ND4J_VARIANT=default");
    assertThat(Nd4jVariant.problem("default", ONEDNN)).contains("default").contains("with oneDNN");
  }

  @Test
  void theBuildAskedForPasses() {
    assertThat(Nd4jVariant.problem("onednn-avx2", ONEDNN)).isNull();
    assertThat(Nd4jVariant.problem("default", PLAIN)).isNull();
  }

  @Test
  void thisJvmRunsTheBuildItAskedForAndItsBuildInfoSaysSo() {
    // The default tests set no platform extension and load the plain build; the numerics-onednn
    // execution (pom.xml) asks for -onednn with its jar on the class path. Either way libnd4j's
    // build information, which problem() reads, must agree with the request.
    String variant = Nd4jVariant.requested();
    assertThat(Meters.nd4jVariant()).as("the metrics label, same rule").isEqualTo(variant);
    Nd4j.getExecutioner(); // loads the backend
    String info = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
    assertThat(info).contains("HAVE_OPENBLAS");
    assertThat(info.contains("HAVE_ONEDNN")).as(info).isEqualTo(variant.startsWith("onednn"));
    assertThat(Nd4jVariant.problem(variant, info)).isNull();
    assertThat(Nd4jVariant.problem(variant.equals("default") ? "onednn" : "default", info))
        .isNotNull();
  }
}
