package dev.agon.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamesTest {
  @Test
  void kebab() {
    assertThat(Names.kebab("batchSize")).isEqualTo("batch-size");
    assertThat(Names.kebab("progressIntervalMs")).isEqualTo("progress-interval-ms");
    assertThat(Names.kebab("beta1")).isEqualTo("beta1");
    assertThat(Names.enumName(Activation.LEAKY_RELU)).isEqualTo("leaky-relu");
    assertThat(Names.enumName(GeneratorLoss.NON_SATURATING)).isEqualTo("non-saturating");
  }

  @Test
  void suggestions() {
    List<String> keys = List.of("k", "iterations", "batch-size");
    assertThat(Names.suggest("bach-size", keys)).hasValue("batch-size");
    assertThat(Names.suggest("batchSize", keys)).hasValue("batch-size");
    assertThat(Names.suggest("batch_size", keys)).hasValue("batch-size");
    assertThat(Names.suggest("BATCH_SIZE", keys)).hasValue("batch-size");
    assertThat(Names.suggest("iteration", keys)).hasValue("iterations");
    assertThat(Names.suggest("itrations", keys)).hasValue("iterations");
    assertThat(Names.suggest("kk", keys)).hasValue("k");
    assertThat(Names.suggest("x", keys)).isEmpty();
    assertThat(Names.suggest("epochs", keys)).isEmpty();
  }

  @Test
  void numbersAreShortAndExact() {
    assertThat(Names.number(2.0)).isEqualTo("2.0");
    assertThat(Names.number(0.05)).isEqualTo("0.05");
    assertThat(Names.number(1e-8)).isEqualTo("1e-8");
    assertThat(Names.number(1e-4)).isEqualTo("0.0001");
    assertThat(Names.number(-0.0)).isEqualTo("-0.0");
    for (double d : new double[] {0.1 + 0.2, 1e300, -3.5e-300, Math.PI, 1e15, 123456.789}) {
      assertThat(Double.parseDouble(Names.number(d))).isEqualTo(d);
    }
  }
}
